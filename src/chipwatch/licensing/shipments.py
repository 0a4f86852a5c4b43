"""Shipping under a licence: re-decide the order, check the licence, draw it down — in one
transaction, under the licence's row lock, with its audit records.

The order's date is the shipment's date (the rulebook version, the licence window and the
fee period all use it). A shipment ships one order line. An idempotency key keeps its first
result, a shipment or a refusal: the same key with the same request gets that result again
and draws nothing; with a different request it is a ``Conflict``. Refusals are recorded
(``shipment_requests`` and the audit log) so that an auditor sees them too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from chipwatch import service
from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.licensing import aggregate, fees
from chipwatch.licensing.ledger_model import (
    LicenceDrawdown,
    Shipment,
    ShipmentEvent,
    ShipmentRequest,
    ShipmentSerial,
)
from chipwatch.licensing.model import Licence
from chipwatch.licensing.periods import period_of
from chipwatch.licensing.shipment_checks import (
    Drawn,
    RefusalReason,
    ShipmentRefused,
    decision_reasons,
    licence_reasons,
    receiving_party,
)
from chipwatch.licensing.shipment_views import full_view, load_view
from chipwatch.orders import Order
from chipwatch.rules.decision import Decision
from chipwatch.store import Database, audit
from chipwatch.store.canonical import jsonable, sha256_hex
from chipwatch.store.types import CENT
from chipwatch.workflow import chipwatch_for, decision_versions, record_check

MAX_ATTEMPTS = 3  # a unique key or serial taken by a concurrent request: decide again


@dataclass(frozen=True, slots=True)
class ShipmentResult:
    shipment: dict[str, Any]
    replayed: bool  # True: the key was seen before; this is its first result, nothing drawn
    remaining: dict[str, Any]  # what is left on the licence after this shipment


@dataclass(frozen=True, slots=True)
class _Request:
    order: Order
    licence_number: str
    quantity: int
    serials: tuple[str, ...]
    idempotency_key: str
    actor: str
    unit_price: Decimal
    sha256: str


def ship(
    db: Database,
    *,
    order: Order,
    licence_number: str,
    quantity: int,
    serials: Sequence[str],
    idempotency_key: str,
    actor: str,
) -> ShipmentResult:
    """Draw ``quantity`` units of the order's line on the licence, or raise ShipmentRefused."""
    request = _validated(order, licence_number, quantity, serials, idempotency_key, actor)
    with db.session() as session:
        replayed = _replay(session, request)
    if replayed is not None:
        return replayed
    cw = chipwatch_for(db)
    decision = cw.check(order)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with db.transaction() as session:
                result = _ship_once(session, cw, decision, request)
        except IntegrityError:
            if attempt == MAX_ATTEMPTS - 1:
                raise
            continue
        if isinstance(result, ShipmentRefused):
            raise result
        return result
    raise AssertionError("unreachable")


def _validated(
    order: Order,
    licence_number: str,
    quantity: int,
    serials: Sequence[str],
    key: str,
    actor: str,
) -> _Request:
    errors: list[dict[str, str]] = []
    if not key.strip() or len(key) > 200:
        errors.append({"field": "idempotency_key", "problem": "give a key of 1–200 characters"})
    if not actor.strip():
        errors.append({"field": "actor", "problem": "name who ships (the actor)"})
    if len(order.items) != 1:
        errors.append(
            {"field": "order.items", "problem": "a shipment ships one order line: split the order"}
        )
    elif quantity < 1 or quantity > order.items[0].quantity:
        errors.append(
            {
                "field": "quantity",
                "problem": f"{quantity} is not between 1 and the order line's "
                f"{order.items[0].quantity} units",
            }
        )
    cleaned = tuple(s.strip() for s in serials)
    errors.extend(_serial_errors(cleaned, quantity))
    unit_price = _unit_price(order, errors)
    if errors:
        raise InvalidInput.from_errors(errors)
    digest = sha256_hex(
        {
            "order": order.model_dump(mode="json"),
            "licence": licence_number,
            "quantity": quantity,
            "serials": sorted(cleaned),
        }
    )
    return _Request(order, licence_number, quantity, cleaned, key, actor, unit_price, digest)


def _serial_errors(serials: tuple[str, ...], quantity: int) -> list[dict[str, str]]:
    errors = []
    if len(serials) != quantity:
        errors.append(
            {"field": "serials", "problem": f"{len(serials)} serials for {quantity} units"}
        )
    seen: set[str] = set()
    for i, serial in enumerate(serials):
        if not serial or len(serial) > 100:
            errors.append({"field": f"serials.{i}", "problem": "a serial has 1–100 characters"})
        elif serial in seen:
            errors.append({"field": f"serials.{i}", "problem": f"'{serial}' is listed twice"})
        seen.add(serial)
    return errors


def _unit_price(order: Order, errors: list[dict[str, str]]) -> Decimal:
    price = order.items[0].unit_price_usd if order.items else None
    field = "order.items.0.unit_price_usd"
    if price is None:
        errors.append({"field": field, "problem": "the licence caps value: give the unit price"})
        return Decimal(0)
    try:
        exact = Decimal(repr(price))
    except InvalidOperation:
        exact = Decimal(-1)
    if exact != exact.quantize(CENT):
        errors.append({"field": field, "problem": f"{price} is not in dollars and cents"})
        return Decimal(0)
    return exact.quantize(CENT)


def _replay(session: Session, request: _Request) -> ShipmentResult | None:
    """The first result of the request's key, or None if the key is new."""
    known = session.get(ShipmentRequest, request.idempotency_key)
    if known is None:
        return None
    if known.request_sha256 != request.sha256:
        raise Conflict(
            f"idempotency key '{request.idempotency_key}' was used on {known.at:%Y-%m-%d %H:%M} "
            f"UTC for a different request (licence {known.licence_number}); use a new key",
            field="idempotency_key",
        )
    if known.refusal is not None:
        raise ShipmentRefused.from_record(known.refusal)
    assert known.shipment_id is not None
    view = load_view(session, known.shipment_id)
    shipment = session.get(Shipment, known.shipment_id)
    licence = session.get(Licence, shipment.licence_id) if shipment else None
    assert licence is not None
    return ShipmentResult(view, True, _remaining(licence, _drawn(session, licence.id)))


def _ship_once(
    session: Session, cw: service.Chipwatch, decision: Decision, request: _Request
) -> ShipmentResult | ShipmentRefused:
    replayed = _replay(session, request)
    if replayed is not None:
        return replayed
    order, quantity = request.order, request.quantity
    licence = _lock_licence(session, request, decision)
    value = (request.unit_price * quantity).quantize(CENT)
    drawn = _drawn(session, licence.id)
    reasons = decision_reasons(decision, licence)
    reasons += licence_reasons(
        licence, order, decision, quantity=quantity, value=value, drawn=drawn
    )
    reasons += _serial_reasons(session, request.serials)
    model_id = decision.classification[0].model_id
    share = aggregate.cap_share(decision, licence.conditions, order.ship_to.country)
    if share is not None:
        capped = aggregate.aggregate_reason(
            session,
            licensee=licence.licensee,
            product=model_id,
            period=period_of(order.date),
            quantity=quantity,
            share=share,
        )
        reasons += [capped] if capped else []
    checked = record_check(session, cw, order, decision, actor=request.actor)
    if reasons:
        return _refuse(session, cw, decision, request, licence, reasons, checked.audit_seq)
    return _draw(session, cw, decision, request, licence, value, drawn, checked.audit_seq)


def _lock_licence(session: Session, request: _Request, decision: Decision) -> Licence:
    """Lock the licence row (and, when the aggregate cap applies, every licence of its
    licensee, in id order) so that concurrent draws queue; SQLite's writers queue anyway."""
    known = session.execute(
        select(Licence.id, Licence.licensee, Licence.conditions).where(
            Licence.number == request.licence_number
        )
    ).one_or_none()
    if known is None:
        raise NotFound(f"no licence numbered '{request.licence_number}'", field="licence")
    licence_id, licensee, conditions = known
    capped = aggregate.cap_share(decision, conditions, request.order.ship_to.country)
    scope = Licence.licensee == licensee if capped is not None else Licence.id == licence_id
    query = (
        select(Licence)
        .where(scope)
        .order_by(Licence.id)
        .options(lazyload(Licence.actions))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    locked = {licence.id: licence for licence in session.scalars(query)}
    return locked[licence_id]


def _drawn(session: Session, licence_id: int) -> Drawn:
    quantity, value = session.execute(
        select(func.sum(LicenceDrawdown.quantity), func.sum(LicenceDrawdown.value)).where(
            LicenceDrawdown.licence_id == licence_id
        )
    ).one()
    return Drawn(int(quantity or 0), value if value is not None else Decimal("0.00"))


def _remaining(licence: Licence, drawn: Drawn) -> dict[str, Any]:
    return {
        "quantity": licence.quantity_cap - drawn.quantity,
        "value_usd": str(licence.value_cap - drawn.value),
    }


def _serial_reasons(session: Session, serials: tuple[str, ...]) -> list[RefusalReason]:
    live = dict(
        session.execute(
            select(ShipmentSerial.serial, ShipmentSerial.shipment_id).where(
                ShipmentSerial.serial.in_(serials), ~ShipmentSerial.released
            )
        ).all()
    )
    return [
        RefusalReason(
            "serial_already_shipped",
            f"serials.{i}",
            f"serial {serial} is already in shipment {live[serial]}",
        )
        for i, serial in enumerate(serials)
        if serial in live
    ]


def _refuse(
    session: Session,
    cw: service.Chipwatch,
    decision: Decision,
    request: _Request,
    licence: Licence,
    reasons: list[RefusalReason],
    decision_seq: int,
) -> ShipmentRefused:
    record = audit.append(
        session,
        actor=request.actor,
        action="shipment.refuse",
        subject=licence.number,
        payload={
            **_request_payload(request),
            "decision_seq": decision_seq,
            "reasons": [r.to_dict() for r in reasons],
        },
        versions=decision_versions(cw, decision),
    )
    refusal = ShipmentRefused(reasons, audit_seq=record.seq)
    session.add(
        ShipmentRequest(
            idempotency_key=request.idempotency_key,
            request_sha256=request.sha256,
            licence_number=licence.number,
            refusal=refusal.to_record(),
            at=record.at,
            actor=request.actor,
            audit_seq=record.seq,
        )
    )
    session.flush()
    return refusal


def _request_payload(request: _Request) -> dict[str, Any]:
    return {
        "licence": request.licence_number,
        "order_id": request.order.id,
        "order_sha256": sha256_hex(request.order.model_dump(mode="json")),
        "request_sha256": request.sha256,
        "idempotency_key": request.idempotency_key,
        "quantity": request.quantity,
        "serials_sha256": sha256_hex(sorted(request.serials)),
    }


def _draw(
    session: Session,
    cw: service.Chipwatch,
    decision: Decision,
    request: _Request,
    licence: Licence,
    value: Decimal,
    drawn: Drawn,
    decision_seq: int,
) -> ShipmentResult:
    order, quantity = request.order, request.quantity
    now = dt.datetime.now(dt.UTC)
    classification = decision.classification[0]
    versions = decision_versions(cw, decision)
    shipment = Shipment(
        licence_id=licence.id,
        licensee=licence.licensee,
        order_id=order.id,
        order=jsonable(order.model_dump(mode="json")),
        order_sha256=sha256_hex(order.model_dump(mode="json")),
        model_id=classification.model_id,
        eccn=classification.eccn,
        quantity=quantity,
        unit_price=request.unit_price,
        value=value,
        ship_date=order.date,
        period=period_of(order.date),
        destination=order.ship_to.country,
        end_user=receiving_party(order)[1].name,
        status="pending",
        decision_outcome=decision.outcome,
        versions=jsonable(versions),
        created_at=now,
        actor=request.actor,
    )
    session.add(shipment)
    session.flush()
    accruals = fees.accruals_for(decision, licence, model_id=shipment.model_id, value=value)
    left = Drawn(drawn.quantity + quantity, drawn.value + value)
    record = audit.append(
        session,
        actor=request.actor,
        action="shipment.ship",
        subject=licence.number,
        payload={
            **_request_payload(request),
            "shipment_id": shipment.id,
            "decision_seq": decision_seq,
            "model": shipment.model_id,
            "value": value,
            "remaining": _remaining(licence, left),
            "fees": [a.to_dict() for a in accruals],
        },
        versions=versions,
    )
    serials = [ShipmentSerial(shipment_id=shipment.id, serial=s) for s in request.serials]
    drawdown = LicenceDrawdown(
        licence_id=licence.id,
        shipment_id=shipment.id,
        kind="draw",
        quantity=quantity,
        value=value,
        at=now,
        audit_seq=record.seq,
    )
    event = ShipmentEvent(
        shipment_id=shipment.id,
        status="pending",
        at=now,
        actor=request.actor,
        reason=f"booked under licence {licence.number}",
        audit_seq=record.seq,
    )
    session.add_all([*serials, drawdown, event])
    entries = fees.accrue(session, shipment, accruals, at=now, audit_seq=record.seq)
    session.add(
        ShipmentRequest(
            idempotency_key=request.idempotency_key,
            request_sha256=request.sha256,
            licence_number=licence.number,
            shipment_id=shipment.id,
            at=now,
            actor=request.actor,
            audit_seq=record.seq,
        )
    )
    session.flush()
    view = full_view(
        shipment,
        licence.number,
        serials=serials,
        events=[event],
        drawdowns=[drawdown],
        fees=entries,
    )
    return ShipmentResult(view, False, _remaining(licence, left))
