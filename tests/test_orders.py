"""Orders: the public document, and clear errors naming the field for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.orders import load_order, parse_order

VALID = {
    "id": "PO-1",
    "date": "2026-02-10",
    "ship_from": "US",
    "ship_to": {"country": "CN", "city": "Hangzhou"},
    "end_use": "commercial_training",
    "items": [{"model": "H200", "quantity": 10, "unit_price_usd": 30000}],
    "parties": [{"role": "end_user", "name": "X", "country": "CN", "sector": "private"}],
    "erp_reference": "SO-1",
}


def with_change(path: str, value: object) -> dict[str, object]:
    """VALID with one field (dotted path, list indexes as numbers) replaced or removed."""
    import copy

    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node: object = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    if value is REMOVE:
        del node[last]  # type: ignore[attr-defined]
    else:
        node[int(last) if isinstance(node, list) else last] = value  # type: ignore[index]
    return data


REMOVE = object()

BAD = [
    ("date", "2026-13-45", "date"),
    ("date", REMOVE, "date"),
    ("ship_from", "XX", "ship_from"),
    ("ship_to.country", "China", "ship_to.country"),
    ("end_use", "world_domination", "end_use"),
    ("items", [], "items"),
    ("items.0.quantity", 0, "items.0.quantity"),
    ("items.0.unit_price_usd", -5, "items.0.unit_price_usd"),
    ("items.0.unit_price_usd", 1e26, "items.0.unit_price_usd"),  # above the 1e12 bound
    ("items.0.unit_price_usd", float("inf"), "items.0.unit_price_usd"),
    ("items.0.unit_price_usd", "NaN", "items.0.unit_price_usd"),
    ("parties.0.role", "owner", "parties.0.role"),
    ("parties.0.sector", "state-owned", "parties.0.sector"),
    ("parties.0.lists", ["naughty_list"], "parties.0.lists.0"),
    ("id", REMOVE, "id"),
]


def test_valid_order_parses_and_keeps_extra_fields() -> None:
    order = parse_order(VALID)
    assert order.items[0].value_usd == 300000
    assert order.model_extra == {"erp_reference": "SO-1"}


def test_country_codes_are_normalised_to_upper_case() -> None:
    assert parse_order(with_change("ship_from", "us")).ship_from == "US"


@pytest.mark.parametrize(("path", "value", "field"), BAD, ids=[f"{p}={v!r}" for p, v, _ in BAD])
def test_bad_order_is_rejected_naming_the_field(path: str, value: object, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_order(with_change(path, value))
    assert field in [e["field"] for e in caught.value.errors]
    assert caught.value.status == 422


def test_every_problem_is_reported_at_once() -> None:
    data = with_change("ship_from", "XX")
    data["items"] = [{"model": "H200", "quantity": -1}]
    with pytest.raises(InvalidInput) as caught:
        parse_order(data)
    assert {e["field"] for e in caught.value.errors} == {"ship_from", "items.0.quantity"}


def test_norway_is_a_country_not_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "order.yaml"
    path.write_text(
        "id: PO-NO\ndate: 2026-02-10\nship_from: US\nship_to: {country: NO}\n"
        "items: [{model: H100, quantity: 1}]\nparties: [{role: end_user, name: N, country: NO}]\n"
    )
    assert load_order(path).ship_to.country == "NO"


@pytest.mark.parametrize(
    ("text", "problem"),
    [("id: [unclosed", "not valid YAML"), ("- a list", "must be a mapping"), ("{", "not valid")],
)
def test_unreadable_documents_are_rejected(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "order.yaml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match=problem):
        load_order(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        load_order(tmp_path / "nope.yaml")


def test_a_single_problem_names_its_field_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_order(with_change("items.0.quantity", 0))
    assert str(caught.value).count("items.0.quantity") == 1


def test_an_impossible_date_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "order.yaml"
    path.write_text(
        "id: PO-X\ndate: 2026-02-30\nship_from: US\nship_to: {country: CN}\n"
        "items: [{model: H100, quantity: 1}]\nparties: [{role: end_user, name: N, country: CN}]\n"
    )
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_order(path)
