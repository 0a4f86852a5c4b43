"""check_order: decide against the database's lists, open cases, audit every decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.screening import DeclaredListings
from chipwatch.screening.cases import dispose, unscreened_parties
from chipwatch.screening.rescreen import rescreen
from chipwatch.screening.runtime import load_screener
from chipwatch.store import Database
from chipwatch.store.audit import count_records, list_records, verify
from chipwatch.workflow import check_order
from tests.screening.fixtures import V1, V2, load, order, party

HIT_HK = party("Harbin Institute of Technology", "HK")  # a possible Entity List match
RED_VALLEY = party("Red Valley Aero Institute")  # a possible MEU match
ALIBABA = party("Alibaba Cloud Computing Co., Ltd.", role="buyer")  # on no list
CSL_V1 = {source: "csl-csv#1" for source in ("EL", "MEU", "UVL", "DPL", "SDN")}


def test_without_lists_only_declared_listings_count_and_the_decision_is_audited(
    database: Database,
) -> None:
    declared = party("Acme Trading Ltd", lists=["entity_list"])
    recorded = check_order(database, order(declared, order_id="PO-7"), actor="alice")
    decision = recorded.decision
    assert not decision.screening.performed
    assert decision.screening.note == DeclaredListings.NOTE
    assert DeclaredListings.NOTE in decision.notes
    assert decision.screening.parties[0].lists == {"entity_list"}
    assert "US-ENTITY-LIST" in {r.rule.id for r in decision.reasons}
    assert recorded.case_ids == ()
    with database.session() as session:
        (record,) = list_records(session, action="decision")
    assert record.seq == recorded.audit_seq and record.subject == "PO-7" and record.actor == "alice"
    assert record.payload["outcome"] == decision.outcome == "prohibited"
    assert record.payload["screening_cases"] == []
    assert record.payload["order"]["parties"][0]["name"] == "Acme Trading Ltd"
    assert record.versions["lists"] == {}
    assert record.versions["rulebook"]["id"] == decision.rulebook_version["id"]
    assert record.versions["catalog"]


def test_parties_checked_before_any_list_is_loaded_are_screened_when_one_is(
    database: Database,
) -> None:
    check_order(database, order(RED_VALLEY, ALIBABA), actor="alice")
    with database.session() as session:
        assert {p.name for p in unscreened_parties(session)} == {
            RED_VALLEY["name"],
            ALIBABA["name"],
        }
    v1 = load(database, V1)
    (opened,) = rescreen(database, v1.id, actor="lists.bot")
    assert opened == 1
    with database.session() as session:
        assert unscreened_parties(session) == []


def test_with_lists_possible_matches_open_cases_and_the_audit_names_the_versions(
    database: Database,
) -> None:
    load(database, V1)
    recorded = check_order(database, order(HIT_HK, RED_VALLEY, ALIBABA), actor="alice")
    assert len(recorded.case_ids) == 2
    assert recorded.decision.outcome == "hold"
    assert recorded.decision.screening.performed
    with database.session() as session:
        (record,) = list_records(session, action="decision")
        assert count_records(session, action="screening.case") == 2
    assert record.payload["screening_cases"] == list(recorded.case_ids)
    assert record.payload["outcome"] == "hold"
    assert record.versions["lists"] == CSL_V1


def test_the_audit_chain_verifies_after_a_series_of_checks(database: Database) -> None:
    check_order(database, order(ALIBABA, order_id="PO-0"), actor="alice")
    load(database, V1)
    first = check_order(database, order(HIT_HK, RED_VALLEY, order_id="PO-1"), actor="alice")
    with database.transaction() as session:
        dispose(session, first.case_ids[0], "cleared", "other firm", "officer.kim")
    for number in range(2, 5):
        check_order(database, order(HIT_HK, ALIBABA, order_id=f"PO-{number}"), actor="bob")
    v2 = load(database, V2)
    rescreen(database, v2.id, actor="lists.bot")
    with database.session() as session:
        result = verify(session)
        assert result.ok, result.problem
        assert count_records(session, action="decision") == 5
        assert count_records(session, action="list.import") == 2
        assert result.records == count_records(session)


def test_a_bad_order_is_rejected_before_anything_is_recorded(sqlite_database: Database) -> None:
    load(sqlite_database, V1)
    bad = order(HIT_HK).model_copy(deep=True)
    bad.items[0].model = "Quantum Abacus 9000"
    with pytest.raises(InvalidInput) as caught:
        check_order(sqlite_database, bad, actor="alice")
    assert caught.value.field == "items.0.model"
    with sqlite_database.session() as session:
        assert count_records(session) == 1  # the list import only


def test_load_screener_builds_its_index_once_per_set_of_versions(sqlite_database: Database) -> None:
    assert load_screener(sqlite_database) is None
    load(sqlite_database, V1)
    first = load_screener(sqlite_database)
    again = load_screener(sqlite_database)
    assert first is not None and again is not None
    assert again.index is first.index
    assert first.list_versions == CSL_V1
    load(sqlite_database, V2)
    newer = load_screener(sqlite_database)
    assert newer is not None and newer.index is not first.index
    assert "Beihang University" in {e.name for e in newer.index.entries}


def test_load_screener_does_not_reuse_another_databases_index(tmp_path: Path) -> None:
    """A database re-created at the same URL, with other lists under the same version ids."""
    url = f"sqlite:///{tmp_path / 'recreated.db'}"
    for name, expected in ((V1, "Sample Components Trading"), (V2, "Beihang University")):
        for leftover in tmp_path.glob("recreated.db*"):
            leftover.unlink()
        db = Database(url)
        db.upgrade()
        load(db, name)
        screener = load_screener(db)
        db.dispose()
        assert screener is not None
        assert expected in {e.name for e in screener.index.entries}


def test_an_order_no_list_screened_is_never_allowed(database: Database) -> None:
    from chipwatch.orders import parse_order
    from chipwatch.workflow import UNSCREENED, decide_order

    document = {
        "id": "PO-DE-1",
        "date": "2026-02-10",
        "ship_from": "US",
        "ship_to": {"country": "DE"},
        "end_use": "commercial_inference",
        "items": [{"model": "NVIDIA H200", "quantity": 8, "unit_price_usd": 31000}],
        "parties": [
            {
                "role": "end_user",
                "name": "Beispiel Rechenzentrum GmbH",
                "country": "DE",
                "sector": "private",
                "owners": [],
            },
        ],
    }
    unscreened = decide_order(database, parse_order(document))
    assert not unscreened.screening.performed
    assert unscreened.outcome == "hold" and UNSCREENED in unscreened.notes
    load(database, V1)
    screened = decide_order(database, parse_order(document))
    assert screened.screening.performed and screened.outcome == "allowed"
