"""Judge one attestation report: trust checks first, then the shared geometric verdict."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from chipwatch.location.explain import LocationVerdict, explain
from chipwatch.location.nonces import NonceStore, NonceUse
from chipwatch.location.reference import TRUSTED_STATUSES, Reference
from chipwatch.location.report import AttestationReport, Measurement
from chipwatch.location.signatures import chip_message, landmark_message, signature_problem
from chipwatch.location.verdicts import DEFAULT_TOLERANCE_KM, verify_batch

DEFAULT_MAX_AGE = dt.timedelta(minutes=10)
DEFAULT_FUTURE_SKEW = dt.timedelta(seconds=30)
MIN_NONCE_BYTES = 16


@dataclass(frozen=True)
class Policy:
    """How strictly to judge. ``now`` is when the report was received."""

    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    check_signatures: bool = True
    max_age: dt.timedelta = DEFAULT_MAX_AGE
    future_skew: dt.timedelta = DEFAULT_FUTURE_SKEW
    tolerance_km: float = DEFAULT_TOLERANCE_KM


def verify_report(
    report: AttestationReport,
    reference: Reference,
    policy: Policy | None = None,
    nonces: NonceStore | None = None,
) -> LocationVerdict:
    """The verdict with its explanation. Without ``check_signatures`` only geometry (and
    ``rtt_ms > 0``, known landmarks and site) is judged; nonces are then neither checked nor
    remembered."""
    policy = policy or Policy()
    report_problems: list[str] = []
    site = reference.sites.get(report.claimed_site)
    if site is None:
        report_problems.append(f"claimed_site: unknown site {report.claimed_site!r}")
    problems = [_landmark_problems(m, reference) for m in report.measurements]
    if policy.check_signatures:
        report_problems += _trust_problems(report, reference, policy, nonces, problems)

    known = [reference.landmarks.get(m.landmark) for m in report.measurements]
    lat = np.array([[lm.lat if lm else np.nan for lm in known]])
    lon = np.array([[lm.lon if lm else np.nan for lm in known]])
    rtt = np.array([[m.rtt_ms for m in report.measurements]])
    notes = [_ignored(m, reference) for m in report.measurements]
    # rtt_ms <= 0 is verify_batch's to judge
    present = np.array([[not p and not n for p, n in zip(problems, notes, strict=True)]])
    refused = bool(report_problems) or any(problems)
    batch = verify_batch(
        lat,
        lon,
        rtt,
        [site.lat if site else np.nan],
        [site.lon if site else np.nan],
        [site.radius_km if site else np.nan],
        present=present,
        refused=[refused],
        tolerance_km=policy.tolerance_km,
    )
    for index, m in enumerate(report.measurements):
        if not m.rtt_ms > 0:
            problems[index].append(f"rtt_ms is {m.rtt_ms:g}: a round trip takes positive time")
    return explain(report, site, batch, lat[0], lon[0], problems, notes, report_problems, policy)


def _landmark_problems(m: Measurement, reference: Reference) -> list[str]:
    landmark = reference.landmarks.get(m.landmark)
    if landmark is None:
        return [f"unknown landmark {m.landmark!r}"]
    if landmark.status == "revoked":
        return [f"landmark {m.landmark!r} is revoked"]
    return []


def _ignored(m: Measurement, reference: Reference) -> str | None:
    """Why a measurement is left out of the geometry without making the report invalid."""
    landmark = reference.landmarks.get(m.landmark)
    if landmark is None or landmark.status in TRUSTED_STATUSES or landmark.status == "revoked":
        return None
    return f"landmark {m.landmark!r} is {landmark.status}, not vetted: measurement not used"


def _trust_problems(
    report: AttestationReport,
    reference: Reference,
    policy: Policy,
    nonces: NonceStore | None,
    problems: list[list[str]],
) -> list[str]:
    """Signatures, nonce length, freshness and replay; appends to ``problems`` per
    measurement and returns the report-level ones."""
    chip_key = reference.chip_keys.get(report.serial)
    report_problems = [] if chip_key else [f"serial: no enrolled key for chip {report.serial!r}"]
    counts: dict[str, int] = {}
    for m in report.measurements:
        counts[m.nonce.lower()] = counts.get(m.nonce.lower(), 0) + 1
    replayed = nonces.seen(counts) if nonces else set()
    signed: list[NonceUse] = []
    for m, found in zip(report.measurements, problems, strict=True):
        nonce = m.nonce.lower()
        if len(nonce) // 2 < MIN_NONCE_BYTES:
            found.append(f"nonce has {len(nonce) // 2} bytes, at least {MIN_NONCE_BYTES} needed")
        if counts[nonce] > 1:
            found.append("nonce appears more than once in this report (replayed)")
        if nonce in replayed:
            found.append("nonce was already used (replayed)")
        age = policy.now - m.instant
        if age > policy.max_age:
            found.append(f"measured_at is {_minutes(age)} old (max {_minutes(policy.max_age)})")
        elif -age > policy.future_skew:
            found.append(f"measured_at is {_minutes(-age)} in the future")
        chip_ok = chip_key is not None and _check(
            found,
            "chip_signature",
            chip_key,
            m.chip_signature,
            chip_message(m.nonce, report.serial),
        )
        landmark = reference.landmarks.get(m.landmark)
        landmark_ok = False
        if landmark is not None and landmark.public_key is None:
            found.append(f"landmark {m.landmark!r} has no enrolled key")
        elif landmark is not None and landmark.public_key is not None:
            message = landmark_message(report.serial, m)
            landmark_ok = _check(
                found, "landmark_signature", landmark.public_key, m.landmark_signature, message
            )
        if chip_ok and landmark_ok and nonce not in replayed and counts[nonce] == 1:
            signed.append(NonceUse(nonce, report.serial, m.landmark, policy.now))
    lost = nonces.remember(signed) if nonces else set()
    for m, found in zip(report.measurements, problems, strict=True):
        if m.nonce.lower() in lost:
            found.append("nonce was already used (replayed)")
    return report_problems


def _check(
    found: list[str], name: str, key: Ed25519PublicKey, signature: str | None, msg: bytes
) -> bool:
    problem = signature_problem(key, signature, msg)
    if problem:
        found.append(f"{name} {problem}")
    return problem is None


def _minutes(delta: dt.timedelta) -> str:
    seconds = delta.total_seconds()
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"
