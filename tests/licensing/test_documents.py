"""The licence document: what a valid one looks like, and every problem named by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.licensing.documents import (
    control_class,
    parse_licence_document,
    read_licence_file,
)
from tests.licensing.licence_fixture import licence_document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "licences"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3A090.a", "3A090.a"),
        ("3a090.A", "3A090.a"),
        ("4A090", "4A090"),
        ("5A992.c", "5A992.c"),
        ("H200", None),
        ("3A09", None),
        ("3Z090.a", None),
    ],
)
def test_control_class(text: str, expected: str | None) -> None:
    assert control_class(text) == expected


def test_a_valid_document_is_normalised() -> None:
    doc = parse_licence_document(
        licence_document(items=["H200", "NVIDIA H200 SXM", "3a090.A"], destinations=["cn", "CN"])
    )
    data = doc.normalised()
    assert data["items"] == ["nvidia-h200-sxm-141gb", "3A090.a"]
    assert data["destinations"] == ["CN"]
    assert data["approved_customers"][1] == {"name": "阿里云计算有限公司", "country": None}
    assert data["value_usd"] == "3100000.00"
    assert data["conditions"]["fee_rate"] == "0.25"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": ""}, "number"),
        ({"number": "D 123"}, "number"),
        ({"number": "D/123"}, "number"),
        ({"authority": ""}, "authority"),
        ({"approved_customers": []}, "approved_customers"),
        ({"approved_customers": [42]}, "approved_customers.0"),
        ({"approved_customers": [{"name": "X", "country": "ZZ"}]}, "approved_customers.0.country"),
        ({"approved_customers": ["Acme Ltd", "ACME  ltd."]}, "approved_customers"),
        ({"items": []}, "items"),
        ({"items": ["H200", "Unobtainium 9000"]}, "items.1"),
        ({"destinations": ["CN", "XX"]}, "destinations.1"),
        ({"quantity": 0}, "quantity"),
        ({"value_usd": -1}, "value_usd"),
        ({"value_usd": "10.001"}, "value_usd"),
        ({"valid_to": "2026-01-31"}, "valid_to"),
        ({"valid_from": "2026-02-30"}, "valid_from"),
        ({"conditions": {"fee_rate": 1.5}}, "conditions.fee_rate"),
        ({"conditions": {"fee_rate": -0.1}}, "conditions.fee_rate"),
        ({"conditions": {"third_party_testing": "maybe"}}, "conditions.third_party_testing"),
        (
            {"conditions": {"max_share_of_us_shipments": "NaN"}},
            "conditions.max_share_of_us_shipments",
        ),
        (
            {"conditions": {"max_share_of_us_shipments": "-Infinity"}},
            "conditions.max_share_of_us_shipments",
        ),
        (
            {"conditions": {"max_share_of_us_shipments": 1.5}},
            "conditions.max_share_of_us_shipments",
        ),
        (
            {"conditions": {"max_share_of_us_shipments": -0.1}},
            "conditions.max_share_of_us_shipments",
        ),
        (
            {"conditions": {"max_share_of_us_shipments": "half"}},
            "conditions.max_share_of_us_shipments",
        ),
    ],
)
def test_a_bad_field_is_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_licence_document(licence_document(**changes))
    assert [e["field"] for e in caught.value.errors] == [field]


def test_every_problem_is_reported_at_once() -> None:
    document = licence_document(
        items=["Unobtainium"], destinations=["XX"], quantity=0, valid_to="2020-01-01"
    )
    del document["licensee"]
    with pytest.raises(InvalidInput) as caught:
        parse_licence_document(document, source="l.yaml")
    fields = {e["field"] for e in caught.value.errors}
    assert fields == {"licensee", "items.0", "destinations.0", "quantity", "valid_to"}
    assert caught.value.source == "l.yaml"


def test_not_a_mapping() -> None:
    with pytest.raises(InvalidInput, match="mapping"):
        parse_licence_document(["a", "list"])


def test_the_bundled_example_is_valid() -> None:
    doc, original = read_licence_file(EXAMPLES / "h200-alibaba.yaml")
    assert doc.number == original["number"]
    assert doc.items == ["nvidia-h200-sxm-141gb"]
    assert str(doc.conditions.fee_rate) == "0.25" and doc.conditions.third_party_testing
    assert len(doc.approved_customers) == 3


def test_an_unreadable_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        read_licence_file(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("number: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        read_licence_file(tmp_path / "bad.yaml")


def test_the_aggregate_share_is_exact_and_unstated_it_leaves_the_digest_alone() -> None:
    stated = parse_licence_document(licence_document(conditions={"max_share_of_us_shipments": 0.4}))
    assert stated.normalised()["conditions"]["max_share_of_us_shipments"] == "0.4"
    unstated = parse_licence_document(licence_document()).normalised()["conditions"]
    assert "max_share_of_us_shipments" not in unstated  # the digest of licences filed before
