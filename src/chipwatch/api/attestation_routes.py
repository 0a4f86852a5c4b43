"""/v1/attestations: judge a chip's signed location report and record the outcome."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from chipwatch.api.deps import DatabaseDep
from chipwatch.api.licence_routes import PROBLEM
from chipwatch.location.custody_link import verify_and_record
from chipwatch.location.report import AttestationReport
from chipwatch.location.verify import Policy

router = APIRouter(tags=["attestations"])


@router.post(
    "/v1/attestations",
    summary="Verdict on a location report: proven, consistent, inconsistent or invalid",
    responses={409: PROBLEM, 422: PROBLEM},
)
def submit_attestation(
    database: DatabaseDep,
    report: AttestationReport,
    actor: Annotated[str, Query(min_length=1, description="Who submits")] = "api",
) -> dict[str, Any]:
    """Landmarks, the site and the chip's key come from the custody tables. `proven` and
    `consistent` record a check-in; `inconsistent` and `invalid` open a custody flag. The
    document names the deciding landmark with its numbers and gives the feasible region as
    GeoJSON (see docs/location.md)."""
    return verify_and_record(database, report, Policy(), actor=actor).document
