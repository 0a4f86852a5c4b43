"""/v1 routes: check an order, classify a model, read the catalog and the rulebook."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from chipwatch import service
from chipwatch.orders import Order

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
def check(order: Annotated[Order, Body(examples=[EXAMPLE_ORDER])]) -> dict[str, Any]:
    """Outcome overall and per jurisdiction, every reason with its citation and evidence,
    the fee, licence conditions, red flags, the classification of each item and the
    rulebook version used. Same shape as `chipwatch check --json`."""
    return service.default().check(order).to_dict()


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
def catalog() -> dict[str, Any]:
    cat = service.default().catalog
    models = [
        {
            "id": m.id,
            "name": m.name,
            "vendor": m.vendor,
            "family": m.family,
            "kind": m.kind,
            "market": m.market,
            "designer_country": m.designer_country,
            "fab_country": m.fab_country,
            "aliases": list(m.aliases),
            "dense_tops": m.dense_tops,
            "die_area_mm2": m.die_area_mm2,
            "memory_bandwidth_gbs": m.memory_bandwidth_gbs,
            "interconnect_gbs": m.interconnect_gbs,
            "confidence": m.confidence,
            "sources": {k: list(v) for k, v in m.sources.items()},
            "unknown": m.unknown,
            "contains": [{"model": c.model, "count": c.count} for c in m.contains],
        }
        for m in cat.models.values()
    ]
    return {"version": cat.version, "digest": cat.digest, "models": models}


@router.get(
    "/rulebook/versions",
    summary="The rulebook's versions: stretches of time with the same rules in force",
)
def versions() -> dict[str, Any]:
    book = service.default().rulebook
    return {
        "rulebook": book.name,
        "digest": book.digest,
        "reviewed_through": book.reviewed_through.isoformat(),
        "versions": [
            {
                "id": v.id,
                "from": v.start.isoformat(),
                "to": v.end.isoformat() if v.end else None,
                "rules": [r.id for r in v.rules],
            }
            for v in book.versions
        ],
    }


@router.get(
    "/rules",
    summary="Rules with citations and evidence (optionally those in force on a date)",
    responses={422: PROBLEM},
)
def rules(on: dt.date | None = None) -> dict[str, Any]:
    book = service.default().rulebook
    chosen = book.rules
    if on is not None:
        version = book.version_on(on)
        chosen = version.rules if version else ()
    return {
        "rulebook": book.name,
        "digest": book.digest,
        "rules": [
            {
                "id": r.id,
                "jurisdiction": r.jurisdiction,
                "title": r.title,
                "text": r.text,
                "outcome": r.effective_outcome,
                "review_policy": r.review_policy,
                "effective_from": r.in_force.start.isoformat(),
                "effective_to": r.in_force.end.isoformat() if r.in_force.end else None,
                "suspensions": [
                    {
                        "from": s.start.isoformat(),
                        "to": s.end.isoformat() if s.end else None,
                        "citation": s.citation,
                    }
                    for s in r.suspensions
                ],
                "citation": r.citation,
                "evidence": r.evidence,
                "instrument": r.instrument.id,
                "conditions": list(r.conditions),
                "red_flag": r.red_flag,
                "fee": None
                if r.fee is None
                else {"rate": r.fee.rate, "label": r.fee.label, "basis": r.fee.basis},
            }
            for r in chosen
        ],
    }
