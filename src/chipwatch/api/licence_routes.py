"""/v1/licences: record licences, read them, change their status, see a revocation's reach."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, Field

from chipwatch.api.deps import DatabaseDep
from chipwatch.licensing import service
from chipwatch.licensing.documents import parse_licence_document

router = APIRouter(prefix="/v1/licences", tags=["licences"])

PROBLEM = {
    "description": "Problem details (RFC 9457) naming the field and the problem",
    "content": {"application/problem+json": {}},
}
EXAMPLE_LICENCE: dict[str, Any] = {
    "number": "D1287654",
    "authority": "BIS",
    "licensee": "NVIDIA Corporation",
    "approved_customers": [{"name": "Alibaba Cloud Computing Co., Ltd.", "country": "CN"}],
    "items": ["NVIDIA H200"],
    "destinations": ["CN"],
    "quantity": 5000,
    "value_usd": 155000000,
    "valid_from": "2026-02-02",
    "valid_to": "2027-01-31",
    "review_basis": "Case-by-case review, 15 CFR 742.6(b)(10)(iii)(A)(1)",
    "conditions": {"fee_rate": 0.25, "third_party_testing": True, "reporting": "quarterly"},
}


class StatusChange(BaseModel):
    reason: str = Field(min_length=1, examples=["BIS is-informed letter of 2026-03-02"])
    actor: str = Field(min_length=1, examples=["compliance@example.com"])


@router.post(
    "",
    status_code=201,
    summary="Record a licence (201; 200 if the identical document is already recorded)",
    responses={200: {"description": "Already recorded, identical"}, 409: PROBLEM, 422: PROBLEM},
)
def add_licence(
    database: DatabaseDep,
    response: Response,
    document: Annotated[dict[str, Any], Body(examples=[EXAMPLE_LICENCE])],
    actor: Annotated[str, Query(min_length=1, description="Who records it")] = "api",
) -> dict[str, Any]:
    """The licence document as in `chipwatch licences add`: number, authority, licensee,
    approved_customers, items, destinations, quantity, value_usd, valid_from, valid_to,
    review_basis, conditions. A different document under a recorded number is a 409."""
    doc = parse_licence_document(document)
    added = service.add_licence(database, doc, actor, original=document)
    if not added.created:
        response.status_code = 200
    return added.licence.to_dict(dt.date.today())


@router.get("", summary="Licences by number, paginated")
def list_licences(
    database: DatabaseDep,
    status: Annotated[
        str | None, Query(description="active, suspended, revoked or expired (today)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    licences, total = service.list_licences(database, status=status, limit=limit, offset=offset)
    today = dt.date.today()
    items = [licence.to_dict(today) for licence in licences]
    return {"items": items, "limit": limit, "offset": offset, "total": total}


@router.get("/{number}", summary="One licence with its actions", responses={404: PROBLEM})
def get_licence(database: DatabaseDep, number: str) -> dict[str, Any]:
    return service.get_licence(database, number).to_dict(dt.date.today())


@router.get(
    "/{number}/blast-radius",
    summary="What suspending or revoking the licence affects",
    responses={404: PROBLEM},
)
def blast_radius(database: DatabaseDep, number: str) -> dict[str, Any]:
    return service.blast_radius(database, number).to_dict()


def _status_route(action: str, summary: str) -> None:
    change = getattr(service, action)

    def route(database: DatabaseDep, number: str, body: StatusChange) -> dict[str, Any]:
        licence = change(database, number, body.actor, body.reason)
        return dict(licence.to_dict(dt.date.today()))

    router.add_api_route(
        f"/{{number}}/{action}",
        route,
        methods=["POST"],
        name=f"{action}_licence",
        summary=summary,
        responses={404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )


_status_route("suspend", "Suspend a licence (no shipments until reinstated)")
_status_route("revoke", "Revoke a licence (final)")
_status_route("reinstate", "Lift a suspension")
