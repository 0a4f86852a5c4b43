"""SIGKILL the server in the middle of a stream of shipments: no committed draw-down is lost,
none is half-written, the balance adds up and the audit chain verifies."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from chipwatch.licensing.ledger_model import (
    FeeEntry,
    LicenceDrawdown,
    Shipment,
    ShipmentRequest,
    ShipmentSerial,
)
from chipwatch.store import Database
from chipwatch.store.audit import count_records, verify
from tests.conftest import postgres_url, require_postgres
from tests.licensing.shipment_fixture import add_licence, order_doc, report_us

pytestmark = pytest.mark.postgresql
CLIENTS = 4
KILL_AFTER = 24  # successful shipments before the SIGKILL


@pytest.fixture
def server_url() -> Iterator[str]:
    """A database URL naming a fresh schema (the server process gets only the URL)."""
    require_postgres()
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(postgres_url())
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CHIPWATCH_DATABASE_URL": url}
    command = [sys.executable, "-m", "chipwatch.cli", "serve", "--port", str(port)]
    with log.open("ab") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(f"the server did not start:\n{log.read_text()}")


def _request(key: str) -> dict[str, Any]:
    return {
        "order": order_doc(),
        "licence": "MO-0001",
        "quantity": 1,
        "serials": [f"SN-{key}"],
        "idempotency_key": key,
    }


def test_sigkill_mid_stream_loses_nothing_committed(server_url: str, tmp_path: Path) -> None:
    database = Database(server_url)
    try:
        _run(database, server_url, tmp_path)
    finally:
        database.dispose()
    verified = subprocess.run(
        [sys.executable, "-m", "chipwatch.cli", "audit", "verify"],
        env={**os.environ, "CHIPWATCH_DATABASE_URL": server_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0 and "audit chain ok" in verified.stdout, verified.stderr


def _run(database: Database, server_url: str, tmp_path: Path) -> None:
    database.upgrade()
    # the server judges expiry on the real today (not the pinned one): a licence that lasts
    add_licence(database, quantity=900, value_usd=10**9, valid_to="2099-12-31")
    report_us(database)
    port, log = _free_port(), tmp_path / "server.log"
    server = _start(server_url, port, log)
    base = f"http://127.0.0.1:{port}"
    created: dict[str, int] = {}  # key -> shipment id, for every 201 seen
    unanswered: list[str] = []  # in flight when the server died: outcome unknown
    lock, killed = threading.Lock(), threading.Event()

    def stream(client_no: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            for n in range(400):
                key = f"c{client_no}-{n}"
                try:
                    response = client.post("/v1/shipments", json=_request(key))
                except httpx.TransportError:
                    with lock:
                        unanswered.append(key)
                    return
                assert response.status_code == 201, response.text
                with lock:
                    created[key] = response.json()["id"]
                if killed.is_set():
                    return

    threads = [threading.Thread(target=stream, args=(c,)) for c in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        while len(created) < KILL_AFTER and any(t.is_alive() for t in threads):
            time.sleep(0.005)
        server.send_signal(signal.SIGKILL)
        killed.set()
        server.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=20)
        assert len(created) >= KILL_AFTER and unanswered, "the kill landed outside the stream"

        server = _start(server_url, port, log)
        with httpx.Client(base_url=base, timeout=10) as client:
            for key in unanswered:  # a client retries what it never got an answer to
                retried = client.post("/v1/shipments", json=_request(key))
                assert retried.status_code == 201, retried.text
                created[key] = retried.json()["id"]
            last = client.post("/v1/shipments", json=_request("after")).json()
        created["after"] = last["id"]
    finally:
        server.kill()
        server.wait(timeout=10)
    _check_ledger(database, created, last["remaining"])


def _check_ledger(database: Database, created: dict[str, int], remaining: dict[str, Any]) -> None:
    def count(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    with database.session() as session:
        query = select(ShipmentRequest.idempotency_key, ShipmentRequest.shipment_id)
        keys = {key: shipment_id for key, shipment_id in session.execute(query)}
        for key, shipment_id in created.items():  # every 201 is in the ledger
            assert keys[key] == shipment_id
        shipments = count(Shipment)
        assert shipments == len(set(keys.values())) >= len(created)
        assert count(LicenceDrawdown, LicenceDrawdown.kind == "draw") == shipments
        assert count(ShipmentSerial) == shipments
        assert count(FeeEntry, FeeEntry.kind == "accrual") == shipments
        assert count_records(session, action="shipment.ship") == shipments
        drawn = session.scalar(select(func.sum(LicenceDrawdown.quantity)))
        assert remaining["quantity"] == 900 - drawn
        assert verify(session).ok
