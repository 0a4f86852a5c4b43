"""The custody flag queue: a flag opens a case on a chip and marks it ``flagged``; an
officer clears or confirms it (appended, never edited). Also the checks that raise flags:
silence past a site's check-in interval, a site drawing more power than it declared, a
check-in far from where the chip was delivered, and the check-ins themselves.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chipwatch import service
from chipwatch.custody import journal
from chipwatch.custody.model import Chip, ChipEvent, CustodyFlag, CustodyFlagDisposition, Site
from chipwatch.custody.states import FINAL, TRANSITIONS
from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.store import Database, audit
from chipwatch.store.canonical import iso_utc

KINDS: Final = (
    "attestation_inconsistent",
    "attestation_invalid",
    "key_reused",
    "silent",
    "power_exceeded",
    "far_from_delivery",
    "attested_after_decommission",
)
ONE_OPEN_PER_CHIP: Final = frozenset({"silent", "power_exceeded"})  # conditions, not incidents
STATUSES: Final = ("open", "cleared", "confirmed")
VERDICTS: Final = ("proven", "consistent", "inconsistent", "invalid")
AT_SITE: Final = ("received", "installed", "attested", "flagged", "quarantined")
CHECKING_IN: Final = ("installed", "attested")
EARTH_RADIUS_KM: Final = 6371.0088


@dataclass(frozen=True, slots=True)
class FlagView:
    flag: CustodyFlag
    dispositions: tuple[CustodyFlagDisposition, ...]

    @property
    def status(self) -> str:
        return self.dispositions[-1].status if self.dispositions else "open"

    def to_dict(self) -> dict[str, Any]:
        f = self.flag
        return {
            "id": f.id,
            "serial": f.serial,
            "site": f.site_id,
            "kind": f.kind,
            "status": self.status,
            "detail": f.detail,
            "opened_at": iso_utc(f.opened_at),
            "actor": f.actor,
            "audit_seq": f.audit_seq,
            "dispositions": [
                {"status": d.status, "reason": d.reason, "actor": d.actor, "at": iso_utc(d.at)}
                for d in self.dispositions
            ],
        }


def raise_flag(
    session: Session,
    serial: str,
    kind: str,
    detail: Mapping[str, Any],
    actor: str,
    *,
    site_id: str | None = None,
) -> CustodyFlag:
    """Open a case on the chip and mark it ``flagged`` (a quarantined or decommissioned chip
    keeps its state). ``silent`` and ``power_exceeded`` open at most one case per chip."""
    if kind not in KINDS:
        raise InvalidInput(f"must be one of {', '.join(KINDS)}", field="kind")
    journal.require_actor(actor)
    chip = journal.lock_chip(session, serial)
    if kind in ONE_OPEN_PER_CHIP:
        for flag_id in journal.open_flag_ids(session, serial):
            existing = session.get(CustodyFlag, flag_id)
            if existing is not None and existing.kind == kind:
                return existing
    now = dt.datetime.now(dt.UTC)
    record = audit.append(
        session,
        actor=actor,
        action="custody.flag",
        subject=serial,
        payload={"kind": kind, "detail": dict(detail), "site": site_id, "state": chip.state},
    )
    flag = CustodyFlag(
        serial=serial,
        site_id=site_id or chip.site_id,
        kind=kind,
        detail=dict(record.payload["detail"]),
        opened_at=now,
        actor=actor,
        audit_seq=record.seq,
    )
    session.add(flag)
    session.flush()
    if chip.state in TRANSITIONS["flagged"].sources:
        journal.record(
            session,
            chip,
            "flagged",
            to_state="flagged",
            actor=actor,
            at=now,
            evidence={"flag_id": flag.id, "kind": kind},
        )
    return flag


def dispose_flag(session: Session, flag_id: int, status: str, reason: str, actor: str) -> FlagView:
    """Clear (no problem after all) or confirm a flag, with a reason. When the last open
    flag of a flagged chip is cleared, the chip goes back to the state it had before."""
    if status not in ("cleared", "confirmed"):
        raise InvalidInput("must be 'cleared' or 'confirmed'", field="status")
    if not reason.strip():
        raise InvalidInput("a reason is required", field="reason")
    journal.require_actor(actor)
    view = get_flag(session, flag_id)
    if view.status != "open":
        raise Conflict(f"flag {flag_id} is already {view.status}", field="status")
    serial = view.flag.serial
    chip = journal.lock_chip(session, serial) if serial is not None else None
    record = audit.append(
        session,
        actor=actor,
        action=f"custody.flag.{status}",
        subject=serial or f"flag {flag_id}",
        payload={"flag_id": flag_id, "kind": view.flag.kind, "reason": reason.strip()},
    )
    session.add(
        CustodyFlagDisposition(
            flag_id=flag_id,
            status=status,
            reason=reason.strip(),
            actor=actor,
            at=dt.datetime.now(dt.UTC),
            audit_seq=record.seq,
        )
    )
    session.flush()
    if (
        chip is not None
        and status == "cleared"
        and chip.state == "flagged"
        and not journal.open_flag_ids(session, chip.serial)
    ):
        journal.record(
            session,
            chip,
            "cleared",
            to_state=journal.state_before_hold(session, chip),
            actor=actor,
            evidence={"flag_id": flag_id, "reason": reason.strip()},
        )
    return get_flag(session, flag_id)


def get_flag(session: Session, flag_id: int) -> FlagView:
    flag = session.get(CustodyFlag, flag_id)
    if flag is None:
        raise NotFound(f"no custody flag {flag_id}", field="flag")
    dispositions = session.scalars(
        select(CustodyFlagDisposition)
        .where(CustodyFlagDisposition.flag_id == flag_id)
        .order_by(CustodyFlagDisposition.id)
    )
    return FlagView(flag, tuple(dispositions))


def list_flags(
    session: Session,
    *,
    status: str | None = None,
    serial: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[FlagView], int]:
    """Flags, newest first, filtered; with the total count of the filter."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"must be one of {', '.join(STATUSES)}", field="status")
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"must be one of {', '.join(KINDS)}", field="kind")
    latest = (
        select(CustodyFlagDisposition.flag_id, func.max(CustodyFlagDisposition.id).label("last"))
        .group_by(CustodyFlagDisposition.flag_id)
        .subquery()
    )
    query = select(CustodyFlag.id).outerjoin(latest, latest.c.flag_id == CustodyFlag.id)
    if serial is not None:
        query = query.where(CustodyFlag.serial == serial)
    if kind is not None:
        query = query.where(CustodyFlag.kind == kind)
    if status == "open":
        query = query.where(latest.c.last.is_(None))
    elif status is not None:
        query = query.join(
            CustodyFlagDisposition, CustodyFlagDisposition.id == latest.c.last
        ).where(CustodyFlagDisposition.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ids = session.scalars(query.order_by(CustodyFlag.id.desc()).limit(limit).offset(offset))
    return [get_flag(session, i) for i in ids], total


def check_silent(db: Database, now: dt.datetime, actor: str = "chipwatch") -> list[int]:
    """Flag every installed chip whose last check-in (or installation) is older than its
    site's check-in interval; the ids of the flags opened (or already open)."""
    opened: list[int] = []
    with db.transaction() as session:
        for site in session.scalars(select(Site).order_by(Site.id)):
            cutoff = now - dt.timedelta(hours=site.check_in_hours)
            silent = session.execute(
                select(Chip.serial, Chip.last_check_in_at)
                .where(Chip.site_id == site.id, Chip.state.in_(CHECKING_IN))
                .where((Chip.last_check_in_at < cutoff) | Chip.last_check_in_at.is_(None))
                .order_by(Chip.serial)
            ).all()
            for serial, last in silent:
                detail = {
                    "site": site.id,
                    "last_check_in_at": None if last is None else iso_utc(last),
                    "interval_hours": site.check_in_hours,
                    "checked_at": iso_utc(now),
                }
                opened.append(raise_flag(session, serial, "silent", detail, actor).id)
    return opened


def check_power(session: Session, site_id: str, actor: str) -> list[int]:
    """Flag the newest chips at a site beyond what its declared power can run (chip count ×
    catalog TDP); the ids of the flags opened (or already open)."""
    site = session.get(Site, site_id)
    if site is None or site.declared_mw is None:
        return []
    catalog = service.default().catalog
    chips = session.execute(
        select(Chip.serial, Chip.model)
        .where(Chip.site_id == site_id, Chip.state.in_(AT_SITE))
        .order_by(Chip.id)
    ).all()
    watts = [_tdp(catalog.models.get(model)) for _, model in chips]
    limit_w = site.declared_mw * 1_000_000
    total = sum(watts)
    excess: list[str] = []
    for (serial, _), w in zip(reversed(chips), reversed(watts), strict=True):
        if total <= limit_w:
            break
        excess.append(serial)
        total -= w
    detail = {
        "site": site_id,
        "declared_mw": site.declared_mw,
        "chips_at_site": len(chips),
        "draw_mw": round(sum(watts) / 1_000_000, 3),
    }
    return [raise_flag(session, s, "power_exceeded", detail, actor).id for s in excess]


def _tdp(model: Any) -> float:
    return float(model.tdp_w) if model is not None and model.tdp_w else 0.0


@dataclass(frozen=True, slots=True)
class CheckIn:
    """What ``record_attestation`` did: the event appended and/or the flags raised."""

    event: ChipEvent | None
    flags: tuple[CustodyFlag, ...]
    repeated: bool = False


def record_attestation(
    session: Session,
    serial: str,
    site_id: str,
    verdict: str,
    report_hash: str,
    at: dt.datetime,
    actor: str,
) -> CheckIn:
    """A verified location report: ``proven``/``consistent`` appends ``attested`` (or
    ``checked_in`` if the chip is not installed) and counts as a check-in; ``inconsistent``
    and ``invalid`` raise flags, as does a good report on a decommissioned chip
    (``attested_after_decommission``: it should not be running). A report recorded before
    (same hash) changes nothing."""
    if verdict not in VERDICTS:
        raise InvalidInput(f"must be one of {', '.join(VERDICTS)}", field="verdict")
    event_id = f"attestation:{report_hash}"
    seen = session.scalar(select(ChipEvent).where(ChipEvent.event_id == event_id))
    if seen is not None:
        return CheckIn(seen, (), repeated=True)
    chip = journal.lock_chip(session, serial)
    detail = {"site": site_id, "verdict": verdict, "report_hash": report_hash, "at": iso_utc(at)}
    if verdict in ("inconsistent", "invalid"):
        kind = f"attestation_{verdict}"
        return CheckIn(None, (raise_flag(session, serial, kind, detail, actor, site_id=site_id),))
    if chip.state in FINAL:
        kind = "attested_after_decommission"
        detail["state"] = chip.state
        return CheckIn(None, (raise_flag(session, serial, kind, detail, actor, site_id=site_id),))
    event = "attested" if chip.state in CHECKING_IN else "checked_in"
    to_state = journal.check(session, chip, event, at)
    row = journal.record(
        session,
        chip,
        event,
        to_state=to_state,
        actor=actor,
        at=at,
        evidence=detail,
        event_id=event_id,
    )
    chip.last_check_in_at = at
    raised = _far_from_delivery(session, chip, site_id, detail, actor)
    return CheckIn(row, raised)


def _far_from_delivery(
    session: Session, chip: Chip, site_id: str, detail: dict[str, Any], actor: str
) -> tuple[CustodyFlag, ...]:
    if chip.site_id is None or chip.site_id == site_id:
        return ()
    delivered, claimed = session.get(Site, chip.site_id), session.get(Site, site_id)
    if delivered is None or claimed is None:
        raise InvalidInput(f"no site '{site_id}' is recorded", field="site")
    km = great_circle_km(delivered.lat, delivered.lon, claimed.lat, claimed.lon)
    if km <= delivered.radius_km:
        return ()
    far = {
        **detail,
        "delivered_to": delivered.id,
        "distance_km": round(km, 1),
        "radius_km": delivered.radius_km,
    }
    return (raise_flag(session, chip.serial, "far_from_delivery", far, actor, site_id=site_id),)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on the mean-radius sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
