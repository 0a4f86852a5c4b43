"""Group commit: a batch ships each request as if alone; one request's error is its own."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from chipwatch.errors import Conflict, NotFound
from chipwatch.licensing import group_commit, ledger_batch
from chipwatch.licensing.ledger_jobs import Job, ShipmentResult
from chipwatch.licensing.ship_request import validated_request
from chipwatch.licensing.shipment_checks import ShipmentRefused
from chipwatch.store import Database
from chipwatch.store.audit import verify
from tests.licensing.shipment_fixture import add_licence, order, report_us


def _job(key: str, serials: list[str], licence: str = "MO-0001") -> Job:
    request = validated_request(order(), licence, len(serials), serials, key, "bob")
    return Job(request)


def _batch() -> list[Job]:
    return [
        _job("a", ["S1", "S2"]),
        _job("b", ["S3"], licence="NOPE"),  # unknown licence: its own 404
        _job("a", ["S2", "S1"]),  # the same request again: the first one's result
        _job("a", ["S9"]),  # the same key, another request: a conflict
        _job("c", ["S2"]),  # a serial the first request took
        _job("d", ["S4", "S5"]),  # over the licence's three units
        _job("e", ["S6"]),
    ]


def _check(jobs: list[Job]) -> None:
    first, unknown, again, reused, serial, over, last = (j.outcome for j in jobs)
    assert isinstance(first, ShipmentResult) and not first.replayed
    assert isinstance(unknown, NotFound)
    assert isinstance(again, ShipmentResult) and again.replayed
    assert again.shipment["id"] == first.shipment["id"]
    assert isinstance(reused, Conflict) and reused.field == "idempotency_key"
    assert isinstance(serial, ShipmentRefused) and serial.codes == ["serial_already_shipped"]
    assert isinstance(over, ShipmentRefused) and over.codes == ["quantity_exhausted"]
    assert isinstance(last, ShipmentResult) and last.remaining["quantity"] == 0


@pytest.mark.parametrize("fail_batches", [False, True], ids=["one batch", "retried alone"])
def test_a_batch_ships_each_request_as_if_alone(
    database: Database, monkeypatch: pytest.MonkeyPatch, fail_batches: bool
) -> None:
    add_licence(database, quantity=3)
    report_us(database)
    if fail_batches:  # a database error in a batch: every request is retried on its own
        process = ledger_batch.process

        def failing(session: Any, jobs: list[Job]) -> None:
            if len(jobs) > 1:
                raise IntegrityError("INSERT", {}, Exception("simulated"))
            process(session, jobs)

        monkeypatch.setattr(group_commit, "process", failing)
    jobs = _batch()
    group_commit.group_commit(database)._ship(jobs)
    _check(jobs)
    with database.session() as session:
        assert verify(session).ok
