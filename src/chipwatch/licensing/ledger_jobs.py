"""The units of a batch of shipments: a job (a request waiting for its outcome) and the plan
of what it writes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chipwatch import service
from chipwatch.errors import ChipwatchError
from chipwatch.holds import HoldReview
from chipwatch.licensing.fees import FeeAccrual
from chipwatch.licensing.ledger_model import Shipment
from chipwatch.licensing.model import Licence
from chipwatch.licensing.ship_request import ShipRequest
from chipwatch.licensing.shipment_checks import RefusalReason
from chipwatch.orders import Order
from chipwatch.rules.decision import Decision
from chipwatch.workflow import screened_decision


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


def decide(
    cw: service.Chipwatch,
    jobs: list[Job],
    reviews: Callable[[Order], Mapping[str, HoldReview]] | None = None,
) -> list[Job]:
    """Decide each job's order (before any lock is taken), with the holds officers cleared
    for it (``reviews``); the jobs that could be."""
    decided = []
    same: dict[str, Decision] = {}  # identical orders in one batch are decided once
    for job in jobs:
        try:
            order = job.request.order
            key = order.model_dump_json()
            decision = same.get(key)
            if decision is None:
                cleared = reviews(order) if reviews is not None else None
                decision = same[key] = screened_decision(cw, order, cleared)
            job.cw, job.decision = cw, decision
        except ChipwatchError as exc:
            job.outcome = exc
            continue
        decided.append(job)
    return decided


@dataclass(slots=True)
class Plan:
    """What a job writes: a shipment (no reasons) or a refusal; or the outcome of the same
    request earlier in the batch (``same_as``)."""

    job: Job
    licence: Licence | None = None
    reasons: list[RefusalReason] = field(default_factory=list)
    remaining: dict[str, Any] = field(default_factory=dict)
    same_as: Plan | None = None
    shipment: Shipment | None = None
    accruals: list[FeeAccrual] = field(default_factory=list)

    @property
    def bound_licence(self) -> Licence:
        assert self.licence is not None
        return self.licence
