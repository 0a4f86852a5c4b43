"""The screener over the lists loaded in a database, with its index built once per version."""

from __future__ import annotations

import threading

from chipwatch.screening.cases import DbDispositions
from chipwatch.screening.matching import ScreeningIndex
from chipwatch.screening.repository import current_versions, load_entries
from chipwatch.screening.screener import ListScreener
from chipwatch.store import Database

_lock = threading.Lock()
_indexes: dict[tuple[str, tuple[tuple[str, int, str], ...]], ScreeningIndex] = {}


def load_screener(db: Database) -> ListScreener | None:
    """A screener over the current version of every loaded list; None if none is loaded."""
    with db.session() as session:
        current = current_versions(session)
        if not current:
            return None
        # ids alone repeat when a database is re-created at the same URL: the file hash doesn't
        key = (db.url, tuple(sorted((s, v.id, v.file_sha256) for s, v in current.items())))
        labels = {source: version.label for source, version in current.items()}
        with _lock:
            index = _indexes.get(key)
            if index is None:
                entries = load_entries(session, current)
                index = ScreeningIndex(
                    entries,
                    version=",".join(sorted(set(labels.values()))),
                    source_versions=labels,
                )
                for old in [k for k in _indexes if k[0] == db.url]:
                    del _indexes[old]
                _indexes[key] = index
        dispositions = DbDispositions(session)
    return ListScreener(index, dispositions, list_versions=labels)
