"""Pre-export inspections: record one (a pass enrols the chip's attestation key), and the
check a shipment runs on its serials (``require_passing``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from chipwatch import service
from chipwatch.custody import flags, journal
from chipwatch.custody.documents import InspectionDoc
from chipwatch.custody.model import Chip, ChipEvent, CustodyFlag, Inspection

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class InspectionResult:
    inspection: Inspection
    event: ChipEvent
    flags: tuple[CustodyFlag, ...]


def record_inspection(
    session: Session, serial: str, doc: InspectionDoc, actor: str
) -> InspectionResult:
    """Record an inspection. The result is forced to ``fail`` (with the reasons) when the
    model or serial seen is not the chip's, when a pass enrols no key, or when the key is
    already enrolled for another chip (which also flags both chips ``key_reused``)."""
    journal.require_actor(actor)
    chip = journal.lock_chip(session, serial)
    at = doc.at or dt.datetime.now(dt.UTC)
    failures = _failures(chip, doc)
    other = _key_holder(session, doc.public_key, chip.serial)
    if other is not None:
        failures.append(f"public key {doc.public_key} is already enrolled for chip {other}")
    result = "fail" if failures else "pass"
    event = "inspected" if result == "pass" else "inspection_failed"
    to_state = journal.check(session, chip, event, at)
    previous_key = chip.public_key
    summary = {
        "result": result,
        "failures": failures,
        "lab": doc.lab,
        "tester": doc.tester,
        "firmware": doc.firmware,
        "tamper_seal_id": doc.tamper_seal_id,
        "public_key": doc.public_key,
    }
    if result == "pass" and previous_key not in (None, doc.public_key):
        summary["replaces_key"] = previous_key
    row = journal.record(
        session,
        chip,
        event,
        to_state=to_state,
        actor=actor,
        at=at,
        place=doc.lab,
        evidence=summary,
    )
    inspection = Inspection(
        serial=chip.serial,
        model_seen=doc.model_seen,
        serial_seen=doc.serial_seen,
        firmware=doc.firmware,
        tamper_seal_id=doc.tamper_seal_id,
        tester=doc.tester,
        lab=doc.lab,
        result=result,
        failures=failures,
        notes=doc.notes,
        at=at,
        public_key=doc.public_key,
        actor=actor,
        audit_seq=row.audit_seq,
    )
    session.add(inspection)
    if result == "pass":
        chip.public_key, chip.enrolled_at = doc.public_key, at
    session.flush()
    raised: tuple[CustodyFlag, ...] = ()
    if other is not None:
        detail = {"public_key": doc.public_key, "serials": sorted([other, chip.serial])}
        raised = tuple(
            flags.raise_flag(session, s, "key_reused", detail, actor) for s in (other, chip.serial)
        )
    return InspectionResult(inspection, row, raised)


def _failures(chip: Chip, doc: InspectionDoc) -> list[str]:
    failures = ["the tester recorded a failure"] if doc.result == "fail" else []
    seen = service.default().catalog.find(doc.model_seen)
    if seen is None or seen.id != chip.model:
        shown = seen.id if seen is not None else "an unknown model"
        failures.append(
            f"model seen '{doc.model_seen}' ({shown}) is not the chip's model {chip.model}"
        )
    if doc.serial_seen != chip.serial:
        failures.append(f"serial seen '{doc.serial_seen}' is not the chip's serial {chip.serial}")
    if doc.result == "pass" and doc.public_key is None:
        failures.append("no attestation public key: a passing inspection must enrol one")
    return failures


def _key_holder(session: Session, key: str | None, serial: str) -> str | None:
    if key is None:
        return None
    return session.scalar(
        select(Chip.serial).where(Chip.public_key == key, Chip.serial != serial).limit(1)
    )


class CustodyProblem(NamedTuple):
    """Why one chip may not ship; same shape as ``licensing.shipment_checks.RefusalReason``."""

    code: str  # chip_unknown, inspection_missing, inspection_failed, testing_missing,
    # chip_state, chip_model, chip_licence
    field: str
    problem: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "problem": self.problem}


def require_passing(
    session: Session,
    serials: Iterable[str],
    *,
    testing: bool,
    model_id: str | None = None,
    licence_number: str | None = None,
) -> list[CustodyProblem]:
    """Every reason the chips may not ship: unknown serial, no inspection, latest inspection
    failed, not ``tested`` when ``testing`` (the licence's ``third_party_testing``), or a
    state other than inspected/tested (flagged, already shipped, …); when given, a model
    other than ``model_id`` or a licence other than ``licence_number`` (a chip registered
    without one is not refused). Empty: all may ship."""
    wanted = list(dict.fromkeys(serials))
    chips: dict[str, Chip] = {}
    latest: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        chips.update(
            (c.serial, c) for c in session.scalars(select(Chip).where(Chip.serial.in_(chunk)))
        )
        rows = session.execute(
            select(Inspection.serial, Inspection.result)
            .where(Inspection.serial.in_(chunk))
            .order_by(Inspection.id)
        )
        latest.update((serial, result) for serial, result in rows)
    problems: list[CustodyProblem] = []
    for i, serial in enumerate(wanted):
        field = f"serials.{i}"
        chip = chips.get(serial)
        if chip is None:
            problems.append(
                CustodyProblem("chip_unknown", field, f"chip {serial} is not registered")
            )
        elif serial not in latest:
            problems.append(
                CustodyProblem("inspection_missing", field, f"chip {serial} was never inspected")
            )
        elif latest[serial] != "pass":
            problems.append(
                CustodyProblem(
                    "inspection_failed", field, f"chip {serial}'s latest inspection failed"
                )
            )
        elif testing and chip.state != "tested":
            problems.append(
                CustodyProblem(
                    "testing_missing",
                    field,
                    f"chip {serial} is {chip.state}: the licence requires third-party testing",
                )
            )
        elif chip.state not in ("inspected", "tested"):
            problems.append(
                CustodyProblem(
                    "chip_state", field, f"chip {serial} is {chip.state}, not ready to ship"
                )
            )
        if chip is not None:
            problems.extend(_order_problems(chip, field, model_id, licence_number))
    return problems


def _order_problems(
    chip: Chip, field: str, model_id: str | None, licence_number: str | None
) -> list[CustodyProblem]:
    problems = []
    if model_id is not None and chip.model != model_id:
        problems.append(
            CustodyProblem(
                "chip_model", field, f"chip {chip.serial} is a {chip.model}, not a {model_id}"
            )
        )
    held = chip.licence_number
    if licence_number is not None and held is not None and held != licence_number:
        problems.append(
            CustodyProblem(
                "chip_licence",
                field,
                f"chip {chip.serial} is registered under licence {held}, not {licence_number}",
            )
        )
    return problems
