"""List versions in the database: import, idempotent retry, diffs, current versions, entries."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select

from chipwatch.errors import InvalidInput, NotFound
from chipwatch.screening import repository
from chipwatch.screening.entries import ListEntry
from chipwatch.screening.lists import parse_list
from chipwatch.screening.records import ListEntryContent, ListVersion, ListVersionEntry
from chipwatch.screening.repository import (
    current_versions,
    diff_versions,
    get_version,
    import_list,
    list_versions,
    load_entries,
)
from chipwatch.store import Database
from chipwatch.store.audit import AuditRecord, list_records
from tests.screening.fixtures import (
    EL_ECFR,
    HIT_ID,
    MALFORMED,
    SAMPLE_ID,
    V1,
    V2,
    data,
    load,
    parsed,
)


def counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (ListVersion, ListEntryContent, ListVersionEntry, AuditRecord)
        }


def by_key(entries: Any) -> dict[str, ListEntry]:
    return {entry.key: entry for entry in entries}


def test_import_creates_a_version_with_counts(database: Database) -> None:
    result = import_list(database, parsed(V1), origin="csl_v1.csv", actor="alice")
    assert result.created
    version = result.version
    assert (version.id, version.label, version.format) == (1, "csl-csv#1", "csl-csv")
    assert version.sources == ["DPL", "EL", "MEU", "SDN", "UVL"]
    assert version.file_sha256 == hashlib.sha256(data(V1)).hexdigest()
    assert (version.entry_count, version.added, version.changed, version.removed) == (9, 9, 0, 0)
    assert version.previous_id is None and version.actor == "alice"
    assert counts(database) == {
        "list_versions": 1,
        "list_entry_contents": 9,
        "list_version_entries": 9,
        "audit_log": 1,
    }
    with database.session() as session:
        (record,) = list_records(session, action="list.import")
        assert record.subject == "csl-csv#1" and record.actor == "alice"
        assert record.payload["version"]["entry_count"] == 9


def test_reimporting_the_same_bytes_is_a_retry_that_writes_nothing(database: Database) -> None:
    first = load(database, V1)
    before = counts(database)
    again = import_list(database, parsed(V1), origin="elsewhere.csv", actor="bob")
    assert not again.created
    assert again.version.id == first.id and again.version.actor == "loader"
    assert counts(database) == before


def test_a_second_version_counts_and_lists_its_differences(database: Database) -> None:
    v1 = load(database, V1)
    v2 = load(database, V2)
    assert v2.previous_id == v1.id
    assert (v2.entry_count, v2.added, v2.changed, v2.removed) == (10, 2, 2, 1)
    with database.session() as session:
        diff = diff_versions(session, v2.id)
        explicit = diff_versions(session, v2.id, v1.id)
        first = diff_versions(session, v1.id)
    assert diff == explicit
    assert (diff.old, diff.new) == (v1.id, v2.id)
    assert {name for _, _, name in diff.added} == {
        "Shenzhen Yuanhang Microelectronics Co., Ltd.",
        "Beihang University",
    }
    assert diff.changed == (
        ("EL", HIT_ID, "Harbin Institute of Technology"),
        ("SDN", "99010", "GAZPROMBANK"),
    )
    assert diff.removed == (("UVL", SAMPLE_ID, "Sample Components Trading"),)
    assert diff.to_dict()["removed"] == [
        {"source": "UVL", "entry_id": SAMPLE_ID, "name": "Sample Components Trading"}
    ]
    assert first.old is None and len(first.added) == 9 and not first.changed + first.removed
    with database.session() as session:
        with pytest.raises(NotFound) as caught:
            get_version(session, 99)
        assert caught.value.field == "version"
        with pytest.raises(NotFound):
            diff_versions(session, v2.id, 99)


def test_entries_shared_by_two_versions_are_stored_once(database: Database) -> None:
    load(database, V1)
    load(database, V2)
    # 9 contents of v1, plus v2's 2 added and 2 changed; every version lists all its entries
    assert counts(database)["list_entry_contents"] == 9 + 4
    assert counts(database)["list_version_entries"] == 9 + 10
    with database.session() as session:
        loaded = load_entries(session, current_versions(session))
    assert by_key(loaded) == by_key(parsed(V2).entries)


def test_a_malformed_file_is_rejected_whole_before_anything_is_stored(database: Database) -> None:
    with pytest.raises(InvalidInput) as caught:
        load(database, MALFORMED)
    fields = [error["field"] for error in caught.value.errors]
    assert fields == ["line 3: type", "line 4: name"]
    assert caught.value.source == MALFORMED
    assert counts(database)["list_versions"] == 0


def test_an_import_that_fails_midway_leaves_nothing(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(repository, "append", broken_audit)
    with pytest.raises(RuntimeError):
        load(database, V1)
    assert set(counts(database).values()) == {0}


def test_load_entries_round_trips_content(database: Database) -> None:
    load(database, V1)
    with database.session() as session:
        loaded = load_entries(session, current_versions(session))
    assert by_key(loaded) == by_key(parsed(V1).entries)
    hit = by_key(loaded)[f"EL:{HIT_ID}"]
    assert hit.raw["_id"] == "c1" and hit.raw["alt_names"] == "HIT; Harbin Gongye Daxue"
    assert hit.license_policy == "Presumption of denial."


def test_current_versions_take_the_newest_version_per_source(database: Database) -> None:
    csl = load(database, V1)
    ecfr = load(database, EL_ECFR)  # a second format that also provides EL
    with database.session() as session:
        current = current_versions(session)
        assert {s: v.id for s, v in current.items()} == {
            "EL": ecfr.id,
            "MEU": csl.id,
            "UVL": csl.id,
            "DPL": csl.id,
            "SDN": csl.id,
        }
        names = {e.name for e in load_entries(session, current) if e.source == "EL"}
        assert names == {"Harbin Institute of Technology", "Xi'an Skyline Avionics Co. Ltd."}
        assert len(load_entries(session, current)) == 2 + 5
    newer = load(database, V2)
    with database.session() as session:
        assert {v.id for v in current_versions(session).values()} == {newer.id}
        assert [v.id for v in list_versions(session)] == [newer.id, ecfr.id, csl.id]


def test_a_list_whose_last_entry_of_a_source_is_removed(database: Database) -> None:
    """v3 is v2 without its only UVL entry: a removal, and UVL is no longer current."""
    load(database, V1)
    v2 = load(database, V2)
    text = data(V2).decode()
    without_uvl = "".join(line for line in text.splitlines(keepends=True) if "(UVL)" not in line)
    v3 = import_list(
        database, parse_list(without_uvl.encode(), "csl-csv"), origin="v3", actor="t"
    ).version
    assert v3.previous_id == v2.id
    assert (v3.entry_count, v3.added, v3.changed, v3.removed) == (9, 0, 0, 1)
    with database.session() as session:
        current = current_versions(session)
        assert "UVL" not in current
        assert not [e for e in load_entries(session, current) if e.source == "UVL"]
        assert [name for _, _, name in diff_versions(session, v3.id).removed] == [
            "Lakeview Instruments Pte. Ltd."
        ]
