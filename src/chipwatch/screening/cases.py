"""The review queue: cases opened by screening, and officers' dispositions of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.orders import Party
from chipwatch.screening import PossibleMatch, ScreeningReport
from chipwatch.screening.records import ScreenedParty, ScreeningCase, ScreeningDisposition
from chipwatch.screening.screener import EXACT, Disposition, ListScreener
from chipwatch.store.audit import AuditHead, append

STATUSES = ("open", "cleared", "confirmed")


class DbDispositions:
    """Every party's latest disposition per list entry, read once (the table is small)."""

    def __init__(self, session: Session) -> None:
        self._latest: dict[tuple[str, str, str], Disposition] = {}
        self._by_content: dict[tuple[str, str, str, str], Disposition] = {}
        for row in session.scalars(select(ScreeningDisposition).order_by(ScreeningDisposition.id)):
            found = Disposition(row.status, row.content_hash, row.actor, row.at, row.reason)
            self._latest[(row.party_key, row.source, row.entry_id)] = found
            self._by_content[(row.party_key, row.source, row.entry_id, row.content_hash)] = found

    def latest(
        self, party_key: str, source: str, entry_id: str, content_hash: str | None = None
    ) -> Disposition | None:
        """The disposition of this content of the entry (a list file may go back to an earlier
        rendering of it), else the latest one."""
        if content_hash is not None:
            found = self._by_content.get((party_key, source, entry_id, content_hash))
            if found is not None:
                return found
        return self._latest.get((party_key, source, entry_id))


@dataclass(frozen=True, slots=True)
class CaseView:
    case: ScreeningCase
    dispositions: tuple[ScreeningDisposition, ...]

    @property
    def status(self) -> str:
        return self.dispositions[-1].status if self.dispositions else "open"

    def to_dict(self) -> dict[str, Any]:
        c = self.case
        return {
            "id": c.id,
            "status": self.status,
            "opened_at": c.opened_at.isoformat(),
            "party": {"name": c.party_name, "country": c.party_country, "key": c.party_key},
            "subject": c.subject,
            "order_id": c.order_id,
            "list_entry": {
                "source": c.source,
                "entry_id": c.entry_id,
                "name": c.entry_name,
                "content_hash": c.content_hash,
            },
            "score": c.score,
            "explanation": c.explanation,
            "list_version": c.list_version,
            "dispositions": [
                {
                    "status": d.status,
                    "reason": d.reason,
                    "actor": d.actor,
                    "at": d.at.isoformat(),
                }
                for d in self.dispositions
            ],
        }


def record_screening(
    session: Session,
    screener: ListScreener,
    parties: Sequence[Party],
    report: ScreeningReport,
    *,
    order_id: str | None,
    actor: str,
) -> list[int]:
    """Remember who was screened and open a case per open match (idempotent); case ids."""
    _lock_queue(session)
    now = dt.datetime.now(dt.UTC)
    opened: list[int] = []
    for party, screening in zip(parties, report.parties, strict=True):
        key = screener.party_key(party.name, party.country)
        stored = session.get(ScreenedParty, key)
        if stored is None:
            stored = ScreenedParty(
                party_key=key,
                name=party.name,
                country=party.country,
                first_seen_at=now,
                list_versions={},
            )
            session.add(stored)
        if report.performed:
            stored.last_screened_at = now
            stored.list_versions = dict(report.list_versions)
        for match in screening.resolved:  # exact matches: a case an officer can clear
            if (match.disposition or {}).get("actor") == "chipwatch":
                case_id = open_case(
                    session,
                    (party.name, party.country, match.key or key),
                    match,
                    order_id=order_id,
                    list_versions=report.list_versions,
                    actor=actor,
                )
                _confirm_exact(session, case_id)
                opened.append(case_id)
        for match in screening.possible_matches:
            opened.append(
                open_case(
                    session,
                    (party.name, party.country, match.key or key),
                    match,
                    order_id=order_id,
                    list_versions=report.list_versions,
                    actor=actor,
                )
            )
    return opened


def open_case(
    session: Session,
    party: tuple[str, str, str],
    match: PossibleMatch,
    *,
    order_id: str | None,
    list_versions: Mapping[str, str],
    actor: str,
) -> int:
    """The case for this party and list entry content: the existing one, or a new one."""
    _lock_queue(session)
    name, country, key = party
    now = dt.datetime.now(dt.UTC)
    existing = session.scalar(
        select(ScreeningCase.id).where(
            ScreeningCase.party_key == key,
            ScreeningCase.source == match.source,
            ScreeningCase.entry_id == match.entry_id,
            ScreeningCase.content_hash == match.content_hash,
        )
    )
    if existing is not None:
        return existing
    case = ScreeningCase(
        opened_at=now,
        party_key=key,
        party_name=name,
        party_country=country,
        subject=match.subject or name,
        order_id=order_id,
        source=match.source,
        entry_id=match.entry_id,
        content_hash=match.content_hash,
        entry_name=match.entry_name,
        score=match.score,
        explanation=dict(match.details),
        list_version=list_versions.get(match.source, ""),
    )
    session.add(case)
    session.flush()
    append(
        session,
        actor=actor,
        action="screening.case",
        subject=f"case {case.id}",
        payload={
            "party": name,
            "entry": f"{match.source}:{match.entry_id}",
            "score": match.score,
            "order_id": order_id,
        },
        versions=dict(list_versions),
    )
    return case.id


def dispose(session: Session, case_id: int, status: str, reason: str, actor: str) -> CaseView:
    """Clear (false positive) or confirm a case, with a reason; appended, never edited."""
    if status not in ("cleared", "confirmed"):
        raise InvalidInput("must be 'cleared' or 'confirmed'", field="status")
    if not reason.strip():
        raise InvalidInput("a reason is required", field="reason")
    if not actor.strip():
        raise InvalidInput("an actor is required", field="actor")
    _lock_queue(session)
    view = get_case(session, case_id)
    if view.status == status:
        raise Conflict(f"case {case_id} is already {status}", field="status")
    case = view.case
    session.add(
        ScreeningDisposition(
            case_id=case.id,
            party_key=case.party_key,
            source=case.source,
            entry_id=case.entry_id,
            content_hash=case.content_hash,
            status=status,
            reason=reason.strip(),
            actor=actor,
            at=dt.datetime.now(dt.UTC),
        )
    )
    session.flush()
    append(
        session,
        actor=actor,
        action="screening.disposition",
        subject=f"case {case.id}",
        payload={
            "status": status,
            "reason": reason.strip(),
            "party": case.party_name,
            "entry": f"{case.source}:{case.entry_id}",
            "content_hash": case.content_hash,
        },
    )
    return get_case(session, case_id)


def _confirm_exact(session: Session, case_id: int) -> None:
    """An exact match's case starts confirmed by chipwatch, so an officer can clear it."""
    view = get_case(session, case_id)
    if view.dispositions:
        return
    case = view.case
    session.add(
        ScreeningDisposition(
            case_id=case.id,
            party_key=case.party_key,
            source=case.source,
            entry_id=case.entry_id,
            content_hash=case.content_hash,
            status="confirmed",
            reason=EXACT,
            actor="chipwatch",
            at=dt.datetime.now(dt.UTC),
        )
    )
    session.flush()


def _lock_queue(session: Session) -> None:
    """Serialise the queue's read-then-insert writers on PostgreSQL: lock the audit head they
    append to anyway (on SQLite, BEGIN IMMEDIATE already serialises writers)."""
    session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update())


def get_case(session: Session, case_id: int) -> CaseView:
    case = session.get(ScreeningCase, case_id)
    if case is None:
        raise NotFound(f"no screening case {case_id}", field="case")
    dispositions = session.scalars(
        select(ScreeningDisposition)
        .where(ScreeningDisposition.case_id == case_id)
        .order_by(ScreeningDisposition.id)
    )
    return CaseView(case, tuple(dispositions))


def list_cases(
    session: Session, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[CaseView], int]:
    """Cases, newest first, filtered by status; with the total count of the filter."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"must be one of {', '.join(STATUSES)}", field="status")
    latest = (
        select(ScreeningDisposition.case_id, func.max(ScreeningDisposition.id).label("last"))
        .group_by(ScreeningDisposition.case_id)
        .subquery()
    )
    query = select(ScreeningCase.id).outerjoin(latest, latest.c.case_id == ScreeningCase.id)
    if status == "open":
        query = query.where(latest.c.last.is_(None))
    elif status is not None:
        query = query.join(ScreeningDisposition, ScreeningDisposition.id == latest.c.last).where(
            ScreeningDisposition.status == status
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ids = session.scalars(query.order_by(ScreeningCase.id.desc()).limit(limit).offset(offset))
    return [get_case(session, i) for i in ids], total


def unscreened_parties(session: Session) -> list[ScreenedParty]:
    """Parties chipwatch has seen but never screened: shown as *not screened*, never clear."""
    return list(
        session.scalars(
            select(ScreenedParty)
            .where(ScreenedParty.last_screened_at.is_(None))
            .order_by(ScreenedParty.name)
        )
    )
