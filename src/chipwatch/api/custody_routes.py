"""/v1/chips, /v1/sites, /v1/landmarks, /v1/custody/flags: the chain of custody."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import AwareDatetime, BaseModel, Field

from chipwatch.api.deps import DatabaseDep
from chipwatch.custody import chips, flags, inspections, places
from chipwatch.custody.documents import InspectionDoc, LandmarkDoc, SiteDoc, validate

router = APIRouter(tags=["custody"])

PROBLEM = {
    "description": "Problem details (RFC 9457) naming the field and the problem",
    "content": {"application/problem+json": {}},
}
ERRORS: dict[int | str, dict[str, Any]] = {404: PROBLEM, 409: PROBLEM, 422: PROBLEM}
Actor = Annotated[str, Query(min_length=1, description="Who acts, for the audit log")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


class ChipBody(BaseModel):
    serial: str = Field(min_length=1, max_length=100, examples=["H200-0001234"])
    model: str = Field(min_length=1, examples=["NVIDIA H200 SXM 141GB"])
    licence: str | None = Field(default=None, examples=["D1287654"])
    order_id: str | None = None
    custodian: str | None = None
    site: str | None = None
    state: str = "manufactured"


class EventBody(BaseModel):
    event: str = Field(min_length=1, examples=["shipped"])
    at: AwareDatetime | None = None
    place: str | None = Field(default=None, max_length=300)
    evidence: dict[str, Any] = Field(default_factory=dict)
    event_id: str | None = Field(
        default=None, max_length=200, description="Idempotency key: a repeat returns the first"
    )
    site: str | None = None
    custodian: str | None = None


class Disposition(BaseModel):
    reason: str = Field(min_length=1)
    actor: str = Field(min_length=1)


@router.post("/v1/chips", status_code=201, summary="Register a chip", responses=ERRORS)
def add_chip(database: DatabaseDep, body: ChipBody, actor: Actor = "api") -> dict[str, Any]:
    new = chips.NewChip(
        body.serial,
        body.model,
        body.licence,
        body.order_id,
        body.custodian,
        body.site,
        body.state,
    )
    with database.transaction() as session:
        return chips.add_chip(session, new, actor).to_dict()


@router.get("/v1/chips", summary="Chips by serial, paginated")
def list_chips(
    database: DatabaseDep,
    state: str | None = None,
    site: str | None = None,
    licence: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    with database.session() as session:
        found, total = chips.list_chips(
            session, state=state, site=site, licence=licence, limit=limit, offset=offset
        )
        items = [c.to_dict() for c in found]
    return {"items": items, "limit": limit, "offset": offset, "total": total}


@router.get("/v1/chips/{serial}", summary="A chip with its timeline", responses={404: PROBLEM})
def get_chip(database: DatabaseDep, serial: str) -> dict[str, Any]:
    with database.session() as session:
        return chips.timeline(session, serial)


@router.post(
    "/v1/chips/{serial}/events",
    status_code=201,
    summary="The chip's next event (201; 200 for a repeated event_id; 409 if illegal)",
    responses=ERRORS,
)
def post_event(
    database: DatabaseDep, response: Response, serial: str, body: EventBody, actor: Actor = "api"
) -> dict[str, Any]:
    request = chips.EventRequest(
        serial=serial,
        event=body.event,
        actor=actor,
        at=body.at,
        place=body.place,
        evidence=body.evidence,
        event_id=body.event_id,
        site=body.site,
        custodian=body.custodian,
    )
    with database.transaction() as session:
        result = chips.apply_event(session, request)
        if result.repeated:
            response.status_code = 200
        return result.to_dict()


@router.post(
    "/v1/chips/{serial}/inspections",
    status_code=201,
    summary="Record a pre-export inspection (a pass enrols the chip's key)",
    responses=ERRORS,
)
def post_inspection(
    database: DatabaseDep,
    serial: str,
    document: Annotated[dict[str, Any], Body()],
    actor: Actor = "api",
) -> dict[str, Any]:
    doc = validate(InspectionDoc, document)
    with database.transaction() as session:
        result = inspections.record_inspection(session, serial, doc, actor)
        return {
            "inspection": result.inspection.to_dict(),
            "event": result.event.to_dict(),
            "flags": [f.id for f in result.flags],
        }


@router.get("/v1/sites", summary="Every site")
def list_sites(database: DatabaseDep) -> list[dict[str, Any]]:
    with database.session() as session:
        return [s.to_dict() for s in places.list_sites(session)]


@router.get("/v1/sites/{site_id}", summary="One site", responses={404: PROBLEM})
def get_site(database: DatabaseDep, site_id: str) -> dict[str, Any]:
    with database.session() as session:
        return places.get_site(session, site_id).to_dict()


@router.post(
    "/v1/sites", summary="Create or replace sites (one object or a list)", responses=ERRORS
)
def put_sites(
    database: DatabaseDep, document: Annotated[Any, Body()], actor: Actor = "api"
) -> dict[str, list[str]]:
    items = document if isinstance(document, list) else [document]
    docs = [validate(SiteDoc, item, where=f"sites[{i}]") for i, item in enumerate(items)]
    with database.transaction() as session:
        created, replaced = places.put_sites(session, docs, actor, source="api")
    return {"created": created, "replaced": replaced}


@router.delete("/v1/sites/{site_id}", status_code=204, responses=ERRORS)
def delete_site(database: DatabaseDep, site_id: str, actor: Actor = "api") -> Response:
    with database.transaction() as session:
        places.remove_site(session, site_id, actor)
    return Response(status_code=204)


@router.get("/v1/landmarks", summary="Every landmark")
def list_landmarks(database: DatabaseDep, vetting: str | None = None) -> list[dict[str, Any]]:
    with database.session() as session:
        return [m.to_dict() for m in places.list_landmarks(session, vetting=vetting)]


@router.get("/v1/landmarks/{landmark_id}", summary="One landmark", responses={404: PROBLEM})
def get_landmark(database: DatabaseDep, landmark_id: str) -> dict[str, Any]:
    with database.session() as session:
        return places.get_landmark(session, landmark_id).to_dict()


@router.post(
    "/v1/landmarks", summary="Create or replace landmarks (one object or a list)", responses=ERRORS
)
def put_landmarks(
    database: DatabaseDep, document: Annotated[Any, Body()], actor: Actor = "api"
) -> dict[str, list[str]]:
    items = document if isinstance(document, list) else [document]
    docs = [validate(LandmarkDoc, item, where=f"landmarks[{i}]") for i, item in enumerate(items)]
    with database.transaction() as session:
        created, replaced = places.put_landmarks(session, docs, actor, source="api")
    return {"created": created, "replaced": replaced}


@router.get("/v1/custody/flags", summary="Custody flags, newest first")
def list_flags(
    database: DatabaseDep,
    status: str | None = None,
    serial: str | None = None,
    kind: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    with database.session() as session:
        views, total = flags.list_flags(
            session, status=status, serial=serial, kind=kind, limit=limit, offset=offset
        )
        items = [v.to_dict() for v in views]
    return {"items": items, "limit": limit, "offset": offset, "total": total}


@router.get("/v1/custody/flags/{flag_id}", summary="One flag", responses={404: PROBLEM})
def get_flag(database: DatabaseDep, flag_id: int) -> dict[str, Any]:
    with database.session() as session:
        return flags.get_flag(session, flag_id).to_dict()


@router.post(
    "/v1/custody/flags/{flag_id}/{status}", summary="Clear or confirm a flag", responses=ERRORS
)
def dispose_flag(
    database: DatabaseDep, flag_id: int, status: str, body: Disposition
) -> dict[str, Any]:
    outcome = {"clear": "cleared", "confirm": "confirmed"}.get(status, status)
    with database.transaction() as session:
        return flags.dispose_flag(session, flag_id, outcome, body.reason, body.actor).to_dict()


@router.post("/v1/custody/check-silent", summary="Flag chips silent past their interval")
def check_silent(
    database: DatabaseDep, now: AwareDatetime | None = None, actor: Actor = "api"
) -> dict[str, list[int]]:
    return {"flags": flags.check_silent(database, now or dt.datetime.now(dt.UTC), actor)}
