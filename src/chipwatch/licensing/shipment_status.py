"""A shipment's life after it is booked: dispatch, delivery, cancellation, blocking.

pending → shipped (dispatched, in transit) → delivered; pending or shipped → cancelled
(a reversal of its draw-down and fees, its serials released); a suspended or revoked
licence blocks its pending shipments at once (blocked → shipped once the licence is active
again, or → cancelled). Every change is an appended ``shipment_events`` row with its audit
record, made under the licence's row lock (the lock ``ship`` and suspensions take).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, lazyload

from chipwatch import clock
from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.licensing import fees
from chipwatch.licensing.ledger_model import (
    LicenceDrawdown,
    Shipment,
    ShipmentEvent,
    ShipmentSerial,
)
from chipwatch.licensing.model import Licence
from chipwatch.licensing.shipment_checks import expired_reason
from chipwatch.licensing.shipment_views import load_view
from chipwatch.licensing.versions import reference_versions
from chipwatch.store import Database, audit

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "dispatch": (frozenset({"pending", "blocked"}), "shipped"),
    "deliver": (frozenset({"shipped"}), "delivered"),
    "cancel": (frozenset({"pending", "blocked", "shipped"}), "cancelled"),
}


def cancel_shipment(db: Database, shipment_id: int, actor: str, reason: str) -> dict[str, Any]:
    """Cancel a shipment not yet delivered: reverse its draw-down and fees, free its serials."""
    if not reason.strip():
        raise InvalidInput("say why the shipment is cancelled", field="reason")
    return _change(db, shipment_id, "cancel", actor, reason)


def dispatch_shipment(
    db: Database, shipment_id: int, actor: str, reason: str = ""
) -> dict[str, Any]:
    """The shipment left (in transit); only under a licence that is active."""
    return _change(db, shipment_id, "dispatch", actor, reason or "dispatched")


def deliver_shipment(
    db: Database, shipment_id: int, actor: str, reason: str = ""
) -> dict[str, Any]:
    """The shipment reached its consignee."""
    return _change(db, shipment_id, "deliver", actor, reason or "delivered")


def _change(db: Database, shipment_id: int, action: str, actor: str, reason: str) -> dict[str, Any]:
    if not actor.strip():
        raise InvalidInput("name who acts (the actor)", field="actor")
    allowed_from, to_status = TRANSITIONS[action]
    with db.transaction() as session:
        licence_id = session.scalar(select(Shipment.licence_id).where(Shipment.id == shipment_id))
        if licence_id is None:
            raise NotFound(f"no shipment {shipment_id}", field="shipment_id")
        licence = _locked(session, Licence, licence_id)
        shipment = _locked(session, Shipment, shipment_id)
        current = shipment.status
        if current not in allowed_from:
            raise Conflict(
                f"shipment {shipment_id} is {current}: it cannot be {_past(action)}",
                field="status",
            )
        if action == "dispatch":
            _require_shippable(licence, shipment)
        draw = _draw_of(session, shipment) if action == "cancel" else None
        payload: dict[str, Any] = {
            "shipment_id": shipment_id,
            "from_status": current,
            "to_status": to_status,
            "reason": reason,
        }
        if draw is not None:
            payload["reversal"] = {"quantity": -draw.quantity, "value": -draw.value}
        record = audit.append(
            session,
            actor=actor,
            action=f"shipment.{action}",
            subject=licence.number,
            payload=payload,
            versions={**reference_versions(), "shipment": shipment.versions},
        )
        now = record.at
        if draw is not None:
            _reverse(session, shipment, draw, actor=actor, at=now, audit_seq=record.seq)
        shipment.status = to_status
        session.add(
            ShipmentEvent(
                shipment_id=shipment_id,
                status=to_status,
                at=now,
                actor=actor,
                reason=reason,
                audit_seq=record.seq,
            )
        )
        session.flush()
        return load_view(session, shipment_id)


def _past(action: str) -> str:
    return {"dispatch": "dispatched", "deliver": "delivered", "cancel": "cancelled"}[action]


def _locked(session: Session, model: type[Any], row_id: int) -> Any:
    query = select(model).where(model.id == row_id).with_for_update()
    if model is Licence:
        query = query.options(lazyload(Licence.actions))
    return session.scalars(query.execution_options(populate_existing=True)).one()


def _require_shippable(licence: Licence, shipment: Shipment) -> None:
    """Active as recorded and today (its ship date is the order's, the client's word)."""
    if licence.status != "active":
        raise Conflict(
            f"licence {licence.number} is {licence.status}: shipment {shipment.id} cannot leave",
            field="licence.status",
        )
    expired = expired_reason(licence, clock.utc_today())
    if expired is not None:
        raise Conflict(
            f"{expired.problem}: shipment {shipment.id} cannot leave",
            field=expired.field,
            errors=[expired.to_dict()],
        )
    if not licence.in_window(shipment.ship_date):
        raise Conflict(
            f"shipment {shipment.id} is dated {shipment.ship_date}, outside licence "
            f"{licence.number}'s window {licence.valid_from} – {licence.valid_to}",
            field="ship_date",
        )


def _draw_of(session: Session, shipment: Shipment) -> LicenceDrawdown:
    return session.scalars(
        select(LicenceDrawdown).where(
            LicenceDrawdown.shipment_id == shipment.id, LicenceDrawdown.kind == "draw"
        )
    ).one()


def _reverse(
    session: Session,
    shipment: Shipment,
    draw: LicenceDrawdown,
    *,
    actor: str,
    at: dt.datetime,
    audit_seq: int,
) -> None:
    session.add(
        LicenceDrawdown(
            licence_id=draw.licence_id,
            shipment_id=shipment.id,
            kind="reversal",
            quantity=-draw.quantity,
            value=-draw.value,
            at=at,
            audit_seq=audit_seq,
        )
    )
    fees.reverse(session, shipment, actor=actor, at=at, audit_seq=audit_seq)
    session.execute(
        update(ShipmentSerial)
        .where(ShipmentSerial.shipment_id == shipment.id)
        .values(released=True)
    )


def release_returned(session: Session, serial: str) -> int:
    """A chip sent back to the exporter leaves the shipment that took it out (shipped or
    delivered), so it may ship again once re-inspected; the number of entries released."""
    left = select(Shipment.id).where(Shipment.status.in_(("shipped", "delivered")))
    result = session.execute(
        update(ShipmentSerial)
        .where(
            ShipmentSerial.serial == serial,
            ~ShipmentSerial.released,
            ShipmentSerial.shipment_id.in_(left.scalar_subquery()),
        )
        .values(released=True)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def pending_shipment_ids(session: Session, licence_id: int) -> list[int]:
    """Shipments booked under the licence that have not left."""
    query = select(Shipment.id).where(
        Shipment.licence_id == licence_id, Shipment.status == "pending"
    )
    return list(session.scalars(query.order_by(Shipment.id)))


def block_pending(
    session: Session, licence: Licence, ids: list[int], *, actor: str, reason: str, audit_seq: int
) -> None:
    """Block the licence's pending shipments ``ids`` (under the licence lock the caller holds)."""
    if not ids:
        return
    now = dt.datetime.now(dt.UTC)
    session.execute(update(Shipment).where(Shipment.id.in_(ids)).values(status="blocked"))
    session.add_all(
        ShipmentEvent(
            shipment_id=shipment_id,
            status="blocked",
            at=now,
            actor=actor,
            reason=f"licence {licence.number} {licence.status}: {reason}",
            audit_seq=audit_seq,
        )
        for shipment_id in ids
    )
    session.flush()
