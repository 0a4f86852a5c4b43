"""The audit log: a linear hash chain that names the first altered, removed or moved record."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from chipwatch.errors import InvalidData
from chipwatch.store import Database
from chipwatch.store.audit import (
    GENESIS_HASH,
    PRUNE_ACTION,
    append,
    count_records,
    list_records,
    prune,
    verify,
)
from chipwatch.store.canonical import canonical_json


def _append_many(database: Database, n: int, **fields: Any) -> None:
    for i in range(1, n + 1):
        with database.transaction() as session:
            append(
                session,
                actor=fields.get("actor", "alice"),
                action=fields.get("action", "decision"),
                subject=fields.get("subject", f"PO-{i}"),
                payload={"n": i},
                versions={"rulebook": "chipwatch-us-cn@2026-02-03"},
            )


def _run(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _allow_tampering(database: Database) -> None:
    """Drop the no-update trigger, as an attacker with DDL rights would."""
    on_table = " ON audit_log" if database.dialect == "postgresql" else ""
    _run(database, f"DROP TRIGGER audit_log_no_update{on_table}")


def _verify(database: Database) -> Any:
    with database.session() as session:
        return verify(session)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": 1, "a": 2}, '{"a":2,"b":1}'),
        ({"price": Decimal("31000.50")}, '{"price":"31000.50"}'),
        ({"x": 1.0, "y": 0.1, "z": 1e16}, '{"x":1,"y":0.1,"z":10000000000000000}'),
        ({"name": "阿里云"}, '{"name":"阿里云"}'),
        (
            {"at": dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))},
            '{"at":"2026-02-10T09:00:00.000000Z"}',
        ),
        ({"on": dt.date(2026, 2, 10), "tags": ("a", "b")}, '{"on":"2026-02-10","tags":["a","b"]}'),
    ],
)
def test_canonical_json(value: Any, expected: str) -> None:
    assert canonical_json(value) == expected


def test_appends_form_a_verified_chain(database: Database) -> None:
    assert _verify(database).ok and _verify(database).records == 0
    _append_many(database, 5)
    with database.session() as session:
        records = list(reversed(list_records(session)))
        result = verify(session)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert all(r.at.tzinfo == dt.UTC for r in records)
    assert result.ok and result.records == 5 and result.first_bad_seq is None
    assert (result.head_seq, result.head_hash) == (5, records[-1].hash)


def test_awkward_payloads_still_verify_after_reading_back(database: Database) -> None:
    payload = {
        "fee": Decimal("7750000.00"),
        "ratio": 0.25,
        "big": 1e16,
        "nested": {"z": [1, 2.5, None, True], "a": "Ünïcødé 华为"},
        "when": dt.datetime(2026, 2, 10, tzinfo=dt.UTC),
    }
    with database.transaction() as session:
        record = append(session, actor="bob", action="decision", subject="PO-1", payload=payload)
    assert record.payload["fee"] == "7750000.00"
    assert _verify(database).ok


def test_an_audit_record_rolls_back_with_the_business_write(database: Database) -> None:
    _append_many(database, 1)
    with pytest.raises(RuntimeError), database.transaction() as session:
        append(session, actor="a", action="licence.add", subject="L-1", payload={})
        raise RuntimeError("the business write failed")
    _append_many(database, 1)
    with database.session() as session:
        assert [r.seq for r in list_records(session)] == [2, 1]
    assert _verify(database).ok


def test_records_cannot_be_updated(database: Database) -> None:
    _append_many(database, 1)
    with pytest.raises(DBAPIError, match="never updated"):
        _run(database, "UPDATE audit_log SET actor = 'mallory'")


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "problem"),
    [
        ("edit_payload", 3, "seq 3 was altered"),
        ("edit_actor", 1, "seq 1 was altered"),
        ("delete_middle", 3, "seq 3 removed"),
        ("delete_first", 1, "seq 1 removed"),
        ("delete_last", 5, "seq 5 removed: the head names seq 5"),
        ("swap_seq", 2, "seq 2 was altered"),
        ("rehash_edit", 4, "seq 4 does not follow seq 3"),
    ],
)
def test_verify_names_the_first_tampered_record(
    database: Database, tamper: str, bad_seq: int, problem: str
) -> None:
    _append_many(database, 5)
    _allow_tampering(database)
    json_set = "jsonb_set(payload, '{n}', '999')"
    if database.dialect == "sqlite":
        json_set = "json_set(payload, '$.n', 999)"
    statements = {
        "edit_payload": [f"UPDATE audit_log SET payload = {json_set} WHERE seq = 3"],
        "edit_actor": ["UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"],
        "delete_middle": ["DELETE FROM audit_log WHERE seq = 3"],
        "delete_first": ["DELETE FROM audit_log WHERE seq = 1"],
        "delete_last": ["DELETE FROM audit_log WHERE seq = 5"],
        "swap_seq": [
            "UPDATE audit_log SET seq = -2 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 4",
            "UPDATE audit_log SET seq = 4 WHERE seq = -2",
        ],
    }
    if tamper == "rehash_edit":
        with database.transaction() as session:
            record = list_records(session, subject="PO-3")[0]
            session.expunge(record)
            record.payload = {"n": 999}
            new_hash = record.computed_hash()
        _run(
            database,
            f"UPDATE audit_log SET subject = 'PO-X', hash = '{new_hash}' WHERE seq = 3",
        )
        # the subject is part of the hash: recompute on what is now stored
        with database.session() as session:
            stored = list_records(session, subject="PO-X")[0]
            _run(database, f"UPDATE audit_log SET hash = '{stored.computed_hash()}' WHERE seq = 3")
    else:
        _run(database, *statements[tamper])
    result = _verify(database)
    assert not result.ok
    assert result.first_bad_seq == bad_seq
    assert problem in result.problem


def test_concurrent_appends_keep_a_gap_free_chain(database: Database) -> None:
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for i in range(25):
                with database.transaction() as session:
                    append(
                        session, actor=f"w{worker}", action="shipment", subject=str(i), payload={}
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = _verify(database)
    assert result.ok, result.problem
    assert result.records == 200 and result.head_seq == 200


def test_list_records_filters_and_pages(database: Database) -> None:
    _append_many(database, 3, actor="alice", action="decision")
    _append_many(database, 2, actor="bob", action="licence.add", subject="L-1")
    with database.session() as session:
        assert [r.seq for r in list_records(session, limit=2)] == [5, 4]
        assert [r.seq for r in list_records(session, limit=2, offset=2)] == [3, 2]
        assert [r.seq for r in list_records(session, actor="alice")] == [3, 2, 1]
        assert [r.seq for r in list_records(session, action="licence.add")] == [5, 4]
        assert [r.seq for r in list_records(session, subject="PO-2")] == [2]
        third = list_records(session, subject="PO-3")[0]
        assert [r.seq for r in list_records(session, since=third.at)] == [5, 4, 3]
        assert [r.seq for r in list_records(session, until=third.at)] == [2, 1]
        assert count_records(session) == 5 and count_records(session, actor="bob") == 2


def test_prune_keeps_the_chain_verifiable(database: Database) -> None:
    _append_many(database, 4)
    with database.session() as session:
        third = list_records(session, subject="PO-3")[0]
    later = third.at.replace(year=third.at.year + 10)  # records 1 and 2 are now too old
    with database.transaction() as session:
        assert prune(session, later, retention_years=10) == 2
    with database.transaction() as session:
        assert prune(session, later, retention_years=10) == 0  # nothing more to prune
    with database.session() as session:
        seqs = [r.seq for r in list_records(session)]
        last = list_records(session, limit=1)[0]
        result = verify(session)
    assert seqs == [5, 4, 3]
    assert last.action == PRUNE_ACTION and last.payload["through_seq"] == 2
    assert last.payload["deleted"] == 2
    assert result.ok and result.records == 3
    # hiding seq 3 by moving the anchor past it is caught: the prune record names seq 2
    _allow_tampering(database)
    _run(
        database,
        f"UPDATE audit_head SET anchor_seq = 3, anchor_hash = '{third.hash}'",
        "DELETE FROM audit_log WHERE seq = 3",
    )
    tampered = _verify(database)
    assert tampered.first_bad_seq == 3 and "not the one the last prune recorded" in tampered.problem


def test_prune_defaults_to_ten_years_and_refuses_a_broken_chain(database: Database) -> None:
    _append_many(database, 2)
    now = dt.datetime.now(dt.UTC)
    with database.transaction() as session:
        assert prune(session, now) == 0
    _run(database, "DELETE FROM audit_log WHERE seq = 1")
    with pytest.raises(InvalidData, match="seq 1 removed"), database.transaction() as session:
        prune(session, now.replace(year=now.year + 11))
