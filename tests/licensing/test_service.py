"""Licences in the database: idempotent add, status only by recorded actions, audit trail."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.licensing import service
from chipwatch.licensing.documents import parse_licence_document
from chipwatch.licensing.model import Licence
from chipwatch.store import Database
from chipwatch.store.audit import list_records, verify
from tests.licensing.licence_fixture import licence_document


def _add(database: Database, **changes: Any) -> service.LicenceAdded:
    doc = parse_licence_document(licence_document(**changes))
    return service.add_licence(database, doc, "alice", original=licence_document(**changes))


def _audit(database: Database) -> list[tuple[str, str]]:
    with database.session() as session:
        assert verify(session).ok
        return [(r.action, r.subject) for r in reversed(list_records(session))]


def test_add_records_the_licence_with_its_audit_record(database: Database) -> None:
    added = _add(database)
    assert added.created
    licence = service.get_licence(database, "T-0001")
    assert licence.value_cap == Decimal("3100000.00") and licence.quantity_cap == 100
    assert licence.items == ["nvidia-h200-sxm-141gb", "3A090.a"]
    assert [(c.name, c.country) for c in licence.customers] == [
        ("Alibaba Cloud Computing Co., Ltd.", "CN"),
        ("阿里云计算有限公司", None),
    ]
    assert licence.customers[0].name_key == "alibabacloudcomputingcoltd"
    assert licence.conditions["fee_rate"] == "0.25"
    assert licence.document == licence_document()
    assert [(a.action, a.to_status, a.actor) for a in licence.actions] == [
        ("add", "active", "alice")
    ]
    assert _audit(database) == [("licence.add", "T-0001")]
    assert licence.actions[0].audit_seq == 1


def test_re_adding_the_identical_document_returns_the_recorded_licence(database: Database) -> None:
    first = _add(database)
    # the same content written differently (a number instead of a string) is identical
    again = _add(database, value_usd=3100000, quantity=100)
    assert not again.created and again.licence.id == first.licence.id
    assert _audit(database) == [("licence.add", "T-0001")]


def test_a_different_document_under_a_recorded_number_is_a_conflict(database: Database) -> None:
    _add(database)
    with pytest.raises(Conflict, match="different document") as caught:
        _add(database, quantity=101)
    assert caught.value.status == 409
    assert service.get_licence(database, "T-0001").quantity_cap == 100


def test_concurrent_adds_of_one_number_record_it_once(database: Database) -> None:
    results: list[bool] = []
    errors: list[BaseException] = []

    def add() -> None:
        try:
            results.append(_add(database).created)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False] * 5 + [True]
    assert _audit(database) == [("licence.add", "T-0001")]


@pytest.mark.parametrize(
    ("steps", "refused", "problem"),
    [
        (["suspend"], None, ""),
        (["suspend", "reinstate"], None, ""),
        (["suspend", "revoke"], None, ""),
        (["revoke"], None, ""),
        (["suspend", "suspend"], "suspend", "already suspended"),
        (["reinstate"], "reinstate", "not suspended"),
        (["revoke", "reinstate"], "reinstate", "revoked, which is final"),
        (["revoke", "suspend"], "suspend", "revoked, which is final"),
        (["revoke", "revoke"], "revoke", "revoked, which is final"),
    ],
)
def test_status_changes_only_by_allowed_actions(
    database: Database, steps: list[str], refused: str | None, problem: str
) -> None:
    _add(database)
    *allowed, last = steps
    for action in allowed:
        getattr(service, action)(database, "T-0001", "bob", f"why {action}")
    if refused is None:
        getattr(service, last)(database, "T-0001", "bob", f"why {last}")
    else:
        with pytest.raises(Conflict, match=problem):
            getattr(service, last)(database, "T-0001", "bob", "why not")
    licence = service.get_licence(database, "T-0001")
    recorded = ["add", *steps] if refused is None else ["add", *allowed]
    assert [a.action for a in licence.actions] == recorded
    assert [action for action, _ in _audit(database)] == [f"licence.{a}" for a in recorded]
    assert licence.status == licence.actions[-1].to_status


def test_an_action_needs_a_known_licence_a_reason_and_an_actor(database: Database) -> None:
    _add(database)
    with pytest.raises(NotFound):
        service.suspend(database, "NOPE", "bob", "why")
    with pytest.raises(InvalidInput) as caught:
        service.suspend(database, "T-0001", "bob", "  ")
    assert caught.value.field == "reason"
    with pytest.raises(InvalidInput) as caught:
        service.revoke(database, "T-0001", "", "why")
    assert caught.value.field == "actor"


@pytest.mark.parametrize(
    ("recorded", "on", "expected"),
    [
        ("active", dt.date(2026, 6, 1), "active"),
        ("active", dt.date(2027, 1, 31), "active"),
        ("active", dt.date(2027, 2, 1), "expired"),
        ("suspended", dt.date(2026, 6, 1), "suspended"),
        ("suspended", dt.date(2027, 2, 1), "expired"),
        ("revoked", dt.date(2027, 2, 1), "revoked"),
        ("expired", dt.date(2026, 6, 1), "expired"),
    ],
)
def test_effective_status(recorded: str, on: dt.date, expected: str) -> None:
    licence = Licence(
        status=recorded, valid_from=dt.date(2026, 2, 1), valid_to=dt.date(2027, 1, 31)
    )
    assert service.effective_status(licence, on) == expected


def test_an_expired_licence_cannot_be_suspended_or_reinstated(database: Database) -> None:
    _add(database, valid_from="2020-01-01", valid_to="2020-12-31")
    with pytest.raises(Conflict, match="expired"):
        service.suspend(database, "T-0001", "bob", "why")
    assert service.expire_due(database, dt.date.today()) == ["T-0001"]
    assert service.expire_due(database, dt.date.today()) == []
    licence = service.revoke(database, "T-0001", "bob", "found misuse after expiry")
    assert [a.action for a in licence.actions] == ["add", "expire", "revoke"]


def test_list_licences_by_status_and_page(database: Database) -> None:
    for n in range(1, 5):
        _add(database, number=f"T-000{n}")
    _add(database, number="T-0005", valid_from="2020-01-01", valid_to="2020-12-31")
    service.suspend(database, "T-0002", "bob", "why")
    service.revoke(database, "T-0003", "bob", "why")

    def numbers(**kwargs: Any) -> tuple[list[str], int]:
        page, total = service.list_licences(database, **kwargs)
        return [licence.number for licence in page], total

    assert numbers() == (["T-0001", "T-0002", "T-0003", "T-0004", "T-0005"], 5)
    assert numbers(limit=2, offset=1) == (["T-0002", "T-0003"], 5)
    assert numbers(status="active") == (["T-0001", "T-0004"], 2)
    assert numbers(status="suspended") == (["T-0002"], 1)
    assert numbers(status="revoked") == (["T-0003"], 1)
    assert numbers(status="expired") == (["T-0005"], 1)
    with pytest.raises(InvalidInput):
        numbers(status="lapsed")


def test_blast_radius_has_the_customers_and_room_for_shipments(database: Database) -> None:
    _add(database)
    radius = service.blast_radius(database, "T-0001").to_dict()
    assert radius["licence"]["number"] == "T-0001" and radius["licence"]["status"] == "active"
    assert [c["name"] for c in radius["customers"]] == [
        "Alibaba Cloud Computing Co., Ltd.",
        "阿里云计算有限公司",
    ]
    assert radius["pending_shipments"] == radius["in_transit"] == radius["delivered_chips"] == []
    with pytest.raises(NotFound):
        service.blast_radius(database, "NOPE")


def test_licence_actions_are_never_updated(database: Database) -> None:
    _add(database)
    with pytest.raises(DBAPIError, match="never updated"), database.engine.begin() as connection:
        connection.execute(text("UPDATE licence_actions SET actor = 'mallory'"))
