"""Inspections: a mismatch forces a fail, a pass enrols the key, keys are never shared;
``require_passing`` says why chips may not ship."""

from __future__ import annotations

import pytest

from chipwatch.custody import chips, flags, inspections
from chipwatch.custody.documents import InspectionDoc, validate
from chipwatch.errors import InvalidInput
from chipwatch.store import Database
from tests.custody.custody_fixture import (
    H200,
    TESTED,
    UNTESTED,
    chip_at,
    inspection,
    public_key,
    setup,
)


@pytest.fixture
def db(database: Database) -> Database:
    setup(database)
    return database


MISMATCHES: list[tuple[dict[str, str | None], str]] = [
    ({"model_seen": "NVIDIA H20"}, "model seen 'NVIDIA H20' (nvidia-h20) is not the chip's"),
    ({"model_seen": "Mystery X"}, "(an unknown model) is not the chip's"),
    ({"serial_seen": "H200-x"}, "serial seen 'H200-x' is not the chip's serial H200-"),
    ({"public_key": None}, "a passing inspection must enrol one"),
    ({"result": "fail"}, "the tester recorded a failure"),
]


def test_a_mismatch_forces_a_fail_with_the_reason(db: Database) -> None:
    for n, (changes, failure) in enumerate(MISMATCHES):  # one database for every case
        serial = f"H200-{n}"
        chip_at(db, serial, "manufactured")
        with db.transaction() as session:
            result = inspections.record_inspection(
                session, serial, inspection(serial, seed=20 + n, **changes), "lab"
            )
            assert result.inspection.result == "fail"
            assert any(failure in f for f in result.inspection.failures), changes
            assert result.event.event == "inspection_failed"
            assert result.event.to_state == "manufactured"
            assert result.event.evidence["failures"] == result.inspection.failures


def test_a_pass_enrols_the_key_and_a_reused_key_flags_both_chips(db: Database) -> None:
    chip_at(db, "H200-1", "inspected", seed=7)
    chip_at(db, "H200-2", "manufactured")
    with db.transaction() as session:
        result = inspections.record_inspection(
            session, "H200-2", inspection("H200-2", seed=7), "lab"
        )
        assert result.inspection.result == "fail"
        assert "already enrolled for chip H200-1" in result.inspection.failures[0]
        assert [f.kind for f in result.flags] == ["key_reused", "key_reused"]
        assert {f.serial for f in result.flags} == {"H200-1", "H200-2"}
    with db.session() as session:
        problems = inspections.require_passing(session, ["H200-1"], testing=False)
        assert [p.code for p in problems] == ["chip_state"]  # H200-1 is flagged now
        flag_id = next(f.id for f in result.flags if f.serial == "H200-2")
    with db.transaction() as session:  # cleared: the chip is back where it was, re-inspected
        flags.dispose_flag(session, flag_id, "cleared", "H200-1's key was mis-typed", "officer")
        ok = inspections.record_inspection(session, "H200-2", inspection("H200-2", seed=8), "lab")
        assert ok.inspection.result == "pass" and ok.event.from_state == "manufactured"
        assert ok.inspection.public_key == public_key(8)


def test_a_key_that_is_not_ed25519_is_refused() -> None:
    data = inspection("H200-1").model_dump(mode="json")
    for bad in ("zz" * 32, "ab" * 31):
        with pytest.raises(InvalidInput) as refused:
            validate(InspectionDoc, {**data, "public_key": bad})
        assert refused.value.field == "public_key"
    assert validate(InspectionDoc, data).public_key == public_key(7)


def test_require_passing_names_every_chip_that_may_not_ship(db: Database) -> None:
    chip_at(db, "H200-ok", "tested", seed=1)
    chip_at(db, "H200-insp", "inspected", seed=2, licence=UNTESTED)
    chip_at(db, "H200-new", "manufactured")
    chip_at(db, "H200-bad", "manufactured")
    with db.transaction() as session:
        inspections.record_inspection(
            session, "H200-bad", inspection("H200-bad", seed=3, result="fail"), "lab"
        )
    serials = ["H200-ok", "H200-insp", "H200-new", "H200-bad", "H200-ghost"]
    with db.session() as session:
        loose = inspections.require_passing(session, serials, testing=False)
        strict = inspections.require_passing(session, serials, testing=True)
    assert [(p.code, p.field) for p in loose] == [
        ("inspection_missing", "serials.2"),
        ("inspection_failed", "serials.3"),
        ("chip_unknown", "serials.4"),
    ]
    assert [p.code for p in strict] == [
        "testing_missing",
        "inspection_missing",
        "inspection_failed",
        "chip_unknown",
    ]
    assert strict[0].to_dict()["problem"] == (
        "chip H200-insp is inspected: the licence requires third-party testing"
    )


H200_ID = "nvidia-h200-sxm-141gb"

# (chip's licence, model_id, licence_number asked for, codes)
ORDER_MATCHES: list[tuple[str | None, str | None, str | None, list[str]]] = [
    (TESTED, None, None, []),  # callers that do not ask are not refused
    (TESTED, H200_ID, TESTED, []),
    (TESTED, "nvidia-h20", TESTED, ["chip_model"]),
    (TESTED, H200_ID, UNTESTED, ["chip_licence"]),
    (TESTED, "nvidia-h20", UNTESTED, ["chip_model", "chip_licence"]),
    (None, H200_ID, TESTED, []),  # registered without a licence: not refused
]


@pytest.mark.parametrize(("held", "model_id", "number", "codes"), ORDER_MATCHES)
def test_require_passing_checks_the_order_lines_model_and_the_licence(
    db: Database, held: str | None, model_id: str | None, number: str | None, codes: list[str]
) -> None:
    with db.transaction() as session:
        chips.add_chip(session, chips.NewChip("H200-1", H200, licence=held), "alice")
        inspections.record_inspection(session, "H200-1", inspection("H200-1"), "lab")
    with db.session() as session:
        problems = inspections.require_passing(
            session, ["H200-1"], testing=False, model_id=model_id, licence_number=number
        )
    assert [p.code for p in problems] == codes
    assert all(p.field == "serials.0" for p in problems)
