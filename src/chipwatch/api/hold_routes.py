"""/v1/holds: clear a named hold for one order, with a reason; list the reviews."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, Field

from chipwatch.api.deps import DatabaseDep
from chipwatch.holds import clear_hold, list_reviews
from chipwatch.orders import Order
from chipwatch.workflow import decide_order

router = APIRouter(prefix="/v1", tags=["holds"])
PROBLEM = {"description": "Problem details (RFC 9457)", "content": {"application/problem+json": {}}}


class ClearHold(BaseModel):
    order: Order
    rule_id: str = Field(min_length=1, max_length=100, examples=["CN-2026-01-14-CUSTOMS-H200"])
    reason: str = Field(
        min_length=1, max_length=4000, examples=["MOFCOM approval 2026-0042 seen; customs cleared"]
    )
    evidence: dict[str, Any] = Field(default_factory=dict)
    actor: str | None = Field(default=None, max_length=200)


@router.post(
    "/holds",
    status_code=201,
    summary="Clear a named hold for one order",
    responses={409: PROBLEM, 422: PROBLEM},
)
def clear(
    body: ClearHold,
    database: DatabaseDep,
    x_chipwatch_actor: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    """Records who cleared which hold of this order (bound to the order's content) and why;
    returns the review and the order's decision with the hold set aside. Clearing the same
    hold again returns the first review."""
    decision = decide_order(database, body.order)
    actor = body.actor or x_chipwatch_actor or "api"
    with database.transaction() as session:
        review = clear_hold(
            session,
            body.order,
            decision,
            body.rule_id,
            reason=body.reason,
            actor=actor,
            evidence=body.evidence,
        ).to_dict()
    return {"review": review, "decision": decide_order(database, body.order).to_dict()}


@router.get("/holds", summary="Recorded hold reviews, newest first")
def reviews(
    database: DatabaseDep, order_id: Annotated[str | None, Query(max_length=200)] = None
) -> dict[str, Any]:
    with database.session() as session:
        return {"items": [r.to_dict() for r in list_reviews(session, order_id=order_id)]}
