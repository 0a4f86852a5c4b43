"""/v1/compute/…: the compute report and the hub registry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from chipwatch.api.deps import DatabaseDep
from chipwatch.compute import charts, scenario
from chipwatch.compute.hubs import default_hubs
from chipwatch.compute.report import BY, Report, report
from chipwatch.store import Database

router = APIRouter(tags=["compute"])
PROBLEM = {"description": "Problem details (RFC 9457)", "content": {"application/problem+json": {}}}
SVG: dict[int | str, dict[str, Any]] = {
    200: {"description": "SVG chart", "content": {"image/svg+xml": {}}}
}


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


@router.get(
    "/v1/compute/report.svg",
    summary="Chart: H100-eq by group, domestic vs imported",
    response_class=Response,
    responses={**SVG, 422: PROBLEM},
)
def compute_report_svg(
    database: DatabaseDep,
    by: Annotated[str, Query(description=f"one of {', '.join(BY)}")] = "hub",
    on: Annotated[dt.date | None, Query(description="declared inventories as of")] = None,
) -> Response:
    return Response(charts.report_svg(report(database, by, on)), media_type="image/svg+xml")


@router.get("/v1/compute/hubs", summary="East-Data-West-Computing hubs and clusters")
def compute_hubs() -> dict[str, Any]:
    return default_hubs().to_dict()


# Registered before /v1/compute/scenarios/{name}, which would otherwise take "x.svg" as a name.
@router.get(
    "/v1/compute/scenarios/{name}.svg",
    summary="Chart: H100-eq per hub before and after a scenario",
    response_class=Response,
    responses={**SVG, 404: PROBLEM},
)
def compute_scenario_svg(
    database: DatabaseDep,
    name: str,
    on: Annotated[dt.date | None, Query(description="as of")] = None,
) -> Response:
    result, before = scenario_and_before(database, name, on)
    return Response(charts.scenario_svg(before, result), media_type="image/svg+xml")


def scenario_and_before(
    database: Database, name: str, on: dt.date | None
) -> tuple[dict[str, Any], Report]:
    """The evaluated scenario and the report by hub on the same day (what it removes from)."""
    result = scenario.evaluate(database, scenario.find_scenario(name), on)
    return result, report(database, "hub", dt.date.fromisoformat(result["on"]))


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
