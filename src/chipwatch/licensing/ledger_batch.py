"""Shipping a batch of requests in one transaction, set-based: one query per kind of fact
(idempotency keys, licences, balances, serials), one lock statement for every licence the
batch draws on (in id order), one audit append and one insert per table for all of them.

Each request is still decided, checked and drawn on its own, in order, against what the
requests before it in the batch drew: the result is what one transaction per request would
give, without paying a lock round and a commit per request. A request's ``ChipwatchError``
(an unknown licence, a reused key) is its own outcome; a database error aborts the batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, lazyload

from chipwatch import service
from chipwatch.errors import ChipwatchError, Conflict, NotFound
from chipwatch.licensing import aggregate, fees
from chipwatch.licensing.ledger_model import (
    FeeEntry,
    LicenceDrawdown,
    Shipment,
    ShipmentEvent,
    ShipmentRequest,
    ShipmentSerial,
)
from chipwatch.licensing.model import Licence
from chipwatch.licensing.periods import period_of
from chipwatch.licensing.ship_request import ShipRequest
from chipwatch.licensing.shipment_checks import (
    Drawn,
    RefusalReason,
    ShipmentRefused,
    decision_reasons,
    licence_reasons,
    receiving_party,
)
from chipwatch.licensing.shipment_views import full_view, load_view
from chipwatch.rules.decision import Decision
from chipwatch.store.audit import AuditEntry, append_many
from chipwatch.store.canonical import jsonable
from chipwatch.workflow import decision_payload, decision_versions, open_cases

IN_CHUNK = 5000  # bound parameters per IN list


@dataclass(frozen=True, slots=True)
class ShipmentResult:
    shipment: dict[str, Any]
    replayed: bool  # True: the key was seen before; this is its first result, nothing drawn
    remaining: dict[str, Any]  # what is left on the licence after this shipment


@dataclass(slots=True)
class Job:
    """One request waiting for its outcome (``decide`` fills in the decision)."""

    request: ShipRequest
    cw: service.Chipwatch | None = None
    decision: Decision | None = None
    outcome: ShipmentResult | BaseException | None = None

    @property
    def decided(self) -> tuple[service.Chipwatch, Decision]:
        assert self.cw is not None and self.decision is not None
        return self.cw, self.decision


def decide(cw: service.Chipwatch, jobs: list[Job]) -> list[Job]:
    """Decide each job's order (pure: before any lock is taken); the jobs that could be."""
    decided = []
    for job in jobs:
        try:
            job.cw, job.decision = cw, cw.check(job.request.order)
        except ChipwatchError as exc:
            job.outcome = exc
            continue
        decided.append(job)
    return decided


@dataclass(slots=True)
class _Plan:
    job: Job
    licence: Licence | None = None
    reasons: list[RefusalReason] = field(default_factory=list)
    remaining: dict[str, Any] = field(default_factory=dict)
    same_as: _Plan | None = None  # a retry of a request earlier in the batch
    shipment: Shipment | None = None
    accruals: list[fees.FeeAccrual] = field(default_factory=list)


def process(session: Session, jobs: list[Job]) -> None:
    """Ship ``jobs`` in the caller's transaction, setting each one's outcome."""
    ledger = _Ledger(session, jobs)
    plans = []
    for job in jobs:
        try:
            plan = ledger.plan(job)
        except ChipwatchError as exc:
            job.outcome = exc
            continue
        if plan is not None:
            plans.append(plan)
    _write(session, plans)


class _Ledger:
    """What the batch knows under its locks, kept current as its requests draw."""

    def __init__(self, session: Session, jobs: list[Job]):
        self.session = session
        keys = [j.request.idempotency_key for j in jobs]
        self.known = {
            r.idempotency_key: r
            for chunk in _chunks(keys)
            for r in session.scalars(
                select(ShipmentRequest).where(ShipmentRequest.idempotency_key.in_(chunk))
            )
        }
        numbers = {j.request.licence_number for j in jobs}
        query = select(Licence.number, Licence.id, Licence.licensee, Licence.conditions)
        self.infos = {
            number: (licence_id, licensee, conditions)
            for number, licence_id, licensee, conditions in session.execute(
                query.where(Licence.number.in_(numbers))
            )
        }
        self.locked = self._lock(jobs)
        self.drawn = self._drawn(self.locked)
        serials = [s for j in jobs for s in j.request.serials]
        self.live: dict[str, int | None] = {}
        for chunk in _chunks(serials):
            live = select(ShipmentSerial.serial, ShipmentSerial.shipment_id).where(
                ShipmentSerial.serial.in_(chunk), ~ShipmentSerial.released
            )
            self.live.update({serial: holder for serial, holder in session.execute(live)})
        self.china: dict[tuple[str, str], int] = {}
        self.us: dict[tuple[str, str, str], int] = {}
        self.first: dict[str, _Plan] = {}

    def _lock(self, jobs: list[Job]) -> dict[int, Licence]:
        """Lock every licence drawn on (every licence of a licensee under the aggregate cap,
        whose volumes span its licences) in one statement, in id order: no deadlocks."""
        ids, licensees = set(), set()
        for job in jobs:
            info = self.infos.get(job.request.licence_number)
            if info is None or job.request.idempotency_key in self.known:
                continue
            country = job.request.order.ship_to.country
            if aggregate.cap_share(job.decided[1], info[2], country) is None:
                ids.add(info[0])
            else:
                licensees.add(info[1])
        if not ids and not licensees:
            return {}
        query = (
            select(Licence)
            .where(or_(Licence.id.in_(ids), Licence.licensee.in_(licensees)))
            .order_by(Licence.id)
            .options(lazyload(Licence.actions))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {licence.id: licence for licence in self.session.scalars(query)}

    def _drawn(self, locked: dict[int, Licence]) -> dict[int, Drawn]:
        sums = self.session.execute(
            select(
                LicenceDrawdown.licence_id,
                func.sum(LicenceDrawdown.quantity),
                func.sum(LicenceDrawdown.value),
            )
            .where(LicenceDrawdown.licence_id.in_(list(locked)))
            .group_by(LicenceDrawdown.licence_id)
        )
        drawn = {licence_id: Drawn(0, Decimal("0.00")) for licence_id in locked}
        for licence_id, quantity, value in sums:
            drawn[licence_id] = Drawn(int(quantity or 0), value or Decimal("0.00"))
        return drawn

    def plan(self, job: Job) -> _Plan | None:
        """What the job will write, or None when its outcome is already known (a replay)."""
        request = job.request
        key = request.idempotency_key
        earlier = self.first.get(key)
        if earlier is not None:
            _same_request(key, earlier.job.request.sha256, request)
            return _Plan(job, same_as=earlier)
        known = self.known.get(key)
        if known is not None:
            job.outcome = self._replay(known, request)
            return None
        info = self.infos.get(request.licence_number)
        if info is None:
            raise NotFound(f"no licence numbered '{request.licence_number}'", field="licence")
        licence = self.locked[info[0]]
        plan = _Plan(job, licence, self._reasons(job, licence))
        self.first[key] = plan
        if not plan.reasons:
            self._draw(job, licence)
        drawn = self.drawn[licence.id]
        plan.remaining = _remaining(licence, drawn)
        return plan

    def _reasons(self, job: Job, licence: Licence) -> list[RefusalReason]:
        request, decision = job.request, job.decided[1]
        reasons = decision_reasons(decision, licence)
        reasons += licence_reasons(
            licence,
            request.order,
            decision,
            quantity=request.quantity,
            value=request.value,
            drawn=self.drawn[licence.id],
        )
        for i, serial in enumerate(request.serials):
            if serial in self.live:
                holder = self.live[serial]
                where = f"shipment {holder}" if holder else "a shipment booked just now"
                reasons.append(
                    RefusalReason(
                        "serial_already_shipped",
                        f"serials.{i}",
                        f"serial {serial} is already in {where}",
                    )
                )
        capped = self._cap_reason(job, licence)
        return reasons + ([capped] if capped else [])

    def _cap_reason(self, job: Job, licence: Licence) -> RefusalReason | None:
        decision = job.decided[1]
        share = aggregate.cap_share(decision, licence.conditions, job.request.order.ship_to.country)
        if share is None:
            return None
        product = decision.classification[0].model_id
        period = period_of(job.request.order.date)
        return aggregate.cap_reason(
            licensee=licence.licensee,
            product=product,
            period=period,
            shipped=self._china(licence.licensee, product),
            us_units=self._us(licence.licensee, product, period),
            quantity=job.request.quantity,
            share=share,
        )

    def _china(self, licensee: str, product: str) -> int:
        key = (licensee, product)
        if key not in self.china:
            self.china[key] = aggregate.china_volume(self.session, licensee, product)
        return self.china[key]

    def _us(self, licensee: str, product: str, period: str) -> int:
        key = (licensee, product, period)
        if key not in self.us:
            self.us[key] = aggregate.us_volume(self.session, licensee, product, through=period)
        return self.us[key]

    def _draw(self, job: Job, licence: Licence) -> None:
        request = job.request
        before = self.drawn[licence.id]
        self.drawn[licence.id] = Drawn(
            before.quantity + request.quantity, before.value + request.value
        )
        self.live.update(dict.fromkeys(request.serials))
        decision = job.decided[1]
        if aggregate.cap_share(decision, licence.conditions, request.order.ship_to.country):
            key = (licence.licensee, decision.classification[0].model_id)
            self.china[key] = self._china(*key) + request.quantity

    def _replay(self, known: ShipmentRequest, request: ShipRequest) -> ShipmentResult | Exception:
        try:
            _same_request(request.idempotency_key, known.request_sha256, request)
        except Conflict as exc:
            return exc
        if known.refusal is not None:
            return ShipmentRefused.from_record(known.refusal)
        assert known.shipment_id is not None
        view = load_view(self.session, known.shipment_id)
        licence = self.session.scalars(
            select(Licence).where(Licence.number == view["licence"])
        ).one()
        drawn = self.drawn.get(licence.id) or self._drawn({licence.id: licence})[licence.id]
        return ShipmentResult(view, True, _remaining(licence, drawn))


def _same_request(key: str, first_sha256: str, request: ShipRequest) -> None:
    if first_sha256 != request.sha256:
        raise Conflict(
            f"idempotency key '{key}' was used for a different request; use a new key",
            field="idempotency_key",
        )


def _remaining(licence: Licence, drawn: Drawn) -> dict[str, Any]:
    return {
        "quantity": licence.quantity_cap - drawn.quantity,
        "value_usd": str(licence.value_cap - drawn.value),
    }


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _write(session: Session, plans: list[_Plan]) -> None:
    now = dt.datetime.now(dt.UTC)
    new = [p for p in plans if p.same_as is None]
    for plan in new:
        if not plan.reasons:
            plan.shipment = _shipment(plan, now)
            session.add(plan.shipment)
    session.flush()  # the shipments' ids, for the audit records
    for plan in new:
        if plan.shipment is not None and plan.licence is not None:
            plan.accruals = fees.accruals_for(
                plan.job.decided[1],
                plan.licence,
                model_id=plan.shipment.model_id,
                value=plan.shipment.value,
            )
    entries = []
    for plan in new:
        job = plan.job
        cw, decision = job.decided
        cases = open_cases(session, cw, job.request.order, decision, actor=job.request.actor)
        entries += [_decision_entry(job, cases), _outcome_entry(plan)]
    records = append_many(session, entries)
    drawn_plans = []
    for plan, record in zip(new, records[1::2], strict=True):
        licence = plan.licence
        assert licence is not None
        if plan.shipment is None:
            refusal = ShipmentRefused(plan.reasons, audit_seq=record.seq)
            session.add(_request_row(plan, record.seq, now, refusal=refusal.to_record()))
            plan.job.outcome = refusal
            continue
        drawn_plans.append((plan, _rows(session, plan, record.seq, now)))
    session.flush()
    for plan, (serials, drawdown, event, entries_) in drawn_plans:
        assert plan.shipment is not None and plan.licence is not None
        view = full_view(
            plan.shipment,
            plan.licence.number,
            serials=serials,
            events=[event],
            drawdowns=[drawdown],
            fees=entries_,
        )
        plan.job.outcome = ShipmentResult(view, False, plan.remaining)
    for plan in plans:
        if plan.same_as is not None:
            plan.job.outcome = _again(plan.same_as.job.outcome)


def _again(first: ShipmentResult | BaseException | None) -> ShipmentResult | BaseException:
    if isinstance(first, ShipmentResult):
        return ShipmentResult(first.shipment, True, first.remaining)
    if isinstance(first, ShipmentRefused):
        return ShipmentRefused.from_record(first.to_record())
    return first if first is not None else RuntimeError("no outcome")


def _shipment(plan: _Plan, now: dt.datetime) -> Shipment:
    request, licence = plan.job.request, plan.licence
    cw, decision = plan.job.decided
    assert licence is not None
    classification = decision.classification[0]
    return Shipment(
        licence_id=licence.id,
        licensee=licence.licensee,
        order_id=request.order.id,
        order=jsonable(request.order_json),
        order_sha256=request.audit_payload()["order_sha256"],
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


def _outcome_entry(plan: _Plan) -> AuditEntry:
    job, licence, shipment = plan.job, plan.licence, plan.shipment
    assert licence is not None
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
        subject=licence.number,
        payload=payload,
        versions=decision_versions(*job.decided),
    )


def _request_row(
    plan: _Plan, audit_seq: int, now: dt.datetime, *, refusal: dict[str, Any] | None = None
) -> ShipmentRequest:
    request = plan.job.request
    assert plan.licence is not None
    return ShipmentRequest(
        idempotency_key=request.idempotency_key,
        request_sha256=request.sha256,
        licence_number=plan.licence.number,
        shipment_id=None if plan.shipment is None else plan.shipment.id,
        refusal=refusal,
        at=now,
        actor=request.actor,
        audit_seq=audit_seq,
    )


def _rows(
    session: Session, plan: _Plan, audit_seq: int, now: dt.datetime
) -> tuple[list[ShipmentSerial], LicenceDrawdown, ShipmentEvent, list[FeeEntry]]:
    shipment, licence, request = plan.shipment, plan.licence, plan.job.request
    assert shipment is not None and licence is not None
    serials = [ShipmentSerial(shipment_id=shipment.id, serial=s) for s in request.serials]
    drawdown = LicenceDrawdown(
        licence_id=licence.id,
        shipment_id=shipment.id,
        kind="draw",
        quantity=shipment.quantity,
        value=shipment.value,
        at=now,
        audit_seq=audit_seq,
    )
    event = ShipmentEvent(
        shipment_id=shipment.id,
        status="pending",
        at=now,
        actor=request.actor,
        reason=f"booked under licence {licence.number}",
        audit_seq=audit_seq,
    )
    session.add_all([*serials, drawdown, event, _request_row(plan, audit_seq, now)])
    entries = fees.accrue(session, shipment, plan.accruals, at=now, audit_seq=audit_seq)
    return serials, drawdown, event, entries
