"""/v1/fees: balances per licensee and period, statements (CSV or PDF), remittances."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from chipwatch.api.deps import DatabaseDep
from chipwatch.api.licence_routes import PROBLEM
from chipwatch.licensing import remittances
from chipwatch.licensing.statement_pdf import statement_pdf
from chipwatch.licensing.statements import build_statement, statement_csv

router = APIRouter(prefix="/v1/fees", tags=["fees"])


class RemittanceBody(BaseModel):
    licensee: str = Field(min_length=1, examples=["NVIDIA Corporation"])
    period: str = Field(examples=["2026-Q1"])
    amount: str = Field(examples=["775000.00"], description="USD, as a decimal string")
    reference: str = Field(min_length=1, examples=["FEDWIRE-20260415-0001"])
    actor: str = Field(default="api", min_length=1)


@router.get("", summary="Accrued, reported, remitted and outstanding per licensee and period")
def balances(
    database: DatabaseDep,
    period: Annotated[str | None, Query(examples=["2026-Q1"])] = None,
    licensee: str | None = None,
) -> dict[str, Any]:
    return {"items": remittances.balances(database, period=period, licensee=licensee)}


@router.get(
    "/statement",
    summary="A quarter's fee statement as CSV or PDF",
    responses={
        200: {"content": {"text/csv": {}, "application/pdf": {}}},
        422: PROBLEM,
    },
)
def statement(
    database: DatabaseDep,
    period: Annotated[str, Query(examples=["2026-Q1"])],
    licensee: str | None = None,
    format: Literal["csv", "pdf"] = "csv",
) -> Response:
    built = build_statement(database, period=period, licensee=licensee)
    name = f"fee-statement-{built.period}"
    if format == "pdf":
        return Response(
            statement_pdf(built),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return Response(
        statement_csv(built),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.post(
    "/remittances",
    status_code=201,
    summary="Record a remittance (201; 200 if the same reference is already recorded)",
    responses={200: {"description": "Already recorded"}, 409: PROBLEM, 422: PROBLEM},
)
def remit(database: DatabaseDep, body: RemittanceBody, response: Response) -> dict[str, Any]:
    entry, created = remittances.remit(
        database,
        licensee=body.licensee,
        period=body.period,
        amount=body.amount,
        reference=body.reference,
        actor=body.actor,
    )
    if not created:
        response.status_code = 200
    return entry.to_dict()
