"""Shipping a batch of requests in one transaction, set-based: one query per kind of fact
(idempotency keys, licences, balances, serials), one lock statement for every licence the
batch draws on (in id order), one audit append and one insert per table for all of them.

Each request is still decided, checked and drawn on its own, in order, against what the
requests before it in the batch drew: the result is what one transaction per request would
give, without paying a lock round and a commit per request. A request's ``ChipwatchError``
(an unknown licence, a reused key) is its own outcome; a database error aborts the batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, lazyload

from chipwatch import clock
from chipwatch.custody.inspections import require_passing
from chipwatch.errors import ChipwatchError, Conflict, NotFound
from chipwatch.licensing import aggregate
from chipwatch.licensing.ledger_jobs import Job, Plan, ShipmentResult
from chipwatch.licensing.ledger_model import LicenceDrawdown, ShipmentRequest, ShipmentSerial
from chipwatch.licensing.ledger_writes import write
from chipwatch.licensing.model import Licence
from chipwatch.licensing.periods import period_of
from chipwatch.licensing.ship_request import ShipRequest
from chipwatch.licensing.shipment_checks import (
    Drawn,
    RefusalReason,
    ShipmentRefused,
    decision_reasons,
    licence_reasons,
)
from chipwatch.licensing.shipment_views import load_view

IN_CHUNK = 5000  # bound parameters per IN list


def process(session: Session, jobs: list[Job]) -> None:
    """Ship decided ``jobs`` in the caller's transaction, setting each one's outcome."""
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
    write(session, plans)


class _Ledger:
    """What the batch knows under its locks, kept current as its requests draw."""

    def __init__(self, session: Session, jobs: list[Job]):
        self.session = session
        self.today = clock.utc_today()  # expiry is judged on it, not on the order's date
        self.shares: dict[int, Decimal | None] = {}  # per job (id), its aggregate cap
        self.china: dict[tuple[str, str], int] = {}
        self.us: dict[tuple[str, str, str], int] = {}
        self.first: dict[str, Plan] = {}
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
        self.live: dict[str, int | None] = {}
        serials = [s for j in jobs for s in j.request.serials]
        for chunk in _chunks(serials):
            live = select(ShipmentSerial.serial, ShipmentSerial.shipment_id).where(
                ShipmentSerial.serial.in_(chunk), ~ShipmentSerial.released
            )
            self.live.update({serial: holder for serial, holder in session.execute(live)})

    def _lock(self, jobs: list[Job]) -> dict[int, Licence]:
        """Lock every licence drawn on (every licence of a licensee under the aggregate cap,
        whose volumes span its licences) in one statement, in id order: no deadlocks."""
        ids, licensees = set(), set()
        for job in jobs:
            info = self.infos.get(job.request.licence_number)
            if info is None or job.request.idempotency_key in self.known:
                continue
            if self._share(job, info[2]) is None:
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

    def plan(self, job: Job) -> Plan | None:
        """What the job will write, or None when its outcome is already known (a replay)."""
        request = job.request
        key = request.idempotency_key
        earlier = self.first.get(key)
        if earlier is not None:
            _same_request(key, earlier.job.request.sha256, request)
            return Plan(job, same_as=earlier)
        known = self.known.get(key)
        if known is not None:
            job.outcome = self._replay(known, request)
            return None
        info = self.infos.get(request.licence_number)
        if info is None:
            raise NotFound(f"no licence numbered '{request.licence_number}'", field="licence")
        licence = self.locked[info[0]]
        plan = Plan(job, licence, self._reasons(job, licence))
        self.first[key] = plan
        if not plan.reasons:
            self._draw(job, licence)
        plan.remaining = _remaining(licence, self.drawn[licence.id])
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
            today=self.today,
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
        model_id = decision.classification[0].model_id if decision.classification else None
        reasons += self._inspection_reasons(request.serials, licence, model_id)
        capped = self._cap_reason(job, licence)
        return reasons + ([capped] if capped else [])

    def _inspection_reasons(
        self, serials: Iterable[str], licence: Licence, model_id: str | None
    ) -> list[RefusalReason]:
        """A licence that requires inspection or third-party testing ships no chip without a
        passing pre-export inspection (and, for testing, the lab's ``tested`` step), nor a
        chip of another model than the order line's or registered under another licence."""
        conditions = licence.conditions
        testing = bool(conditions.get("third_party_testing"))
        if not (testing or conditions.get("inspection_required")):
            return []
        problems = require_passing(
            self.session,
            serials,
            testing=testing,
            model_id=model_id,
            licence_number=licence.number,
        )
        return [RefusalReason(p.code, p.field, p.problem) for p in problems]

    def _cap_reason(self, job: Job, licence: Licence) -> RefusalReason | None:
        share = self._share(job, licence.conditions)
        if share is None:
            return None
        product = job.decided[1].classification[0].model_id
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

    def _share(self, job: Job, conditions: dict[str, Any]) -> Decimal | None:
        if id(job) not in self.shares:
            country = job.request.order.ship_to.country
            self.shares[id(job)] = aggregate.cap_share(job.decided[1], conditions, country)
        return self.shares[id(job)]

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
        if self._share(job, licence.conditions) is not None:
            key = (licence.licensee, job.decided[1].classification[0].model_id)
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
