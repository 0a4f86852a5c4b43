"""/v1 screening: screen names, import and compare list versions, work the review queue."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from chipwatch.api.deps import DatabaseDep
from chipwatch.api.screening_models import (
    BatchQuery,
    BatchResult,
    BatchScreenResponse,
    CaseOut,
    DiffOut,
    DispositionRequest,
    FormatOut,
    FormatsOut,
    ImportOut,
    ListVersionOut,
    Match,
    Page,
    ScreenRequest,
    ScreenResponse,
    UnscreenedParty,
)
from chipwatch.errors import Conflict, InvalidInput
from chipwatch.screening import cases as case_store
from chipwatch.screening import repository
from chipwatch.screening.lists import EXTRA_FILES, FORMATS, parse_list, sniff_format
from chipwatch.screening.records import ListVersion
from chipwatch.screening.rescreen import rescreen
from chipwatch.screening.runtime import load_screener
from chipwatch.screening.screener import ListScreener
from chipwatch.store import Database

router = APIRouter(prefix="/v1")

PROBLEM = {
    "description": "Problem details (RFC 9457) naming the field and the problem",
    "content": {"application/problem+json": {}},
}
ActorHeader = Annotated[
    str | None, Header(alias="X-Chipwatch-Actor", description="Who acts, if the body says not")
]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]
SCREEN_EXAMPLES: dict[str, Any] = {
    "one": {
        "summary": "One name",
        "value": {"name": "浙江大华技术股份有限公司", "country": "CN", "limit": 5},
    },
    "batch": {
        "summary": "A batch (at most 1000): the best candidate per name",
        "value": {
            "queries": [
                {"id": "p1", "name": "Harbin Institute of Technology", "country": "CN"},
                {"id": "p2", "name": "Alibaba Cloud Computing Co., Ltd.", "country": "CN"},
            ]
        },
    },
}
FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The list file itself, as the body",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in ("application/octet-stream", "text/csv", "application/json", "text/plain")
        },
    }
}


MAX_ACTOR = 200  # the audit log's actor column


def actor_of(given: str | None, header: str | None) -> str:
    """The body's actor, else the X-Chipwatch-Actor header, else "api" (until auth exists)."""
    for candidate in (given, header):
        if candidate and candidate.strip():
            if len(candidate.strip()) > MAX_ACTOR:
                raise InvalidInput(f"longer than {MAX_ACTOR} characters", field="actor")
            return candidate.strip()
    return "api"


def require_screener(database: Database) -> ListScreener:
    screener = load_screener(database)
    if screener is None:
        raise Conflict(
            "no restricted-party list is loaded: import one with POST /v1/lists/import "
            "or `chipwatch lists update`",
            field="lists",
        )
    return screener


# screen -----------------------------------------------------------------------------------


@router.post(
    "/screen",
    tags=["screening"],
    summary="Screen a name, or a batch of names, against the loaded lists",
    responses={409: PROBLEM, 422: PROBLEM},
)
def screen(
    database: DatabaseDep,
    request: Annotated[ScreenRequest, Body(openapi_examples=SCREEN_EXAMPLES)],
) -> ScreenResponse | BatchScreenResponse:
    """One name: its candidates, best first, each with the explanation (as `chipwatch screen
    --json`). A batch (`queries`): the best candidate per name (as `chipwatch screen --batch`).
    Nothing is recorded; `POST /v1/check` with a database records parties and opens cases."""
    if request.name is None and request.queries is None:
        raise InvalidInput("give `name` (one party) or `queries` (a batch)", field="name")
    if request.name is not None and request.queries is not None:
        raise InvalidInput("give either `name` or `queries`, not both", field="queries")
    screener = require_screener(database)
    if request.queries is not None:
        return _screen_batch(screener, request.queries)
    hits = screener.index.search(
        request.name or "",
        country=request.country,
        entity_type=request.entity_type,
        limit=request.limit,
    )
    return ScreenResponse(
        query=request.name or "",
        country=request.country,
        matches=[Match.model_validate(hit.to_dict()) for hit in hits],
        list_versions=screener.list_versions,
    )


def _screen_batch(screener: ListScreener, queries: list[BatchQuery]) -> BatchScreenResponse:
    results = []
    for position, query in enumerate(queries):
        hits = screener.index.search(
            query.name, country=query.country, entity_type=query.entity_type, limit=1
        )
        results.append(
            BatchResult(
                id=position if query.id is None else query.id,
                query=query.name,
                country=query.country,
                best=Match.model_validate(hits[0].to_dict()) if hits else None,
            )
        )
    return BatchScreenResponse(results=results, list_versions=screener.list_versions)


# lists ------------------------------------------------------------------------------------


def _version_out(version: ListVersion, current: set[int]) -> ListVersionOut:
    return ListVersionOut.model_validate({**version.to_dict(), "current": version.id in current})


def _current_ids(database: Database) -> set[int]:
    with database.session() as session:
        return {v.id for v in repository.current_versions(session).values()}


@router.get("/lists/formats", tags=["lists"], summary="The list file formats chipwatch reads")
def list_formats() -> FormatsOut:
    return FormatsOut(
        formats=[
            FormatOut(name=name, description=text, extra_files=list(EXTRA_FILES.get(name, ())))
            for name, text in FORMATS.items()
        ]
    )


@router.get("/lists/versions", tags=["lists"], summary="List versions, newest first")
def list_versions(
    database: DatabaseDep, limit: Limit = 100, offset: Offset = 0
) -> Page[ListVersionOut]:
    with database.session() as session:
        versions = repository.list_versions(session)
        current = {v.id for v in repository.current_versions(session).values()}
    page = versions[offset : offset + limit]
    items = [_version_out(v, current) for v in page]
    return Page(items=items, limit=limit, offset=offset, total=len(versions))


@router.get(
    "/lists/versions/{version_id}",
    tags=["lists"],
    summary="One list version",
    responses={404: PROBLEM},
)
def get_version(database: DatabaseDep, version_id: int) -> ListVersionOut:
    with database.session() as session:
        version = repository.get_version(session, version_id)
        current = {v.id for v in repository.current_versions(session).values()}
    return _version_out(version, current)


@router.get(
    "/lists/versions/{version_id}/diff",
    tags=["lists"],
    summary="Entries added, changed and removed between two list versions",
    responses={404: PROBLEM},
)
def diff_version(
    database: DatabaseDep,
    version_id: int,
    against: Annotated[int | None, Query(description="The older version (default: previous)")] = (
        None
    ),
) -> DiffOut:
    with database.session() as session:
        diff = repository.diff_versions(session, version_id, against).to_dict()
    counts = {kind: len(diff[kind]) for kind in ("added", "changed", "removed")}
    return DiffOut.model_validate({**diff, "counts": counts})


@router.post(
    "/lists/import",
    tags=["lists"],
    status_code=201,
    summary="Import a list file (the request body) as a new list version",
    responses={200: {"description": "The same file is already the latest version"}, 422: PROBLEM},
    openapi_extra=FILE_BODY,
)
async def import_list(
    request: Request,
    response: Response,
    database: DatabaseDep,
    fmt: Annotated[
        str | None,
        Query(alias="format", description="e.g. csl-csv (default: guessed from the content)"),
    ] = None,
    filename: Annotated[str | None, Query(description="The file's name, for the record")] = None,
    retrieved_at: Annotated[
        dt.datetime | None, Query(description="When it was downloaded (default: now; UTC)")
    ] = None,
    actor: Annotated[str | None, Query(description="Who imports it")] = None,
    actor_header: ActorHeader = None,
) -> ImportOut:
    """The whole file or nothing: a malformed file is a 422 naming the line and field. A new
    version re-screens stored parties against the entries it added or changed. OFAC's alt.csv
    and add.csv cannot be sent here (one file per request): use `chipwatch lists import`."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        raise InvalidInput("send the file itself as the body, not a multipart form", field="body")
    data = await request.body()
    if not data.strip():
        raise InvalidInput("the body is empty: send the list file as the body", field="body")
    who = actor_of(actor, actor_header)
    when = retrieved_at.replace(tzinfo=retrieved_at.tzinfo or dt.UTC) if retrieved_at else None
    result = await run_in_threadpool(_import, database, data, fmt, filename, when, who)
    if not result.created:
        response.status_code = 200
    return result


def _import(
    database: Database,
    data: bytes,
    fmt: str | None,
    filename: str | None,
    retrieved_at: dt.datetime | None,
    actor: str,
) -> ImportOut:
    name = filename or "upload"
    fmt = fmt or sniff_format(data, name)
    if fmt is None:
        raise InvalidInput(
            f"cannot tell the format; give ?format= ({', '.join(FORMATS)})", field="format"
        )
    parsed = parse_list(data, fmt, name=name)
    result = repository.import_list(
        database, parsed, origin=f"api:{name}", actor=actor, retrieved_at=retrieved_at
    )
    opened = rescreen(database, result.version.id, actor=actor)  # idempotent: also on a retry
    notes = []
    if fmt in EXTRA_FILES:
        notes.append(
            f"{fmt}: imported without its {', '.join(EXTRA_FILES[fmt])} files (aliases, "
            "addresses); `chipwatch lists import --alt --add` loads them"
        )
    return ImportOut.model_validate(
        {
            **_version_out(result.version, _current_ids(database)).model_dump(),
            "created": result.created,
            "cases_opened": opened,
            "ignored_rows": parsed.ignored_rows,
            "notes": notes,
        }
    )


# review queue -----------------------------------------------------------------------------


@router.get("/screening/cases", tags=["review queue"], summary="Screening cases, newest first")
def list_cases(
    database: DatabaseDep,
    status: Literal["open", "cleared", "confirmed", "all"] = "open",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CaseOut]:
    with database.session() as session:
        views, total = case_store.list_cases(
            session, status=None if status == "all" else status, limit=limit, offset=offset
        )
        items = [CaseOut.model_validate(v.to_dict()) for v in views]
    return Page(items=items, limit=limit, offset=offset, total=total)


@router.get(
    "/screening/cases/{case_id}",
    tags=["review queue"],
    summary="One case: the party, the list entry, why it matched, its dispositions",
    responses={404: PROBLEM},
)
def get_case(database: DatabaseDep, case_id: int) -> CaseOut:
    with database.session() as session:
        return CaseOut.model_validate(case_store.get_case(session, case_id).to_dict())


def _dispose_route(action: str, status: str, summary: str) -> None:
    def route(
        database: DatabaseDep,
        case_id: int,
        body: DispositionRequest,
        actor_header: ActorHeader = None,
    ) -> CaseOut:
        actor = actor_of(body.actor, actor_header)
        with database.transaction() as session:
            view = case_store.dispose(session, case_id, status, body.reason, actor)
            return CaseOut.model_validate(view.to_dict())

    router.add_api_route(
        f"/screening/cases/{{case_id}}/{action}",
        route,
        methods=["POST"],
        name=f"{action}_case",
        tags=["review queue"],
        summary=summary,
        responses={404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )


_dispose_route("clear", "cleared", "Clear a case (false positive); remembered for this party")
_dispose_route("confirm", "confirmed", "Confirm a case: the party is the listed entry")


@router.get(
    "/screening/parties/unscreened",
    tags=["review queue"],
    summary="Parties seen but never screened: not screened, never clear",
)
def unscreened(
    database: DatabaseDep, limit: Limit = 100, offset: Offset = 0
) -> Page[UnscreenedParty]:
    with database.session() as session:
        parties = case_store.unscreened_parties(session)
        items = [
            UnscreenedParty(
                name=p.name,
                country=p.country,
                party_key=p.party_key,
                first_seen_at=p.first_seen_at.isoformat(),
            )
            for p in parties[offset : offset + limit]
        ]
    return Page(items=items, limit=limit, offset=offset, total=len(parties))
