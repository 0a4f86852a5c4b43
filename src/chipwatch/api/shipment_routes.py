"""/v1/shipments (draw licences down) and /v1/us-shipments (the aggregate cap's base)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from chipwatch.api.deps import DatabaseDep
from chipwatch.api.licence_routes import PROBLEM
from chipwatch.licensing import aggregate, shipment_status, shipment_views, shipments
from chipwatch.orders import parse_order

router = APIRouter(tags=["shipments"])

EXAMPLE_ORDER: dict[str, Any] = {
    "id": "PO-2026-0042",
    "date": "2026-02-10",
    "ship_from": "US",
    "ship_to": {"country": "MO"},
    "end_use": "commercial_training",
    "items": [{"model": "NVIDIA H200", "quantity": 1000, "unit_price_usd": 31000}],
    "parties": [
        {"role": "end_user", "name": "Macau Cloud Computing Ltd.", "country": "MO"},
    ],
}


class ShipmentRequestBody(BaseModel):
    order: dict[str, Any] = Field(examples=[EXAMPLE_ORDER], description="The order, as decided.")
    licence: str = Field(min_length=1, examples=["D1287654"])
    quantity: int = Field(ge=1, examples=[2])
    serials: list[str] = Field(examples=[["SN-0001", "SN-0002"]])
    idempotency_key: str = Field(min_length=1, max_length=200, examples=["erp-SO-88123-1"])


class StatusChange(BaseModel):
    reason: str = Field(default="", examples=["customer withdrew the order"])
    actor: str = Field(min_length=1, examples=["logistics@example.com"])


class UsShipmentsBody(BaseModel):
    licensee: str = Field(min_length=1, examples=["NVIDIA Corporation"])
    product: str = Field(min_length=1, examples=["NVIDIA H200"])
    period: str = Field(examples=["2026-Q1"])
    quantity: int = Field(ge=0, examples=[20000])
    source: str = ""
    actor: str = Field(default="api", min_length=1)


@router.post(
    "/v1/shipments",
    status_code=201,
    summary="Ship under a licence: re-decide, check, draw down (201), or refuse (409)",
    responses={404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
)
def create_shipment(
    database: DatabaseDep,
    body: ShipmentRequestBody,
    response: Response,
    actor: Annotated[str, Query(min_length=1, description="Who ships")] = "api",
) -> dict[str, Any]:
    """A retry with the same `idempotency_key` and body returns the first result (the
    shipment, with `Idempotent-Replayed: true`, or the same 409) and draws nothing; the same
    key with another body is a 409 naming `idempotency_key`."""
    order = parse_order(body.order, source="order")
    result = shipments.ship(
        database,
        order=order,
        licence_number=body.licence,
        quantity=body.quantity,
        serials=body.serials,
        idempotency_key=body.idempotency_key,
        actor=actor,
    )
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return {**result.shipment, "remaining": result.remaining}


@router.get("/v1/shipments", summary="Shipments, newest first")
def list_shipments(
    database: DatabaseDep,
    licence: str | None = None,
    status: Annotated[str | None, Query(description="pending, blocked, shipped, …")] = None,
    order_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    items, total = shipment_views.list_shipments(
        database, licence=licence, status=status, order_id=order_id, limit=limit, offset=offset
    )
    return {"items": items, "limit": limit, "offset": offset, "total": total}


@router.get("/v1/shipments/{shipment_id}", summary="One shipment", responses={404: PROBLEM})
def get_shipment(database: DatabaseDep, shipment_id: int) -> dict[str, Any]:
    return shipment_views.get_shipment(database, shipment_id)


def _status_route(action: str, summary: str) -> None:
    change = getattr(shipment_status, f"{action}_shipment")

    def route(database: DatabaseDep, shipment_id: int, body: StatusChange) -> dict[str, Any]:
        return dict(change(database, shipment_id, body.actor, body.reason))

    router.add_api_route(
        f"/v1/shipments/{{shipment_id}}/{action}",
        route,
        methods=["POST"],
        name=f"{action}_shipment",
        summary=summary,
        responses={404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )


_status_route("cancel", "Cancel a shipment: reverses its draw-down and fees (reason required)")
_status_route("dispatch", "The shipment left: in transit (only under an active licence)")
_status_route("deliver", "The shipment reached its consignee")


@router.post(
    "/v1/us-shipments",
    status_code=201,
    summary="Report units shipped to US end users in a quarter (the aggregate cap's base)",
    responses={422: PROBLEM},
)
def report_us_shipments(database: DatabaseDep, body: UsShipmentsBody) -> dict[str, Any]:
    report = aggregate.record_us_shipments(
        database,
        licensee=body.licensee,
        product=body.product,
        period=body.period,
        quantity=body.quantity,
        actor=body.actor,
        source=body.source,
    )
    return report.to_dict()


@router.get("/v1/us-shipments", summary="Reports of US shipments, oldest first")
def list_us_shipments(database: DatabaseDep, licensee: str | None = None) -> list[dict[str, Any]]:
    return [r.to_dict() for r in aggregate.list_us_shipments(database, licensee=licensee)]
