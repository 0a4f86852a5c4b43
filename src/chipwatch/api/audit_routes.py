"""/v1/audit: read the audit log and verify its hash chain."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from chipwatch.api.deps import DatabaseDep
from chipwatch.store import audit

router = APIRouter(prefix="/v1/audit", tags=["audit"])


def _utc(instant: dt.datetime | None) -> dt.datetime | None:
    if instant is None or instant.tzinfo is not None:
        return instant
    return instant.replace(tzinfo=dt.UTC)  # an instant without an offset is read as UTC


@router.get("", summary="Audit records, newest first")
def list_audit(
    database: DatabaseDep,
    action: Annotated[str | None, Query(description="e.g. licence.suspend")] = None,
    actor: str | None = None,
    subject: Annotated[str | None, Query(description="e.g. a licence number")] = None,
    since: Annotated[
        dt.datetime | None, Query(description="at or after (UTC if no offset)")
    ] = None,
    until: Annotated[dt.datetime | None, Query(description="before (UTC if no offset)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    filters: dict[str, Any] = {
        "action": action,
        "actor": actor,
        "subject": subject,
        "since": _utc(since),
        "until": _utc(until),
    }
    with database.session() as session:
        items = [
            r.to_dict() for r in audit.list_records(session, **filters, limit=limit, offset=offset)
        ]
        total = audit.count_records(session, **filters)
    return {"items": items, "limit": limit, "offset": offset, "total": total}


@router.get("/verify", summary="Recompute the hash chain and name the first bad record")
def verify_audit(database: DatabaseDep) -> dict[str, Any]:
    """`ok` is false when a record was altered, removed or reordered; `first_bad_seq` names it."""
    with database.session() as session:
        return audit.verify(session).to_dict()
