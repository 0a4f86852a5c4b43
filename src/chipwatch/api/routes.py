"""/v1 routes: check an order, classify a model, read the catalog and the rulebook."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query

from chipwatch import service
from chipwatch.api.deps import DatabaseDep
from chipwatch.orders import Order
from chipwatch.workflow import check_order, decide_order

router = APIRouter(prefix="/v1")

EXAMPLE_ORDER: dict[str, Any] = {
    "id": "PO-2026-0042",
    "date": "2026-02-10",
    "ship_from": "US",
    "ship_to": {"country": "CN", "city": "Hangzhou"},
    "end_use": "commercial_training",
    "items": [{"model": "NVIDIA H200", "quantity": 1000, "unit_price_usd": 31000}],
    "parties": [
        {
            "role": "buyer",
            "name": "阿里云计算有限公司",
            "country": "CN",
            "headquarters": "CN",
            "sector": "cloud_provider",
        },
        {
            "role": "end_user",
            "name": "Alibaba Cloud Computing Co., Ltd.",
            "country": "CN",
            "headquarters": "CN",
            "sector": "cloud_provider",
        },
    ],
}
PROBLEM = {
    "description": "Problem details (RFC 9457) naming the field and the problem",
    "content": {"application/problem+json": {}},
}


@router.post(
    "/check",
    summary="Decide an order under the rulebook in force on its date",
    responses={422: PROBLEM},
)
def check(
    order: Annotated[Order, Body(examples=[EXAMPLE_ORDER])],
    database: DatabaseDep,
    record: Annotated[
        bool, Query(description="Open review cases and audit the decision (default).")
    ] = True,
    x_chipwatch_actor: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    """Outcome overall and per jurisdiction, every reason with its citation and evidence,
    the fee, licence conditions, red flags, the classification of each item, the screening of
    every party against the loaded lists and the rulebook version used. Same shape as
    `chipwatch check --json`. A possible list match holds the order and opens a review case
    (`screening_cases`); the decision is appended to the audit log (`audit_seq`)."""
    if not record:
        return decide_order(database, order).to_dict()
    recorded = check_order(database, order, actor=x_chipwatch_actor or "api")
    return {
        **recorded.decision.to_dict(),
        "screening_cases": list(recorded.case_ids),
        "audit_seq": recorded.audit_seq,
    }


@router.post(
    "/check/timeline",
    summary="Re-decide an order under every rulebook version",
    responses={422: PROBLEM},
)
def timeline(order: Annotated[Order, Body(examples=[EXAMPLE_ORDER])]) -> dict[str, Any]:
    """Stretches of time over which the order would have been decided alike, with the
    outcome per jurisdiction, the fee and the rules that fired: how the rules swung.
    Same as `chipwatch check --timeline --json`."""
    return {"order_id": order.id, "timeline": service.default().timeline(order)}


@router.get(
    "/classify",
    summary="TPP, PD and control class of a model on a date",
    responses={404: PROBLEM, 422: PROBLEM},
)
def classify(
    model: Annotated[str, Query(description="Model name or alias", examples=["NVIDIA H200"])],
    on: Annotated[dt.date | None, Query(description="Date (default: today)")] = None,
) -> dict[str, Any]:
    """Same shape as `chipwatch classify --json`: the arithmetic and the tests behind it."""
    return service.default().classify(model, on or dt.date.today()).to_dict()


@router.get("/catalog", summary="Accelerator models and their specs, with sources")
def catalog(
    on: Annotated[
        dt.date | None, Query(description="Classify on this date (default: today)")
    ] = None,
) -> dict[str, Any]:
    return service.default().catalog_listing(on or dt.date.today())


@router.get(
    "/rulebook/versions",
    summary="The rulebook's versions: stretches of time with the same rules in force",
)
def versions() -> dict[str, Any]:
    return service.default().versions_listing()


@router.get(
    "/rules",
    summary="Rules with citations and evidence (optionally those in force on a date)",
    responses={422: PROBLEM},
)
def rules(on: dt.date | None = None) -> dict[str, Any]:
    return service.default().rules_listing(on)
