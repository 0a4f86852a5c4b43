"""Expiry is judged on today (UTC), not on the order's date the client gives: a licence past
its ``valid_to`` neither books nor dispatches a shipment, even before ``expire_due`` ran."""

from __future__ import annotations

import datetime as dt

import pytest

from chipwatch import clock
from chipwatch.errors import Conflict
from chipwatch.licensing import service, shipment_status
from chipwatch.licensing.shipment_checks import ShipmentRefused
from chipwatch.licensing.shipments import ShipmentResult, ship
from chipwatch.store import Database
from tests.licensing.shipment_fixture import add_licence, order, report_us, serials

VALID_TO = dt.date(2026, 3, 31)
LAST_DAY, DAY_AFTER = VALID_TO, VALID_TO + dt.timedelta(days=1)


def _today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "utc_today", lambda: day)


def _ship(database: Database, key: str) -> ShipmentResult:
    # the order is dated inside the window: only today can tell the licence has expired
    return ship(
        database,
        order=order(date="2026-02-10"),
        licence_number="EXP-1",
        quantity=2,
        serials=serials(key, 2),
        idempotency_key=key,
        actor="bob",
    )


@pytest.fixture
def licensed(database: Database) -> Database:
    add_licence(database, number="EXP-1", valid_to=VALID_TO.isoformat())
    report_us(database)
    return database


# (today, the reasons of the refusal: none = it ships)
SHIP_CASES: list[tuple[dt.date, list[tuple[str, str]]]] = [
    (dt.date(2026, 1, 14), [("licence_not_yet_valid", "licence.valid_from")]),
    (dt.date(2026, 1, 15), []),
    (LAST_DAY, []),
    (DAY_AFTER, [("licence_expired", "licence.valid_to")]),
]


@pytest.mark.parametrize(
    ("today", "reasons"), SHIP_CASES, ids=["day before", "first day", "last day", "day after"]
)
def test_a_licence_past_valid_to_today_ships_nothing(
    licensed: Database,
    monkeypatch: pytest.MonkeyPatch,
    today: dt.date,
    reasons: list[tuple[str, str]],
) -> None:
    _today(monkeypatch, today)
    if not reasons:
        assert _ship(licensed, "k-1").shipment["status"] == "pending"
        return
    with pytest.raises(ShipmentRefused) as caught:
        _ship(licensed, "k-1")
    assert [(r.code, r.field) for r in caught.value.reasons] == reasons
    assert f"today is {today}" in caught.value.reasons[0].problem


def test_a_recorded_expiry_is_one_reason_not_two(
    licensed: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _today(monkeypatch, DAY_AFTER)
    assert service.expire_due(licensed, DAY_AFTER) == ["EXP-1"]
    with pytest.raises(ShipmentRefused) as caught:
        _ship(licensed, "k-1")
    assert caught.value.codes == ["licence_status"]


# (today at dispatch, the field of the 409: None = it leaves)
DISPATCH_CASES: list[tuple[dt.date, str | None]] = [
    (LAST_DAY, None),
    (DAY_AFTER, "licence.valid_to"),
]


@pytest.mark.parametrize(("today", "field"), DISPATCH_CASES, ids=["last day", "day after"])
def test_a_shipment_booked_in_time_does_not_leave_after_expiry(
    licensed: Database, monkeypatch: pytest.MonkeyPatch, today: dt.date, field: str | None
) -> None:
    _today(monkeypatch, LAST_DAY)
    shipment_id = _ship(licensed, "k-1").shipment["id"]
    _today(monkeypatch, today)
    if field is None:
        assert shipment_status.dispatch_shipment(licensed, shipment_id, "dan")["status"] == (
            "shipped"
        )
        return
    with pytest.raises(Conflict, match="valid to 2026-03-31") as caught:
        shipment_status.dispatch_shipment(licensed, shipment_id, "dan")
    assert caught.value.field == field
    assert caught.value.errors[0]["code"] == "licence_expired"
