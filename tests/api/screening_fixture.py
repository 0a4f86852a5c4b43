"""A client over a fresh database, and a small CSL-layout list to load into it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from chipwatch.api.app import create_app
from chipwatch.orders import Order
from chipwatch.screening import repository, runtime
from chipwatch.screening.lists import parse_list
from chipwatch.store import Database
from chipwatch.workflow import check_order

FIXTURES = Path(__file__).parent / "fixtures"
V1 = FIXTURES / "csl_v1.csv"  # EL Dahua, EL HIT, MEU, SDN Testov, DPL x2
V2 = FIXTURES / "csl_v2.csv"  # Dahua changed, Nimbus Photonics added, DPL Sample removed


def screening_client(database: Database) -> Iterator[TestClient]:
    # The screener cache is keyed by URL and version ids; PostgreSQL test schemas share a URL.
    runtime._indexes.clear()
    with TestClient(create_app(database)) as client:
        yield client


def load(database: Database, path: Path = V1) -> int:
    parsed = parse_list(path.read_bytes(), "csl-csv", name=path.name)
    return repository.import_list(database, parsed, origin=str(path), actor="test").version.id


def order_with(*parties: tuple[str, str], order_id: str = "PO-T-1") -> Order:
    return Order.model_validate(
        {
            "id": order_id,
            "date": "2026-02-10",
            "ship_from": "US",
            "ship_to": {"country": "HK"},
            "end_use": "commercial_training",
            "items": [{"model": "NVIDIA H200", "quantity": 10}],
            "parties": [
                {"role": "end_user", "name": name, "country": country} for name, country in parties
            ],
        }
    )


def open_cases(database: Database, *parties: tuple[str, str]) -> list[int]:
    """Decide an order with these parties (name, country); the case ids it opened."""
    return list(check_order(database, order_with(*parties), actor="test").case_ids)
