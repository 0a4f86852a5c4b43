"""List versions in the database: import (one transaction), read back, compare."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from chipwatch.errors import NotFound
from chipwatch.screening.entries import ListEntry
from chipwatch.screening.lists import ParsedList
from chipwatch.screening.records import ListEntryContent, ListVersion, ListVersionEntry
from chipwatch.store import Database
from chipwatch.store.audit import append

BATCH = 5000


@dataclass(frozen=True, slots=True)
class ImportResult:
    version: ListVersion
    created: bool  # False: the same file was already the latest version (a retry)


@dataclass(frozen=True, slots=True)
class VersionDiff:
    old: int | None
    new: int
    added: tuple[tuple[str, str, str], ...]  # (source, entry_id, name)
    changed: tuple[tuple[str, str, str], ...]
    removed: tuple[tuple[str, str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        def rows(items: Sequence[tuple[str, str, str]]) -> list[dict[str, str]]:
            return [{"source": s, "entry_id": e, "name": n} for s, e, n in items]

        return {
            "old": self.old,
            "new": self.new,
            "added": rows(self.added),
            "changed": rows(self.changed),
            "removed": rows(self.removed),
        }


def import_list(
    db: Database,
    parsed: ParsedList,
    *,
    origin: str,
    actor: str,
    retrieved_at: dt.datetime | None = None,
) -> ImportResult:
    """Store ``parsed`` as a new list version, all or nothing; a retry returns the first."""
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as session:
        previous = _latest_of_format(session, parsed.fmt, parsed.sources)
        if previous is not None and previous.file_sha256 == parsed.sha256:
            return ImportResult(previous, created=False)
        old = _keys(session, previous.id) if previous else {}
        new = {(e.source, e.entry_id): e.content_hash for e in parsed.entries}
        version = ListVersion(
            format=parsed.fmt,
            sources=sorted(parsed.sources),
            origin=origin,
            file_sha256=parsed.sha256,
            retrieved_at=retrieved_at or now,
            imported_at=now,
            actor=actor,
            entry_count=len(parsed.entries),
            previous_id=previous.id if previous else None,
            added=sum(1 for k in new if k not in old),
            changed=sum(1 for k, h in new.items() if k in old and old[k] != h),
            removed=sum(1 for k in old if k not in new),
        )
        session.add(version)
        session.flush()
        _store_entries(session, version.id, parsed.entries)
        append(
            session,
            actor=actor,
            action="list.import",
            subject=version.label,
            payload={"version": version.to_dict()},
        )
        return ImportResult(version, created=True)


def _store_entries(session: Session, version_id: int, entries: Sequence[ListEntry]) -> None:
    hashes = {e.content_hash: e for e in entries}
    known: set[str] = set()
    keys = list(hashes)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        known.update(
            session.scalars(
                select(ListEntryContent.content_hash).where(
                    ListEntryContent.content_hash.in_(chunk)
                )
            )
        )
    fresh = [
        {
            "content_hash": h,
            "source": e.source,
            "entry_id": e.entry_id,
            "name": e.name,
            "content": e.content(),
            "raw": e.raw,
        }
        for h, e in hashes.items()
        if h not in known
    ]
    for start in range(0, len(fresh), BATCH):
        session.execute(insert(ListEntryContent), fresh[start : start + BATCH])
    members = [
        {"version_id": version_id, "content_hash": h, "source": e.source, "entry_id": e.entry_id}
        for h, e in hashes.items()
    ]
    for start in range(0, len(members), BATCH):
        session.execute(insert(ListVersionEntry), members[start : start + BATCH])


def _latest_of_format(session: Session, fmt: str, sources: Iterable[str]) -> ListVersion | None:
    # Overlapping, not equal, sources: a list whose last entry of a source went is the same list.
    wanted = set(sources)
    for version in session.scalars(
        select(ListVersion).where(ListVersion.format == fmt).order_by(ListVersion.id.desc())
    ):
        if wanted & set(version.sources):
            return version
    return None


def _keys(session: Session, version_id: int) -> dict[tuple[str, str], str]:
    rows = session.execute(
        select(
            ListVersionEntry.source, ListVersionEntry.entry_id, ListVersionEntry.content_hash
        ).where(ListVersionEntry.version_id == version_id)
    )
    return {(s, e): h for s, e, h in rows}


def list_versions(session: Session) -> list[ListVersion]:
    return list(session.scalars(select(ListVersion).order_by(ListVersion.id.desc())))


def get_version(session: Session, version_id: int) -> ListVersion:
    version = session.get(ListVersion, version_id)
    if version is None:
        raise NotFound(f"no list version {version_id}", field="version")
    return version


def current_versions(session: Session) -> dict[str, ListVersion]:
    """For each list source, the latest version that provides it (and is not superseded)."""
    current: dict[str, ListVersion] = {}
    versions = list_versions(session)
    superseded = {v.previous_id for v in versions}
    for version in versions:
        if version.id in superseded:
            continue  # a newer version of the same list replaced it, sources it dropped too
        for source in version.sources:
            current.setdefault(source, version)
    return current


def load_entries(session: Session, current: dict[str, ListVersion]) -> list[ListEntry]:
    """The entries of each source from its current version."""
    entries: list[ListEntry] = []
    by_version: dict[int, set[str]] = {}
    for source, version in current.items():
        by_version.setdefault(version.id, set()).add(source)
    for version_id, sources in sorted(by_version.items()):
        rows = session.execute(
            select(ListEntryContent.content, ListEntryContent.raw)
            .join(
                ListVersionEntry,
                ListVersionEntry.content_hash == ListEntryContent.content_hash,
            )
            .where(ListVersionEntry.version_id == version_id)
            .where(ListVersionEntry.source.in_(sorted(sources)))
            .order_by(ListVersionEntry.source, ListVersionEntry.entry_id)
        )
        entries.extend(ListEntry.from_content(content, raw) for content, raw in rows)
    return entries


def diff_versions(session: Session, new_id: int, old_id: int | None = None) -> VersionDiff:
    """Entry-by-entry difference between two versions (default: the new one's predecessor)."""
    new = get_version(session, new_id)
    old_id = new.previous_id if old_id is None else get_version(session, old_id).id
    new_keys = _keys(session, new.id)
    old_keys = _keys(session, old_id) if old_id is not None else {}
    names = _names(session, set(new_keys.values()) | set(old_keys.values()))

    def rows(keys: dict[tuple[str, str], str], pick: Iterable[tuple[str, str]]) -> tuple[Any, ...]:
        return tuple(sorted((s, e, names.get(keys[(s, e)], "")) for s, e in pick))

    return VersionDiff(
        old=old_id,
        new=new.id,
        added=rows(new_keys, (k for k in new_keys if k not in old_keys)),
        changed=rows(
            new_keys, (k for k, h in new_keys.items() if k in old_keys and old_keys[k] != h)
        ),
        removed=rows(old_keys, (k for k in old_keys if k not in new_keys)),
    )


def _names(session: Session, hashes: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    keys = sorted(hashes)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        rows = session.execute(
            select(ListEntryContent.content_hash, ListEntryContent.name).where(
                ListEntryContent.content_hash.in_(chunk)
            )
        )
        found.update((content_hash, name) for content_hash, name in rows)
    return found


def entry_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ListEntryContent)) or 0
