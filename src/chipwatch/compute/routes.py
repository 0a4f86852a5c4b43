"""/v1/compute/…: the compute report and the hub registry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from chipwatch.api.deps import DatabaseDep
from chipwatch.compute import scenario
from chipwatch.compute.hubs import default_hubs
from chipwatch.compute.report import BY, report

router = APIRouter(tags=["compute"])
PROBLEM = {"description": "Problem details (RFC 9457)", "content": {"application/problem+json": {}}}


@router.get(
    "/v1/compute/report",
    summary="Installed compute by hub, origin, vendor …",
    responses={422: PROBLEM},
)
def compute_report(
    database: DatabaseDep,
    by: Annotated[str, Query(description=f"one of {', '.join(BY)}")] = "hub",
    on: Annotated[dt.date | None, Query(description="declared inventories as of")] = None,
) -> dict[str, Any]:
    return report(database, by, on).to_dict()


@router.get("/v1/compute/hubs", summary="East-Data-West-Computing hubs and clusters")
def compute_hubs() -> dict[str, Any]:
    return default_hubs().to_dict()


@router.get(
    "/v1/compute/scenarios/{name}",
    summary="Capacity a policy scenario removes or could add, by hub and sector",
    responses={404: PROBLEM},
)
def compute_scenario(
    database: DatabaseDep,
    name: str,
    on: Annotated[dt.date | None, Query(description="as of")] = None,
) -> dict[str, Any]:
    return scenario.evaluate(database, scenario.find_scenario(name), on)


@router.get("/v1/compute/scenarios", summary="The policy scenarios shipped as data")
def compute_scenarios() -> list[dict[str, Any]]:
    return [s.model_dump(mode="json") for s in scenario.list_scenarios()]
