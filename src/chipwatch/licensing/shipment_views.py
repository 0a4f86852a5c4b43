"""Reading shipments: one with its serials, events, draw-downs and fees; pages of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from chipwatch.errors import InvalidInput, NotFound
from chipwatch.licensing.ledger_model import (
    SHIPMENT_STATUSES,
    FeeEntry,
    LicenceDrawdown,
    Shipment,
    ShipmentEvent,
    ShipmentSerial,
)
from chipwatch.licensing.model import Licence
from chipwatch.store import Database
from chipwatch.store.canonical import iso_utc


def summary(shipment: Shipment, licence_number: str) -> dict[str, Any]:
    """The shipment without its serials, events and ledger entries."""
    return {
        "id": shipment.id,
        "licence": licence_number,
        "licensee": shipment.licensee,
        "order_id": shipment.order_id,
        "model": shipment.model_id,
        "eccn": shipment.eccn,
        "quantity": shipment.quantity,
        "unit_price_usd": str(shipment.unit_price),
        "value_usd": str(shipment.value),
        "ship_date": shipment.ship_date.isoformat(),
        "period": shipment.period,
        "destination": shipment.destination,
        "end_user": shipment.end_user,
        "status": shipment.status,
        "decision_outcome": shipment.decision_outcome,
        "created_at": iso_utc(shipment.created_at),
        "actor": shipment.actor,
    }


def full_view(
    shipment: Shipment,
    licence_number: str,
    *,
    serials: Sequence[ShipmentSerial],
    events: Sequence[ShipmentEvent],
    drawdowns: Sequence[LicenceDrawdown],
    fees: Sequence[FeeEntry],
) -> dict[str, Any]:
    return {
        **summary(shipment, licence_number),
        "serials": [s.serial for s in serials],
        "events": [e.to_dict() for e in events],
        "drawdowns": [d.to_dict() for d in drawdowns],
        "fees": [f.to_dict() for f in fees],
        "versions": shipment.versions,
    }


def load_view(session: Session, shipment_id: int) -> dict[str, Any]:
    """One shipment, whole; NotFound if there is none with that id."""
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(f"no shipment {shipment_id}", field="shipment_id")
    number = session.scalar(select(Licence.number).where(Licence.id == shipment.licence_id))

    def rows(model: Any) -> list[Any]:
        query = select(model).where(model.shipment_id == shipment_id).order_by(model.id)
        return list(session.scalars(query))

    return full_view(
        shipment,
        number or "",
        serials=rows(ShipmentSerial),
        events=rows(ShipmentEvent),
        drawdowns=rows(LicenceDrawdown),
        fees=rows(FeeEntry),
    )


def get_shipment(db: Database, shipment_id: int) -> dict[str, Any]:
    with db.session() as session:
        return load_view(session, shipment_id)


def list_shipments(
    db: Database,
    *,
    licence: str | None = None,
    status: str | None = None,
    order_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of shipment summaries (newest first) and how many match."""
    condition = _condition(licence, status, order_id)
    query = (
        select(Shipment, Licence.number)
        .join(Licence, Licence.id == Shipment.licence_id)
        .where(condition)
        .order_by(Shipment.id.desc())
        .limit(limit)
        .offset(offset)
    )
    counting = (
        select(func.count())
        .select_from(Shipment)
        .join(Licence, Licence.id == Shipment.licence_id)
        .where(condition)
    )
    with db.session() as session:
        page = [summary(shipment, number) for shipment, number in session.execute(query)]
        total = int(session.scalar(counting) or 0)
    return page, total


def _condition(
    licence: str | None, status: str | None, order_id: str | None
) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = true()
    if licence is not None:
        condition = condition & (Licence.number == licence)
    if status is not None:
        if status not in SHIPMENT_STATUSES:
            raise InvalidInput(
                f"'{status}' is not one of {', '.join(SHIPMENT_STATUSES)}", field="status"
            )
        condition = condition & (Shipment.status == status)
    if order_id is not None:
        condition = condition & (Shipment.order_id == order_id)
    return condition


def under_licence(session: Session, licence_id: int) -> dict[str, list[dict[str, Any]]]:
    """What a suspension or revocation reaches: pending (and blocked) shipments, shipments in
    transit, and the chips delivered (serial, shipment, end user, destination)."""
    number = session.scalar(select(Licence.number).where(Licence.id == licence_id)) or ""
    shipments = session.scalars(
        select(Shipment)
        .where(
            Shipment.licence_id == licence_id,
            Shipment.status.in_(("pending", "blocked", "shipped", "delivered")),
        )
        .order_by(Shipment.id)
    ).all()
    by_status: dict[str, list[Shipment]] = {"pending": [], "shipped": [], "delivered": []}
    for shipment in shipments:
        by_status["pending" if shipment.status == "blocked" else shipment.status].append(shipment)
    delivered_ids = [s.id for s in by_status["delivered"]]
    serials = session.execute(
        select(ShipmentSerial.serial, ShipmentSerial.shipment_id)
        .where(ShipmentSerial.shipment_id.in_(delivered_ids))
        .order_by(ShipmentSerial.id)
    ).all()
    delivered = {s.id: s for s in by_status["delivered"]}
    return {
        "pending_shipments": [summary(s, number) for s in by_status["pending"]],
        "in_transit": [summary(s, number) for s in by_status["shipped"]],
        "delivered_chips": [
            {
                "serial": serial,
                "shipment_id": shipment_id,
                "model": delivered[shipment_id].model_id,
                "end_user": delivered[shipment_id].end_user,
                "destination": delivered[shipment_id].destination,
            }
            for serial, shipment_id in serials
        ],
    }
