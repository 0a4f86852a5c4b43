"""What is signed, exactly, and Ed25519 signing and verification (``cryptography``).

* The chip signs ``nonce ‖ serial``: the nonce's raw bytes (hex-decoded) followed by the
  serial's UTF-8 bytes.
* The landmark signs the canonical JSON of ``{serial, landmark, nonce, rtt_ms, measured_at,
  chip_signature}``: keys sorted, no whitespace, UTF-8, strings exactly as they appear in the
  report, ``rtt_ms`` as the shortest decimal that round-trips (``6.9``; integral values without
  a fraction: ``7``), as RFC 8785 (JCS) writes the numbers that occur here.

Keys and signatures travel as lowercase or uppercase hex: 32-byte raw public keys, 64-byte
signatures.
"""

from __future__ import annotations

import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from chipwatch.location.report import Measurement

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def chip_message(nonce: str, serial: str) -> bytes:
    return bytes.fromhex(nonce) + serial.encode("utf-8")


def landmark_message(serial: str, measurement: Measurement) -> bytes:
    rtt = measurement.rtt_ms
    fields = {
        "serial": serial,
        "landmark": measurement.landmark,
        "nonce": measurement.nonce,
        "rtt_ms": int(rtt) if rtt.is_integer() and abs(rtt) < 1e15 else rtt,
        "measured_at": measurement.measured_at,
        "chip_signature": measurement.chip_signature,
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def public_key_from_hex(text: str) -> Ed25519PublicKey:
    """A raw 32-byte Ed25519 public key from hex; ``ValueError`` says what is wrong."""
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError:
        raise ValueError("public key is not hex") from None
    if len(raw) != PUBLIC_KEY_BYTES:
        raise ValueError(f"public key has {len(raw)} bytes, expected {PUBLIC_KEY_BYTES}")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def signature_problem(key: Ed25519PublicKey, signature: str | None, message: bytes) -> str | None:
    """None when ``signature`` (hex) is ``key``'s over ``message``; else what is wrong."""
    if not signature:
        return "missing"
    raw = bytes.fromhex(signature)
    if len(raw) != SIGNATURE_BYTES:
        return f"has {len(raw)} bytes, expected {SIGNATURE_BYTES}"
    try:
        key.verify(raw, message)
    except InvalidSignature:
        return "does not verify"
    return None


def sign_hex(key: Ed25519PrivateKey, message: bytes) -> str:
    return key.sign(message).hex()


def demo_private_key(name: str) -> Ed25519PrivateKey:
    """A deterministic key for demos and tests only (derived from a public name: not secret)."""
    seed = hashlib.sha256(f"chipwatch-demo-key:{name}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)
