"""Appending one event to a chip: check the transition, move the chip, write the event and
its audit record, all in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chipwatch import clock
from chipwatch.custody.model import Chip, ChipEvent, CustodyFlag, CustodyFlagDisposition, Inspection
from chipwatch.custody.states import HELD, PREVIOUS, SAME, TRANSITIONS, Context, refusal
from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.licensing.model import Licence
from chipwatch.store import audit


def lock_chip(session: Session, serial: str) -> Chip:
    """The chip, row-locked for the rest of the transaction (PostgreSQL)."""
    chip = session.scalar(select(Chip).where(Chip.serial == serial).with_for_update())
    if chip is None:
        raise NotFound(f"no chip with serial '{serial}'", field="serial")
    return chip


def context(session: Session, chip: Chip, on: dt.date) -> Context:
    """What the guards need: latest inspection, licence status and conditions, open flags."""
    inspection = session.scalar(
        select(Inspection.result)
        .where(Inspection.serial == chip.serial)
        .order_by(Inspection.id.desc())
        .limit(1)
    )
    status: str | None = None
    testing = False
    if chip.licence_number is not None:
        licence = session.scalar(select(Licence).where(Licence.number == chip.licence_number))
        if licence is not None:
            status = licence.effective_status(on)
            testing = bool((licence.conditions or {}).get("third_party_testing"))
    return Context(
        inspection=inspection,
        licence=chip.licence_number,
        licence_status=status,
        requires_testing=testing,
        open_flags=len(open_flag_ids(session, chip.serial)),
    )


def open_flag_ids(session: Session, serial: str) -> list[int]:
    """Flags on the chip with no disposition yet."""
    disposed = select(CustodyFlagDisposition.flag_id)
    return list(
        session.scalars(
            select(CustodyFlag.id)
            .where(CustodyFlag.serial == serial, CustodyFlag.id.not_in(disposed))
            .order_by(CustodyFlag.id)
        )
    )


def check(session: Session, chip: Chip, event: str, at: dt.datetime) -> str:
    """The state ``event`` moves the chip to; a ``Conflict`` naming why if it may not.

    The licence is judged on the later of ``at`` (the client's word) and today: a backdated
    event cannot slip past an expiry, a future-dated one is judged on its own date."""
    on = max(at.date(), clock.utc_today())
    problem = refusal(chip.state, event, context(session, chip, on))
    if problem is not None:
        raise Conflict(f"chip {chip.serial}: {problem}", field="event")
    target = TRANSITIONS[event].target
    if target == SAME:
        return chip.state
    if target == PREVIOUS:
        return state_before_hold(session, chip)
    return target


def state_before_hold(session: Session, chip: Chip) -> str:
    """The state the chip was in before its current run of flagged/quarantined states."""
    events = session.scalars(
        select(ChipEvent.from_state)
        .where(ChipEvent.serial == chip.serial, ChipEvent.to_state.in_(HELD))
        .where(ChipEvent.from_state.is_not(None))
        .order_by(ChipEvent.seq.desc())
    )
    for previous in events:
        if previous is not None and previous not in HELD:
            return previous
    return "manufactured"


def record(
    session: Session,
    chip: Chip,
    event: str,
    *,
    to_state: str,
    actor: str,
    at: dt.datetime | None = None,
    place: str | None = None,
    evidence: Mapping[str, Any] | None = None,
    event_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
    first: bool = False,
) -> ChipEvent:
    """Append the event (the chip row must be locked) and its ``custody.<event>`` record;
    ``first``: the chip's first event (no state before it)."""
    require_actor(actor)
    when = at or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        raise InvalidInput("give a timezone-aware instant", field="at")
    from_state = None if first else chip.state
    audit_record = audit.append(
        session,
        actor=actor,
        action=f"custody.{event}",
        subject=chip.serial,
        payload={
            "event": event,
            "from_state": from_state,
            "to_state": to_state,
            "at": when,
            "place": place,
            "evidence": dict(evidence or {}),
            "event_id": event_id,
            **dict(extra or {}),
        },
    )
    chip.events += 1
    chip.state = to_state
    row = ChipEvent(
        serial=chip.serial,
        seq=chip.events,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        at=when,
        place=place,
        evidence=dict(audit_record.payload["evidence"]),
        event_id=event_id,
        audit_seq=audit_record.seq,
    )
    session.add(row)
    session.flush()
    return row


def require_actor(actor: str) -> None:
    if not actor.strip():
        raise InvalidInput("an actor is required", field="actor")
