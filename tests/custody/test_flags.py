"""Flags: raised into a queue, marking the chip; cleared back; silence, power, check-ins."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from chipwatch.custody import chips, flags
from chipwatch.custody.model import Chip
from chipwatch.errors import Conflict, InvalidInput
from chipwatch.store import Database
from tests.custody.custody_fixture import chip_at, event, setup

MARCH = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.fixture
def db(database: Database) -> Database:
    setup(database)
    return database


def _state(db: Database, serial: str) -> str:
    with db.session() as session:
        return chips.get_chip(session, serial).state


def test_a_flag_marks_the_chip_and_clearing_the_last_one_restores_it(db: Database) -> None:
    chip_at(db, "H200-1", "installed")
    with db.transaction() as session:
        first = flags.raise_flag(session, "H200-1", "attestation_invalid", {"why": "sig"}, "v")
        second = flags.raise_flag(session, "H200-1", "key_reused", {"key": "ab"}, "v")
    assert _state(db, "H200-1") == "flagged"
    with db.transaction() as session:
        flags.dispose_flag(session, first.id, "cleared", "clock skew", "officer")
    assert _state(db, "H200-1") == "flagged"  # one flag still open
    with db.transaction() as session:
        view = flags.dispose_flag(session, second.id, "cleared", "typo in the key", "officer")
    assert view.status == "cleared" and view.to_dict()["dispositions"][0]["actor"] == "officer"
    assert _state(db, "H200-1") == "installed"
    with pytest.raises(Conflict, match="already cleared"), db.transaction() as session:
        flags.dispose_flag(session, second.id, "confirmed", "changed my mind", "officer")
    with db.session() as session:
        assert flags.list_flags(session, status="open")[1] == 0
        assert flags.list_flags(session, status="cleared", kind="key_reused")[1] == 1
    with pytest.raises(InvalidInput), db.transaction() as session:
        flags.raise_flag(session, "H200-1", "vibes", {}, "v")


def test_silent_chips_are_flagged_once(db: Database) -> None:
    chip_at(db, "H200-1", "installed")  # installed on 2026-03-01: the clock starts then
    chip_at(db, "H200-2", "installed", seed=8)
    with db.transaction() as session:
        flags.record_attestation(
            session, "H200-2", "kul-1", "proven", "r1", MARCH + dt.timedelta(hours=30), "v"
        )
    opened = flags.check_silent(db, MARCH + dt.timedelta(hours=36))
    assert len(opened) == 1
    with db.session() as session:
        view = flags.get_flag(session, opened[0])
        assert (view.flag.serial, view.flag.kind) == ("H200-1", "silent")
        assert view.flag.detail["interval_hours"] == 24
    assert flags.check_silent(db, MARCH + dt.timedelta(hours=37)) == []  # H200-1 is flagged


def test_power_beyond_the_declared_megawatts_flags_the_newest_chips(db: Database) -> None:
    for n in range(4):  # kul-1 declares 2.1 kW: three H200s at 700 W
        chip_at(db, f"H200-{n}", "installed", seed=10 + n)
    with db.session() as session:
        views, total = flags.list_flags(session, kind="power_exceeded")
    assert total == 1 and views[0].flag.serial == "H200-3"
    assert views[0].flag.detail["chips_at_site"] == 4


def test_check_ins_attest_and_bad_verdicts_flag(db: Database) -> None:
    chip_at(db, "H200-1", "installed")
    with db.transaction() as session:
        good = flags.record_attestation(session, "H200-1", "kul-1", "proven", "r1", MARCH, "v")
        assert good.event is not None and good.event.event == "attested" and not good.flags
    with db.transaction() as session:
        again = flags.record_attestation(session, "H200-1", "kul-1", "proven", "r1", MARCH, "v")
        assert again.repeated and again.event is not None and again.event.seq == good.event.seq
    with db.transaction() as session:
        near = flags.record_attestation(session, "H200-1", "jhb-1", "consistent", "r2", MARCH, "v")
        assert near.flags == ()  # Johor is 330 km from KL, inside kul-1's 1,000 km
    with db.transaction() as session:
        far = flags.record_attestation(session, "H200-1", "szx-dc", "proven", "r3", MARCH, "v")
        assert [f.kind for f in far.flags] == ["far_from_delivery"]
        assert far.flags[0].detail["distance_km"] > 2000
    assert _state(db, "H200-1") == "flagged"
    with db.transaction() as session:  # a flagged chip's good check-in is kept, without a move
        kept = flags.record_attestation(session, "H200-1", "kul-1", "proven", "r4", MARCH, "v")
        assert kept.event is not None and kept.event.event == "checked_in"
        bad = flags.record_attestation(session, "H200-1", "kul-1", "inconsistent", "r5", MARCH, "v")
        assert bad.event is None and bad.flags[0].kind == "attestation_inconsistent"
        assert bad.flags[0].detail["report_hash"] == "r5"


def test_a_quarantined_chip_keeps_its_state_when_flagged(db: Database) -> None:
    chip_at(db, "H200-1", "received")
    with db.transaction() as session:
        event(session, "H200-1", "quarantined")
        flags.raise_flag(session, "H200-1", "attestation_invalid", {}, "v")
        session.execute(update(Chip).values(custodian="x"))  # chips are mutable
    assert _state(db, "H200-1") == "quarantined"
