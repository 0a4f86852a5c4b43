"""Chips in the database: the main path, refusals with reasons, idempotency, the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from chipwatch import clock
from chipwatch.custody import chips, inspections
from chipwatch.custody.model import ChipEvent
from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.licensing import service
from chipwatch.licensing.documents import parse_licence_document
from chipwatch.store import Database, audit
from tests.custody.custody_fixture import (
    H200,
    TESTED,
    UNTESTED,
    chip_at,
    event,
    inspection,
    setup,
)
from tests.licensing.licence_fixture import licence_document


@pytest.fixture
def db(database: Database) -> Database:
    setup(database)
    return database


def test_a_chip_followed_from_inspection_to_attestation(db: Database) -> None:
    chip_at(db, "H200-1", "installed")
    with db.session() as session:
        data = chips.timeline(session, "H200-1")
    assert data["state"] == "installed" and data["site"] == "kul-1"
    assert [e["event"] for e in data["timeline"]] == [
        "registered",
        "inspected",
        "tested",
        "shipped",
        "in_transit",
        "received",
        "installed",
    ]
    assert [e["seq"] for e in data["timeline"]] == list(range(1, 8))
    assert data["model"] == "nvidia-h200-sxm-141gb" and data["public_key"]
    assert "attested" in data["allowed_next"]
    with db.session() as session:
        actions = [r.action for r in audit.list_records(session, subject="H200-1")]
        assert "custody.shipped" in actions and "custody.installed" in actions
        assert audit.verify(session).ok


REFUSALS = [  # (state, next event, the reason's words)
    ("manufactured", "shipped", "the chip is manufactured: it cannot be shipped"),
    ("inspected", "shipped", "requires third-party testing"),
    ("manufactured", "installed", "allowed next events: inspected"),
]


def test_illegal_steps_are_refused_with_the_reason(db: Database) -> None:
    for n, (state, next_event, reason) in enumerate(REFUSALS):
        serial = f"H200-{n}"
        chip_at(db, serial, state, licence=TESTED, seed=30 + n)
        with pytest.raises(Conflict, match=reason) as refused, db.transaction() as session:
            event(session, serial, next_event)
        assert refused.value.field == "event"
        with db.session() as session:
            assert chips.get_chip(session, serial).state == state


def test_inspected_is_enough_without_the_testing_condition(db: Database) -> None:
    chip_at(db, "H200-1", "inspected", licence=UNTESTED)
    with db.transaction() as session:
        assert event(session, "H200-1", "shipped").chip.state == "shipped"


def test_a_failed_inspection_stops_shipping_until_one_passes(db: Database) -> None:
    chip_at(db, "H200-1", "inspected", licence=UNTESTED)
    with db.transaction() as session:
        bad = inspections.record_inspection(
            session, "H200-1", inspection("H200-1", result="fail"), "lab"
        )
    assert bad.event.event == "inspection_failed" and bad.event.to_state == "inspected"
    with pytest.raises(Conflict, match="latest inspection failed"), db.transaction() as session:
        event(session, "H200-1", "shipped")


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_no_receipt_under_a_suspended_or_revoked_licence(db: Database, action: str) -> None:
    chip_at(db, "H200-1", "in_transit")
    getattr(service, action)(db, TESTED, "alice", "is-informed letter")
    status = "suspended" if action == "suspend" else "revoked"
    with (
        pytest.raises(Conflict, match=f"licence {TESTED} is {status}: the chip cannot be received"),
        db.transaction() as session,
    ):
        event(session, "H200-1", "received", site="kul-1")


def test_a_repeated_event_id_returns_the_first_result(db: Database) -> None:
    chip_at(db, "H200-1", "tested")
    with db.transaction() as session:
        first = event(session, "H200-1", "shipped", event_id="k-1", place="San Jose")
    with db.transaction() as session:
        again = event(session, "H200-1", "shipped", event_id="k-1", place="San Jose")
        assert again.repeated and again.event.seq == first.event.seq
    with pytest.raises(Conflict, match="was used for 'shipped'"), db.transaction() as session:
        event(session, "H200-1", "in_transit", event_id="k-1")
    with db.session() as session:
        assert (
            len(session.scalars(select(ChipEvent).where(ChipEvent.serial == "H200-1")).all()) == 4
        )


def test_add_refuses_unknown_things_and_duplicates(db: Database) -> None:
    cases = [
        (chips.NewChip("H 1", H200), "serial"),
        (chips.NewChip("H-1", "Nope 9000"), "model"),
        (chips.NewChip("H-1", H200, licence="X-9"), "licence"),
        (chips.NewChip("H-1", H200, site="mars-1"), "site"),
        (chips.NewChip("H-1", H200, state="lost"), "state"),
    ]
    for new, field in cases:
        with pytest.raises(InvalidInput) as bad, db.transaction() as session:
            chips.add_chip(session, new, "alice")
        assert bad.value.field == field
    with db.transaction() as session:
        chips.add_chip(session, chips.NewChip("H-1", H200), "alice")
    with pytest.raises(Conflict, match="already registered"), db.transaction() as session:
        chips.add_chip(session, chips.NewChip("H-1", H200), "alice")
    with pytest.raises(NotFound), db.session() as session:
        chips.get_chip(session, "H-404")


def test_events_are_never_updated(db: Database) -> None:
    chip_at(db, "H200-1", "manufactured")
    with pytest.raises(DBAPIError), db.transaction() as session:
        session.execute(text("UPDATE chip_events SET actor = 'mallory'"))


def test_list_filters_and_paginates(db: Database) -> None:
    for n in range(3):
        chip_at(db, f"H200-{n}", "manufactured")
    chip_at(db, "H200-9", "received")
    with db.session() as session:
        found, total = chips.list_chips(session, state="manufactured", limit=2, offset=1)
        assert [c.serial for c in found] == ["H200-1", "H200-2"] and total == 3
        assert [c.serial for c in chips.list_chips(session, site="kul-1")[0]] == ["H200-9"]


def test_service_events_need_their_own_command(db: Database) -> None:
    chip_at(db, "H200-1", "manufactured")
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput, match="custody inspect"), db.transaction() as session:
        event(session, "H200-1", "inspected", at=at)


# (today, the event's client-given time, the refusal: None = shipped); the licence is valid to
# 2026-03-31 and judged on the later of the two dates
MARCH_31 = dt.date(2026, 3, 31)
SHIPPED_AT: list[tuple[dt.date, dt.datetime, str | None]] = [
    (dt.date(2026, 3, 20), dt.datetime(2026, 3, 15, tzinfo=dt.UTC), None),
    (dt.date(2026, 4, 2), dt.datetime(2026, 3, 15, tzinfo=dt.UTC), "L-EXP is expired"),
    (dt.date(2026, 3, 20), dt.datetime(2026, 4, 5, tzinfo=dt.UTC), "L-EXP is expired"),
]


@pytest.mark.parametrize(
    ("today", "at", "refused"), SHIPPED_AT, ids=["in time", "backdated", "future-dated"]
)
def test_a_backdated_event_does_not_slip_past_an_expiry(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    today: dt.date,
    at: dt.datetime,
    refused: str | None,
) -> None:
    document = licence_document(number="L-EXP", valid_to=MARCH_31.isoformat(), conditions={})
    service.add_licence(db, parse_licence_document(document), "alice")
    chip_at(db, "H200-1", "inspected", licence="L-EXP")
    monkeypatch.setattr(clock, "utc_today", lambda: today)
    if refused is None:
        with db.transaction() as session:
            assert event(session, "H200-1", "shipped", at=at).chip.state == "shipped"
        return
    with pytest.raises(Conflict, match=refused), db.transaction() as session:
        event(session, "H200-1", "shipped", at=at)
