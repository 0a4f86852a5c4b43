"""The review queue: cases opened by screening, officers' dispositions, and their memory."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.screening.cases import DbDispositions, dispose, get_case, list_cases
from chipwatch.screening.records import ScreeningCase, ScreeningDisposition
from chipwatch.store import Database
from chipwatch.store.audit import list_records, verify
from chipwatch.workflow import RecordedCheck, check_order
from tests.screening.fixtures import HIT_ID, RED_VALLEY_ID, V1, V2, load, order, party

# "Harbin Institute of Technology" is on the (fixture) Entity List with an address in China:
# the same name in Hong Kong is a possible match, not an exact one.
HIT_HK = party("Harbin Institute of Technology", "HK")
RED_VALLEY = party("Red Valley Aero Institute")  # MEU: "Nanjing Red Valley Aero Institute"
GAZPROM = party("Gazprombank", "CY", role="buyer")  # SDN, in Russia


def check(db: Database, *parties: dict[str, object], order_id: str = "PO-1") -> RecordedCheck:
    return check_order(db, order(*parties, order_id=order_id), actor="sales.bot")


def case_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(ScreeningCase)) or 0


def settle(db: Database, case_id: int, status: str, reason: str = "checked") -> None:
    with db.transaction() as session:
        dispose(session, case_id, status, reason, "officer.kim")


def test_a_possible_match_opens_one_case_and_holds_the_order(database: Database) -> None:
    load(database, V1)
    first = check(database, HIT_HK)
    assert first.decision.outcome == "hold"
    assert "US-SCREENING-POSSIBLE-MATCH" in {r.rule.id for r in first.decision.reasons}
    (case_id,) = first.case_ids
    with database.session() as session:
        view = get_case(session, case_id)
        (record,) = list_records(session, action="screening.case")
    assert view.status == "open"
    assert (view.case.source, view.case.entry_id) == ("EL", HIT_ID)
    assert view.case.order_id == "PO-1" and view.case.list_version == "csl-csv#1"
    assert view.case.explanation["matched_alias"] == "Harbin Institute of Technology"
    assert record.subject == f"case {case_id}" and record.actor == "sales.bot"
    assert record.versions == {
        "EL": "csl-csv#1",
        "MEU": "csl-csv#1",
        "UVL": "csl-csv#1",
        "DPL": "csl-csv#1",
        "SDN": "csl-csv#1",
    }

    again = check(database, HIT_HK, order_id="PO-2")
    assert again.case_ids == (case_id,)
    assert case_count(database) == 1
    with database.session() as session:
        assert len(list_records(session, action="screening.case")) == 1


def test_a_cleared_case_is_remembered_until_the_entry_changes(database: Database) -> None:
    load(database, V1)
    (case_id,) = check(database, HIT_HK).case_ids
    settle(database, case_id, "cleared", "a Hong Kong trading firm of the same name")

    after = check(database, HIT_HK, order_id="PO-2")
    assert after.case_ids == ()
    assert after.decision.outcome == "license_required"  # the H20 order without the hold
    (screened,) = after.decision.screening.parties
    assert screened.possible_matches == ()
    (resolved,) = screened.resolved
    assert resolved.status == "cleared" and resolved.disposition is not None
    assert resolved.disposition["actor"] == "officer.kim"
    assert resolved.disposition["reason"] == "a Hong Kong trading firm of the same name"
    with database.session() as session:
        (record,) = list_records(session, action="screening.disposition")
    assert record.subject == f"case {case_id}" and record.actor == "officer.kim"
    assert record.payload["status"] == "cleared" and record.payload["entry"] == f"EL:{HIT_ID}"

    load(database, V2)  # HIT's entry changed (a new Federal Register citation)
    reopened = check(database, HIT_HK, order_id="PO-3")
    (new_case,) = reopened.case_ids
    assert new_case != case_id and reopened.decision.outcome == "hold"
    (match,) = reopened.decision.screening.parties[0].possible_matches
    assert match.details["previous_disposition"]["status"] == "cleared"
    with database.session() as session:
        view = get_case(session, new_case)
        assert view.status == "open" and view.case.list_version == "csl-csv#2"
        assert view.case.explanation["previous_disposition"]["actor"] == "officer.kim"
        assert get_case(session, case_id).status == "cleared"


def test_a_confirmed_case_makes_the_party_listed(database: Database) -> None:
    load(database, V1)
    (case_id,) = check(database, HIT_HK).case_ids
    settle(database, case_id, "confirmed", "same entity: its Hong Kong office")
    decided = check(database, HIT_HK, order_id="PO-2").decision
    assert decided.screening.parties[0].lists == {"entity_list"}
    assert "US-ENTITY-LIST" in {r.rule.id for r in decided.reasons}
    # the H20 order is licence-required; an Entity List end user makes it prohibited
    assert decided.jurisdictions["US"].outcome == "prohibited"
    assert decided.outcome == "prohibited"


def test_a_disposition_needs_a_reason(database: Database) -> None:
    load(database, V1)
    (case_id,) = check(database, HIT_HK).case_ids
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as caught:
            settle(database, case_id, "cleared", reason)
        assert caught.value.field == "reason"
    with database.session() as session:
        assert get_case(session, case_id).status == "open"


def test_disposition_errors(database: Database) -> None:
    load(database, V1)
    (case_id,) = check(database, HIT_HK).case_ids
    with pytest.raises(InvalidInput) as bad_status:
        settle(database, case_id, "ignored")
    assert bad_status.value.field == "status"
    with pytest.raises(NotFound):
        settle(database, 999, "cleared")
    with database.transaction() as session, pytest.raises(InvalidInput) as no_actor:
        dispose(session, case_id, "cleared", "why", " ")
    assert no_actor.value.field == "actor"
    settle(database, case_id, "cleared")
    with pytest.raises(Conflict):
        settle(database, case_id, "cleared")
    settle(database, case_id, "confirmed", "new evidence: same entity")  # a change of mind
    with database.session() as session:
        view = get_case(session, case_id)
    assert [d.status for d in view.dispositions] == ["cleared", "confirmed"]
    assert view.to_dict()["dispositions"][1]["reason"] == "new evidence: same entity"


def test_list_cases_filters_by_status_with_totals(database: Database) -> None:
    load(database, V1)
    opened = check(database, HIT_HK, RED_VALLEY, GAZPROM).case_ids
    assert len(opened) == 3
    hit, red_valley, _ = opened
    settle(database, hit, "cleared")
    settle(database, red_valley, "confirmed")
    with database.session() as session:
        for status, expected in (("open", 1), ("cleared", 1), ("confirmed", 1), (None, 3)):
            views, total = list_cases(session, status=status)
            assert total == expected == len(views)
            assert all(status in (None, v.status) for v in views)
        views, total = list_cases(session, status=None, limit=2, offset=0)
        assert total == 3 and [v.case.id for v in views] == sorted(opened, reverse=True)[:2]
        with pytest.raises(InvalidInput) as caught:
            list_cases(session, status="closed")
        assert caught.value.field == "status"
        latest = DbDispositions(session)
        red = get_case(session, red_valley).case
        remembered = latest.latest(red.party_key, "MEU", RED_VALLEY_ID)
        assert remembered is not None and remembered.status == "confirmed"
        assert latest.latest(red.party_key, "EL", HIT_ID) is None


def test_cases_and_dispositions_are_never_updated(database: Database) -> None:
    load(database, V1)
    (case_id,) = check(database, HIT_HK).case_ids
    settle(database, case_id, "cleared")
    for table, column in (
        ("screening_cases", "score"),
        ("screening_dispositions", "reason"),
    ):
        value = "0" if column == "score" else "'edited'"
        with pytest.raises(DBAPIError, match="never updated"), database.transaction() as session:
            session.execute(text(f"UPDATE {table} SET {column} = {value}"))
    with database.session() as session:
        assert get_case(session, case_id).dispositions[0].reason == "checked"
        assert session.scalar(select(func.count()).select_from(ScreeningDisposition)) == 1
        assert verify(session).ok


def test_a_cleared_owner_match_stays_cleared(database: Database) -> None:
    load(database, V1)
    owned = party(
        "Lakeside Holdings Ltd",
        owners=[{"name": "Harbin Institute of Technology", "country": "HK", "share": 60}],
    )
    (case_id,) = check(database, owned).case_ids
    with database.session() as session:
        assert get_case(session, case_id).case.subject == "owner: Harbin Institute of Technology"
    settle(database, case_id, "cleared", "the owner is a Hong Kong namesake")
    after = check(database, owned, order_id="PO-2")
    assert after.case_ids == () and after.decision.outcome == "license_required"
    (screened,) = after.decision.screening.parties
    assert screened.possible_matches == ()
    assert [m.status for m in screened.resolved] == ["cleared"]


def test_a_party_in_two_roles_is_one_party_with_one_case(database: Database) -> None:
    load(database, V1)
    both = check(database, {**HIT_HK, "role": "buyer"}, HIT_HK)
    assert len(set(both.case_ids)) == 1 and case_count(database) == 1


def test_concurrent_checks_of_the_same_new_party_share_one_case(database: Database) -> None:
    load(database, V1)
    results: list[RecordedCheck] = []
    errors: list[BaseException] = []

    def check_in_thread(number: int) -> None:
        try:
            results.append(check(database, HIT_HK, party(f"Newco {number} Ltd"), order_id="PO-9"))
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=check_in_thread, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {r.case_ids for r in results} == {(1,)} and case_count(database) == 1
    with database.session() as session:
        assert verify(session).ok


def test_an_exact_match_opens_a_confirmed_case_an_officer_can_clear(database: Database) -> None:
    load(database, V1)
    hit = party("Harbin Institute of Technology", "CN")
    first = check(database, hit)
    assert "US-ENTITY-LIST" in {r.rule.id for r in first.decision.reasons}
    (case_id,) = first.case_ids
    with database.session() as session:
        view = get_case(session, case_id)
    assert view.status == "confirmed" and view.dispositions[0].actor == "chipwatch"
    settle(database, case_id, "cleared", "a namesake: different address and registry number")
    again = check(database, hit, order_id="PO-2")
    assert "US-ENTITY-LIST" not in {r.rule.id for r in again.decision.reasons}
    assert again.case_ids == ()  # the clearance is remembered: no new case
    with database.session() as session:
        assert get_case(session, case_id).status == "cleared"


def test_a_translated_name_is_a_case_for_the_officer_not_a_listing(database: Database) -> None:
    load(database, V1)
    recorded = check(database, party("哈尔滨工业大学", "CN"))
    reasons = {r.rule.id for r in recorded.decision.reasons}
    assert "US-SCREENING-POSSIBLE-MATCH" in reasons and "US-ENTITY-LIST" not in reasons
    assert len(recorded.case_ids) == 1
