"""Writing a planned batch of shipments: shipments, audit records (one append for all),
then serials, draw-downs, events, fees and idempotency keys, one INSERT per table."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, TypeVar

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from chipwatch.licensing import fees
from chipwatch.licensing.ledger_jobs import Job, Plan, ShipmentResult
from chipwatch.licensing.ledger_model import (
    FeeEntry,
    LicenceDrawdown,
    Shipment,
    ShipmentEvent,
    ShipmentRequest,
    ShipmentSerial,
)
from chipwatch.licensing.periods import period_of
from chipwatch.licensing.shipment_checks import ShipmentRefused, receiving_party
from chipwatch.licensing.shipment_views import full_view
from chipwatch.store.audit import AuditEntry, append_many
from chipwatch.store.base import Base
from chipwatch.store.canonical import jsonable
from chipwatch.workflow import decision_payload, decision_versions, open_cases

M = TypeVar("M", bound=Base)


def write(session: Session, plans: list[Plan]) -> None:
    """Write every plan and set its job's outcome (in the caller's transaction)."""
    now = dt.datetime.now(dt.UTC)
    new = [p for p in plans if p.same_as is None]
    drawing = [p for p in new if not p.reasons]
    shipments = [_shipment(p, now) for p in drawing]
    _insert(session, Shipment, shipments, ids=True)
    for plan, shipment in zip(drawing, shipments, strict=True):
        plan.shipment = shipment
        plan.accruals = fees.accruals_for(
            plan.job.decided[1],
            plan.bound_licence,
            model_id=shipment.model_id,
            value=shipment.value,
        )
    records = append_many(session, _audit_entries(session, new))
    rows: dict[type[Base], list[Any]] = {
        m: [] for m in (ShipmentSerial, LicenceDrawdown, ShipmentEvent, ShipmentRequest, FeeEntry)
    }
    for plan, record in zip(new, records[1::2], strict=True):
        if plan.shipment is None:
            refusal = ShipmentRefused(plan.reasons, audit_seq=record.seq)
            rows[ShipmentRequest].append(_request_row(plan, record.seq, now, refusal.to_record()))
            plan.job.outcome = refusal
        else:
            _shipment_rows(plan, record.seq, now, rows)
    by_shipment: dict[tuple[type[Base], int], list[Any]] = defaultdict(list)
    for model, objects in rows.items():
        _insert(session, model, objects, ids=model is FeeEntry)
        for obj in objects:
            by_shipment[(model, obj.shipment_id)].append(obj)
    for plan in drawing:
        _set_result(plan, by_shipment)
    for plan in plans:
        if plan.same_as is not None:
            plan.job.outcome = _again(plan.same_as.job.outcome)


def _insert(session: Session, model: type[M], objects: list[M], *, ids: bool = False) -> None:
    """One INSERT for ``objects`` (transient: they only carry the values); their ids if asked."""
    if not objects:
        return
    columns = [a.key for a in inspect(model).column_attrs if a.key != "id"]
    values = [{c: getattr(o, c) for c in columns} for o in objects]
    if not ids:
        session.execute(insert(model), values)
        return
    key = inspect(model).primary_key[0]
    statement = insert(model).returning(key, sort_by_parameter_order=True)
    for obj, new_id in zip(objects, session.scalars(statement, values), strict=True):
        setattr(obj, key.name, new_id)


def _audit_entries(session: Session, plans: list[Plan]) -> list[AuditEntry]:
    """Per plan: its decision, then its shipment or refusal. Screening cases are recorded
    once per distinct order in the batch (the same order gets the same decision)."""
    cases_by_order: dict[str, list[int]] = {}
    entries = []
    for plan in plans:
        job = plan.job
        cw, decision = job.decided
        order_sha256 = job.request.order_sha256
        if order_sha256 not in cases_by_order:
            cases_by_order[order_sha256] = open_cases(
                session, cw, job.request.order, decision, actor=job.request.actor
            )
        entries += [_decision_entry(job, cases_by_order[order_sha256]), _outcome_entry(plan)]
    return entries


def _shipment(plan: Plan, now: dt.datetime) -> Shipment:
    request, licence = plan.job.request, plan.bound_licence
    cw, decision = plan.job.decided
    classification = decision.classification[0]
    return Shipment(
        licence_id=licence.id,
        licensee=licence.licensee,
        order_id=request.order.id,
        order=jsonable(request.order_json),
        order_sha256=request.order_sha256,
        model_id=classification.model_id,
        eccn=classification.eccn,
        quantity=request.quantity,
        unit_price=request.unit_price,
        value=request.value,
        ship_date=request.order.date,
        period=period_of(request.order.date),
        destination=request.order.ship_to.country,
        end_user=receiving_party(request.order)[1].name,
        status="pending",
        decision_outcome=decision.outcome,
        versions=jsonable(decision_versions(cw, decision)),
        created_at=now,
        actor=request.actor,
    )


def _decision_entry(job: Job, cases: list[int]) -> AuditEntry:
    cw, decision = job.decided
    return AuditEntry(
        actor=job.request.actor,
        action="decision",
        subject=job.request.order.id,
        payload=decision_payload(job.request.order, decision, cases),
        versions=decision_versions(cw, decision),
    )


def _outcome_entry(plan: Plan) -> AuditEntry:
    job, shipment = plan.job, plan.shipment
    payload: dict[str, Any] = job.request.audit_payload()
    if shipment is None:
        action = "shipment.refuse"
        payload["reasons"] = [r.to_dict() for r in plan.reasons]
    else:
        action = "shipment.ship"
        payload |= {
            "shipment_id": shipment.id,
            "model": shipment.model_id,
            "value": shipment.value,
            "remaining": plan.remaining,
            "fees": [a.to_dict() for a in plan.accruals],
        }
    return AuditEntry(
        actor=job.request.actor,
        action=action,
        subject=plan.bound_licence.number,
        payload=payload,
        versions=decision_versions(*job.decided),
    )


def _request_row(
    plan: Plan, audit_seq: int, now: dt.datetime, refusal: dict[str, Any] | None = None
) -> ShipmentRequest:
    request = plan.job.request
    return ShipmentRequest(
        idempotency_key=request.idempotency_key,
        request_sha256=request.sha256,
        licence_number=plan.bound_licence.number,
        shipment_id=None if plan.shipment is None else plan.shipment.id,
        refusal=refusal,
        at=now,
        actor=request.actor,
        audit_seq=audit_seq,
    )


def _shipment_rows(
    plan: Plan, audit_seq: int, now: dt.datetime, rows: dict[type[Base], list[Any]]
) -> None:
    shipment, licence, request = plan.shipment, plan.bound_licence, plan.job.request
    assert shipment is not None
    rows[ShipmentSerial] += [
        ShipmentSerial(shipment_id=shipment.id, serial=s, released=False) for s in request.serials
    ]
    rows[LicenceDrawdown].append(
        LicenceDrawdown(
            licence_id=licence.id,
            shipment_id=shipment.id,
            kind="draw",
            quantity=shipment.quantity,
            value=shipment.value,
            at=now,
            audit_seq=audit_seq,
        )
    )
    rows[ShipmentEvent].append(
        ShipmentEvent(
            shipment_id=shipment.id,
            status="pending",
            at=now,
            actor=request.actor,
            reason=f"booked under licence {licence.number}",
            audit_seq=audit_seq,
        )
    )
    rows[ShipmentRequest].append(_request_row(plan, audit_seq, now))
    rows[FeeEntry] += fees.accrual_entries(shipment, plan.accruals, at=now, audit_seq=audit_seq)


def _set_result(plan: Plan, rows: dict[tuple[type[Base], int], list[Any]]) -> None:
    shipment = plan.shipment
    assert shipment is not None

    def mine(model: type[Base]) -> list[Any]:
        return rows[(model, shipment.id)]

    view = full_view(
        shipment,
        plan.bound_licence.number,
        serials=mine(ShipmentSerial),
        events=mine(ShipmentEvent),
        drawdowns=mine(LicenceDrawdown),
        fees=mine(FeeEntry),
    )
    plan.job.outcome = ShipmentResult(view, False, plan.remaining)


def _again(first: ShipmentResult | BaseException | None) -> ShipmentResult | BaseException:
    if isinstance(first, ShipmentResult):
        return ShipmentResult(first.shipment, True, first.remaining)
    if isinstance(first, ShipmentRefused):
        return ShipmentRefused.from_record(first.to_record())
    return first if first is not None else RuntimeError("no outcome")
