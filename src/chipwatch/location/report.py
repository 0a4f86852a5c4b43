"""The attestation report a chip's agent submits: its JSON shape, parsed and validated.

Structural problems (a missing field, a number that is not one, text that is not hex, a time
without an offset) are malformed input: ``InvalidInput`` (422) naming the field. Problems of
trust (a bad signature, a short or reused nonce, a stale time, ``rtt_ms <= 0``) are judged
later and make the verdict ``invalid``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chipwatch.errors import InvalidInput

HexText = Annotated[str, Field(pattern=r"^(?:[0-9a-fA-F]{2})+$", max_length=1024)]
NonceText = Annotated[str, Field(pattern=r"^(?:[0-9a-fA-F]{2})+$", max_length=256)]
Identifier = Annotated[str, Field(min_length=1, max_length=200)]
MAX_MEASUREMENTS = 64


class Measurement(BaseModel):
    """One timed challenge: a landmark sent ``nonce``, the chip signed it, ``rtt_ms`` later
    the landmark had the answer back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    landmark: Identifier
    nonce: NonceText = Field(description="The landmark's challenge, hex (at least 16 bytes).")
    rtt_ms: float = Field(allow_inf_nan=False, description="Round-trip time, milliseconds.")
    measured_at: str = Field(description="ISO-8601 instant with offset, e.g. 2026-03-01T10:00:00Z")
    chip_signature: HexText | None = Field(default=None, description="Ed25519 over nonce‖serial")
    landmark_signature: HexText | None = Field(default=None, description="Ed25519, canonical JSON")

    @field_validator("measured_at")
    @classmethod
    def _instant_with_offset(cls, value: str) -> str:
        instant_of(value)
        return value

    @property
    def instant(self) -> dt.datetime:
        return instant_of(self.measured_at)


class AttestationReport(BaseModel):
    """A chip's location claim with the measurements that should support it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    serial: Identifier
    claimed_site: Identifier
    measurements: list[Measurement] = Field(min_length=1, max_length=MAX_MEASUREMENTS)

    def sha256(self) -> str:
        """Digest of the report's canonical JSON (what an attestation record refers to)."""
        text = json.dumps(self.model_dump(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def instant_of(text: str) -> dt.datetime:
    """An ISO-8601 instant that carries its offset (``Z`` or ``+00:00``), in UTC."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO-8601 time: {text!r}") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset: write it as e.g. 2026-03-01T10:00:00Z")
    return value.astimezone(dt.UTC)


def parse_report(data: Any, *, source: str = "report") -> AttestationReport:
    """Validate a decoded report; ``InvalidInput`` names every malformed field."""
    try:
        return AttestationReport.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err["loc"]) or "report"
            problem = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                problem = "unknown field (check its spelling against docs/location.md)"
            errors.append({"field": where, "problem": problem})
        raise InvalidInput.from_errors(errors, source=source) from None


def load_report(path: Path) -> AttestationReport:
    """Read and validate a report file (JSON)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", source=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not valid JSON: {exc}", source=str(path)) from None
    return parse_report(data, source=str(path))
