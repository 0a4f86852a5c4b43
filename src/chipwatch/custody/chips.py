"""Chips: register one, move it through its life one event at a time, read its timeline.

Every function takes the caller's session: one business operation is one
``Database.transaction()``, events and audit records included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chipwatch import service
from chipwatch.custody import flags, journal
from chipwatch.custody.model import Chip, ChipEvent, Inspection, Site
from chipwatch.custody.states import FINAL, SERVICE_EVENTS, STATES, allowed_events
from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.licensing.model import Licence

MAX_SERIAL = 100


@dataclass(frozen=True, slots=True)
class NewChip:
    serial: str
    model: str  # a catalog name or alias; stored as the catalog model id
    licence: str | None = None
    order_id: str | None = None
    custodian: str | None = None
    site: str | None = None
    state: str = "manufactured"


@dataclass(frozen=True, slots=True)
class EventRequest:
    serial: str
    event: str
    actor: str
    at: dt.datetime | None = None
    place: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    event_id: str | None = None  # the client's idempotency key
    site: str | None = None  # where the chip is received or installed
    custodian: str | None = None  # who holds the chip from now on


@dataclass(frozen=True, slots=True)
class EventResult:
    chip: Chip
    event: ChipEvent
    repeated: bool  # True: this event_id was recorded before; nothing new was written

    def to_dict(self) -> dict[str, Any]:
        return {
            "chip": self.chip.to_dict(),
            "event": self.event.to_dict(),
            "repeated": self.repeated,
        }


def check_serial(serial: str, at: str = "serial") -> str:
    serial = serial.strip()
    if not serial or len(serial) > MAX_SERIAL or any(c.isspace() for c in serial):
        raise InvalidInput(
            f"a serial is 1–{MAX_SERIAL} characters without spaces, got {serial!r}", field=at
        )
    return serial


def model_id(name: str, at: str = "model") -> str:
    """The catalog id of the model a user names."""
    found = service.default().catalog.find(name)
    if found is None:
        raise InvalidInput(f"unknown accelerator model '{name}'; try `chipwatch catalog`", field=at)
    return found.id


def add_chip(session: Session, new: NewChip, actor: str) -> Chip:
    """Register a chip (its first event, ``registered``). A known serial is a ``Conflict``."""
    journal.require_actor(actor)
    serial = check_serial(new.serial)
    if new.state not in STATES:
        raise InvalidInput(f"must be one of {', '.join(STATES)}", field="state")
    model = model_id(new.model)
    if new.licence is not None and _licence(session, new.licence) is None:
        raise InvalidInput(f"no licence numbered '{new.licence}' is recorded", field="licence")
    if new.site is not None:
        site_or_error(session, new.site, "site")
    if session.scalar(select(Chip.id).where(Chip.serial == serial)) is not None:
        raise Conflict(f"chip {serial} is already registered", field="serial")
    now = dt.datetime.now(dt.UTC)
    chip = Chip(
        serial=serial,
        model=model,
        licence_number=new.licence,
        order_id=new.order_id,
        custodian=new.custodian,
        site_id=new.site,
        state=new.state,
        events=0,
        created_at=now,
    )
    session.add(chip)
    session.flush()
    catalog = service.default().catalog
    journal.record(
        session,
        chip,
        "registered",
        to_state=new.state,
        actor=actor,
        at=now,
        evidence={},
        extra={
            "model": model,
            "licence": new.licence,
            "order_id": new.order_id,
            "site": new.site,
            "catalog": catalog.version,
        },
        first=True,
    )
    return chip


def apply_event(session: Session, request: EventRequest) -> EventResult:
    """Move a chip by one event, or refuse (``Conflict``) naming its state and what may follow.

    A repeated ``event_id`` returns the first result; the same key for another chip or
    event is a ``Conflict``."""
    if request.event_id is not None:
        first = _by_event_id(session, request)
        if first is not None:
            return first
    if request.event in SERVICE_EVENTS:
        raise InvalidInput(
            f"'{request.event}' is recorded by its own command (`custody inspect` for "
            "inspections, the location verifier for check-ins)",
            field="event",
        )
    chip = journal.lock_chip(session, request.serial)
    at = request.at or dt.datetime.now(dt.UTC)
    target = journal.check(session, chip, request.event, at)
    if request.site is not None:
        site_or_error(session, request.site, "site")
        chip.site_id = request.site
    if request.custodian is not None:
        chip.custodian = request.custodian
    if request.event == "installed" and chip.site_id is None:
        raise InvalidInput("say where the chip is installed", field="site")
    row = journal.record(
        session,
        chip,
        request.event,
        to_state=target,
        actor=request.actor,
        at=at,
        place=request.place,
        evidence=request.evidence,
        event_id=request.event_id,
        extra={"site": chip.site_id, "custodian": chip.custodian},
    )
    if request.event == "installed" and chip.site_id is not None:
        chip.last_check_in_at = at  # the check-in clock starts at installation
        flags.check_power(session, chip.site_id, request.actor)
    if request.event == "returned":
        from chipwatch.licensing.shipment_status import release_returned  # licensing uses us

        release_returned(session, chip.serial)
    return EventResult(chip, row, repeated=False)


def _by_event_id(session: Session, request: EventRequest) -> EventResult | None:
    row = session.scalar(select(ChipEvent).where(ChipEvent.event_id == request.event_id))
    if row is None:
        return None
    if (row.serial, row.event) != (request.serial, request.event):
        raise Conflict(
            f"event_id '{request.event_id}' was used for '{row.event}' on chip {row.serial}",
            field="event_id",
        )
    chip = session.scalar(select(Chip).where(Chip.serial == row.serial))
    assert chip is not None
    return EventResult(chip, row, repeated=True)


def get_chip(session: Session, serial: str) -> Chip:
    chip = session.scalar(select(Chip).where(Chip.serial == serial))
    if chip is None:
        raise NotFound(f"no chip with serial '{serial}'", field="serial")
    return chip


def timeline(session: Session, serial: str) -> dict[str, Any]:
    """The chip, its events in order, its inspections, its flags and what may happen next."""
    chip = get_chip(session, serial)
    events = session.scalars(
        select(ChipEvent).where(ChipEvent.serial == serial).order_by(ChipEvent.seq)
    )
    inspections = session.scalars(
        select(Inspection).where(Inspection.serial == serial).order_by(Inspection.id)
    )
    return {
        **chip.to_dict(),
        "allowed_next": [] if chip.state in FINAL else allowed_events(chip.state),
        "timeline": [e.to_dict() for e in events],
        "inspections": [i.to_dict() for i in inspections],
        "flags": [f.to_dict() for f in flags.list_flags(session, serial=serial, limit=1000)[0]],
    }


def list_chips(
    session: Session,
    *,
    state: str | None = None,
    site: str | None = None,
    licence: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Chip], int]:
    """Chips by serial, filtered; with the total count of the filter."""
    if state is not None and state not in STATES:
        raise InvalidInput(f"must be one of {', '.join(STATES)}", field="state")
    query = select(Chip)
    if state is not None:
        query = query.where(Chip.state == state)
    if site is not None:
        query = query.where(Chip.site_id == site)
    if licence is not None:
        query = query.where(Chip.licence_number == licence)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    chips = session.scalars(query.order_by(Chip.serial).limit(limit).offset(offset))
    return list(chips), total


def site_or_error(session: Session, site_id: str, at: str) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise InvalidInput(f"no site '{site_id}' is recorded", field=at)
    return site


def _licence(session: Session, number: str) -> Licence | None:
    return session.scalar(select(Licence).where(Licence.number == number))
