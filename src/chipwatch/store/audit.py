"""The audit log: an append-only hash chain of everything chipwatch decided or changed.

Each record carries the SHA-256 of the canonical JSON of its own fields and of the previous
record's hash, so editing, removing or reordering a record breaks the chain at that record.
``audit_head`` (one row) holds the last seq and hash: appends lock it (PostgreSQL) or run
under SQLite's ``BEGIN IMMEDIATE``, which keeps the chain linear and gap-free, and it is how
``verify`` notices that records were cut off the end. Pruning old records leaves an anchor
(the last pruned record's seq and hash) that the remaining chain starts from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, func, select
from sqlalchemy.orm import Session

from chipwatch.errors import InvalidData
from chipwatch.settings import get_settings
from chipwatch.store.audit_model import GENESIS_HASH, AuditHead, AuditRecord, record_hash
from chipwatch.store.canonical import jsonable

__all__ = [
    "GENESIS_HASH",
    "PRUNE_ACTION",
    "AuditEntry",
    "AuditHead",
    "AuditRecord",
    "VerifyResult",
    "append",
    "append_many",
    "count_records",
    "list_records",
    "prune",
    "record_hash",
    "verify",
]

PRUNE_ACTION = "audit.prune"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    records: int
    first_bad_seq: int | None
    problem: str
    head_seq: int = 0
    head_hash: str = GENESIS_HASH

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    payload: Mapping[str, Any],
    versions: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Append a record inside the caller's transaction (it commits or rolls back with it)."""
    for name, value in (("actor", actor), ("action", action)):
        if not value.strip():
            raise ValueError(f"audit record needs a non-empty {name}")
    head = _lock_head(session)
    record = AuditRecord(
        seq=head.seq + 1,
        at=dt.datetime.now(dt.UTC),
        actor=actor,
        action=action,
        subject=subject,
        payload=jsonable(payload),
        versions=jsonable(versions or {}),
        prev_hash=head.hash,
    )
    record.hash = record.computed_hash()
    session.add(record)
    head.seq, head.hash = record.seq, record.hash
    session.flush()
    return record


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A record to append with ``append_many``."""

    actor: str
    action: str
    subject: str
    payload: Mapping[str, Any]
    versions: Mapping[str, Any] | None = None


def append_many(session: Session, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
    """Append ``entries`` in order inside the caller's transaction: one head lock and one
    flush for all of them (what ``append`` does for one)."""
    if not entries:
        return []
    for entry in entries:
        for name, value in (("actor", entry.actor), ("action", entry.action)):
            if not value.strip():
                raise ValueError(f"audit record needs a non-empty {name}")
    head = _lock_head(session)
    now = dt.datetime.now(dt.UTC)
    seq, prev_hash = head.seq, head.hash
    records = []
    for entry in entries:
        seq += 1
        record = AuditRecord(
            seq=seq,
            at=now,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            payload=jsonable(entry.payload),
            versions=jsonable(entry.versions or {}),
            prev_hash=prev_hash,
        )
        record.hash = prev_hash = record.computed_hash()
        records.append(record)
    session.add_all(records)
    head.seq, head.hash = seq, prev_hash
    session.flush()
    return records


def _lock_head(session: Session) -> AuditHead:
    # FOR UPDATE serialises appenders on PostgreSQL; SQLite has no row locks (nor needs them).
    query = select(AuditHead).where(AuditHead.id == 1).with_for_update()
    head = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if head is None:
        raise RuntimeError("audit_head is missing: run `chipwatch db upgrade`")
    return head


def list_records(
    session: Session,
    *,
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditRecord]:
    """Records matching every filter given, newest first; ``until`` is exclusive."""
    query = _filtered(select(AuditRecord), action, actor, subject, since, until)
    query = query.order_by(AuditRecord.seq.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_records(
    session: Session,
    *,
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> int:
    """How many records ``list_records`` would page through."""
    query = _filtered(
        select(func.count()).select_from(AuditRecord), action, actor, subject, since, until
    )
    return int(session.scalar(query) or 0)


def _filtered(
    query: Select[Any],
    action: str | None,
    actor: str | None,
    subject: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> Select[Any]:
    if action is not None:
        query = query.where(AuditRecord.action == action)
    if actor is not None:
        query = query.where(AuditRecord.actor == actor)
    if subject is not None:
        query = query.where(AuditRecord.subject == subject)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    if until is not None:
        query = query.where(AuditRecord.at < until)
    return query


def verify(session: Session, *, batch: int = 1000) -> VerifyResult:
    """Recompute the chain; name the first record altered, removed or out of order."""
    head = session.get(AuditHead, 1)
    if head is None:
        return VerifyResult(False, 0, None, "audit_head is missing")
    expected_seq, prev_hash = head.anchor_seq + 1, head.anchor_hash
    last_prune: Mapping[str, Any] | None = None
    count = 0
    query = select(AuditRecord).order_by(AuditRecord.seq).execution_options(yield_per=batch)
    records = session.scalars(query)
    try:
        for record in records:
            problem = _record_problem(record, expected_seq, prev_hash)
            if problem is not None:
                return VerifyResult(False, count, problem[0], problem[1], head.seq, head.hash)
            if record.action == PRUNE_ACTION:
                last_prune = record.payload
            count += 1
            expected_seq, prev_hash = record.seq + 1, record.hash
    finally:
        records.close()  # a server-side cursor on PostgreSQL
    last_seq = expected_seq - 1
    if last_seq != head.seq or prev_hash != head.hash:
        bad_seq, text = _head_problem(head, last_seq, prev_hash)
        return VerifyResult(False, count, bad_seq, text, head.seq, head.hash)
    anchor_problem = _anchor_problem(head, last_prune)
    if anchor_problem:
        return VerifyResult(False, count, head.anchor_seq, anchor_problem, head.seq, head.hash)
    return VerifyResult(True, count, None, "", head.seq, head.hash)


def _record_problem(
    record: AuditRecord, expected_seq: int, prev_hash: str
) -> tuple[int, str] | None:
    seq = record.seq
    if seq > expected_seq:
        gone = (
            f"seq {expected_seq}" if seq == expected_seq + 1 else f"seqs {expected_seq}–{seq - 1}"
        )
        return expected_seq, f"{gone} removed: the chain jumps from seq {expected_seq - 1} to {seq}"
    if seq < expected_seq:
        return seq, f"seq {seq} lies before the chain's start (seq {expected_seq})"
    if record.computed_hash() != record.hash:
        return seq, f"seq {seq} was altered: its content does not match its hash"
    if record.prev_hash != prev_hash:
        return seq, (
            f"seq {seq} does not follow seq {seq - 1}: its prev_hash is not that record's hash "
            f"(reordered, or seq {seq - 1} was replaced)"
        )
    return None


def _head_problem(head: AuditHead, last_seq: int, last_hash: str) -> tuple[int, str]:
    if last_seq < head.seq:
        gone = f"seq {head.seq}" if head.seq == last_seq + 1 else f"seqs {last_seq + 1}–{head.seq}"
        return (
            last_seq + 1,
            f"{gone} removed: the head names seq {head.seq}, the chain ends at {last_seq}",
        )
    if last_seq > head.seq:
        return head.seq + 1, (
            f"seq {head.seq + 1} onwards were added past the head (seq {head.seq}) "
            "without going through the log"
        )
    return last_seq, f"seq {last_seq} is not the record the head names (hash {head.hash[:12]}…)"


def _anchor_problem(head: AuditHead, last_prune: Mapping[str, Any] | None) -> str:
    if head.anchor_seq == 0 and last_prune is None:
        return ""
    if last_prune is None:
        return f"the head's anchor (seq {head.anchor_seq}) has no audit.prune record behind it"
    named = (last_prune.get("through_seq"), last_prune.get("anchor_hash"))
    if named != (head.anchor_seq, head.anchor_hash):
        return f"the head's anchor (seq {head.anchor_seq}) is not the one the last prune recorded"
    return ""


def prune(
    session: Session,
    now: dt.datetime,
    *,
    retention_years: int | None = None,
    actor: str = "chipwatch",
) -> int:
    """Delete the oldest records older than the retention period; returns how many.

    Only a prefix of the chain goes (up to the first record still inside retention); the
    last deleted record's seq and hash become the anchor the chain is verified from, and the
    prune is itself recorded. Refuses to prune a chain that does not verify.
    """
    years = retention_years or get_settings().audit_retention_years
    cutoff = _years_before(now, years)
    head = _lock_head(session)
    first_kept = session.scalar(select(func.min(AuditRecord.seq)).where(AuditRecord.at >= cutoff))
    through_seq = head.seq if first_kept is None else first_kept - 1
    if through_seq <= head.anchor_seq:
        return 0
    checked = verify(session)
    if not checked.ok:
        raise InvalidData(f"the audit chain does not verify, not pruning: {checked.problem}")
    anchor_hash = session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == through_seq))
    assert anchor_hash is not None
    statement = delete(AuditRecord).where(AuditRecord.seq <= through_seq)
    deleted = int(cast(CursorResult[Any], session.execute(statement)).rowcount)
    head.anchor_seq, head.anchor_hash = through_seq, anchor_hash
    append(
        session,
        actor=actor,
        action=PRUNE_ACTION,
        subject="audit_log",
        payload={
            "through_seq": through_seq,
            "anchor_hash": anchor_hash,
            "deleted": deleted,
            "cutoff": cutoff,
            "retention_years": years,
        },
    )
    return deleted


def _years_before(instant: dt.datetime, years: int) -> dt.datetime:
    try:
        return instant.replace(year=instant.year - years)
    except ValueError:  # 29 February
        return instant.replace(year=instant.year - years, day=28)
