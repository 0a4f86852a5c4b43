"""Database mode: landmarks, sites and chip keys from the custody tables; the verdict is
recorded (``proven``/``consistent`` → ``record_attestation``, otherwise ``raise_flag``) and
the used nonces are remembered, all in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chipwatch.custody import model as custody
from chipwatch.custody.flags import raise_flag, record_attestation
from chipwatch.location.explain import LocationVerdict
from chipwatch.location.nonce_model import AttestationNonce
from chipwatch.location.nonces import NonceUse
from chipwatch.location.reference import Landmark, Reference, Site
from chipwatch.location.report import AttestationReport
from chipwatch.location.signatures import public_key_from_hex
from chipwatch.location.verify import Policy, verify_report
from chipwatch.store import Database, audit

FLAG_DETAIL: tuple[str, ...] = ("verdict", "reason", "deciding_landmark", "rtt_ms", "bound_km")
FLAG_DETAIL += ("distance_km", "margin_km", "proven_radius_km", "site_radius_km")
FLAG_DETAIL += ("report_sha256", "checked_at")


class DatabaseNonceStore:
    """Nonces in ``attestation_nonces``, inside the caller's transaction."""

    def __init__(self, session: Session):
        self.session = session

    def seen(self, nonces: Iterable[str]) -> set[str]:
        wanted = sorted({n.lower() for n in nonces})
        found = self.session.scalars(
            select(AttestationNonce.nonce).where(AttestationNonce.nonce.in_(wanted))
        )
        return set(found)

    def remember(self, uses: Iterable[NonceUse]) -> set[str]:
        lost: set[str] = set()
        for use in uses:
            row = AttestationNonce(
                nonce=use.nonce.lower(), serial=use.serial, landmark=use.landmark, at=use.at
            )
            try:
                with self.session.begin_nested():  # a concurrent twin wins: this one is a replay
                    self.session.add(row)
            except IntegrityError:
                lost.add(row.nonce)
        return lost


def load_reference(session: Session, report: AttestationReport) -> Reference:
    """The report's landmarks and claimed site, and the chip's enrolled key."""
    names = sorted({m.landmark for m in report.measurements})
    landmarks = {
        row.id: Landmark(row.id, row.lat, row.lon, _key(row.public_key), row.vetting)
        for row in session.scalars(select(custody.Landmark).where(custody.Landmark.id.in_(names)))
    }
    sites: dict[str, Site] = {}
    site = session.get(custody.Site, report.claimed_site)
    if site is not None:
        sites[site.id] = Site(site.id, site.lat, site.lon, site.radius_km)
    chip_key = session.scalar(
        select(custody.Chip.public_key).where(custody.Chip.serial == report.serial)
    )
    key = _key(chip_key)
    return Reference(landmarks, sites, {report.serial: key} if key else {})


def verify_and_record(
    database: Database, report: AttestationReport, policy: Policy, *, actor: str
) -> LocationVerdict:
    """Verify against the database and record the outcome; ``document["recorded"]`` says
    what was written (None for a chip the database does not know)."""
    with database.transaction() as session:
        digest = report.sha256()
        event_id = f"attestation:{digest}"
        repeated = session.scalar(
            select(custody.ChipEvent.id).where(custody.ChipEvent.event_id == event_id)
        )
        # The same report sent again (a retry) is judged again without counting its own nonces
        # as replayed; record_attestation then recognises it and changes nothing.
        nonces = None if repeated is not None else DatabaseNonceStore(session)
        result = verify_report(report, load_reference(session, report), policy, nonces)
        document = result.document
        known_chip = session.scalar(
            select(custody.Chip.id).where(custody.Chip.serial == report.serial)
        )
        recorded: dict[str, Any] | None = None
        if known_chip is not None:
            recorded = _record(session, report, result, policy, actor)
        compact = {k: v for k, v in document.items() if k != "feasible_region"}
        entry = audit.append(
            session, actor=actor, action="location.verify", subject=report.serial, payload=compact
        )
        document = {**document, "recorded": recorded, "audit_seq": entry.seq}
    return LocationVerdict(result.verdict, result.reason, document)


def _record(
    session: Session,
    report: AttestationReport,
    result: LocationVerdict,
    policy: Policy,
    actor: str,
) -> dict[str, Any]:
    document = result.document
    if result.verdict in ("proven", "consistent"):
        check_in = record_attestation(
            session,
            report.serial,
            report.claimed_site,
            result.verdict,
            document["report_sha256"],
            policy.now,
            actor,
        )
        return {
            "attestation_event": check_in.event.seq if check_in.event else None,
            "flags": [flag.id for flag in check_in.flags],
            "repeated": check_in.repeated,
        }
    detail = {key: document[key] for key in FLAG_DETAIL}
    detail["problems"] = document["problems"][:20]
    site_id = report.claimed_site if document["site_radius_km"] is not None else None
    kind = f"attestation_{result.verdict}"
    flag = raise_flag(session, report.serial, kind, detail, actor, site_id=site_id)
    return {"attestation_event": None, "flags": [flag.id], "repeated": False}


def _key(text: str | None) -> Ed25519PublicKey | None:
    if not text:
        return None
    try:
        return public_key_from_hex(text)
    except ValueError:
        return None  # an unusable enrolled key counts as no key: the report is invalid
