"""Rulebook loading: the bundled rulebook is consistent; a broken one is rejected with the
file, the rule and the field named."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from chipwatch import service
from chipwatch.errors import InvalidData
from chipwatch.rules.loader import load_rulebook
from chipwatch.settings import PACKAGE_DATA

RULE = """
  - id: TEST-RULE
    title: test
    text: test rule
    effective_from: 2024-01-01
    when: {{fact: item.eccn, in: ["3A090.a"]}}
    outcome: {outcome}
{extra}"""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    target = tmp_path / "rulebook"
    shutil.copytree(PACKAGE_DATA / "rulebook", target)
    return target


def add_rule(book: Path, outcome: str = "hold", extra: str = "", file: str = "") -> None:
    path = book / "instruments" / (file or "us-know-your-customer.yaml")
    path.write_text(path.read_text() + RULE.format(outcome=outcome, extra=extra))


BROKEN = [
    (
        "reported_guidance_cannot_prohibit",
        dict(outcome="prohibited", file="cn-import-procurement-measures.yaml"),
        "reported guidance is not law",
    ),
    (
        "review_policy_needs_license_required",
        dict(outcome="hold", extra="    review_policy: case_by_case\n"),
        "review_policy",
    ),
    ("unknown_outcome", dict(outcome="maybe"), "must be one of"),
    ("ends_before_it_starts", dict(extra="    effective_to: 2023-01-01\n"), "ends before"),
    ("overrides_unknown_rule", dict(extra="    overrides: [NO-SUCH-RULE]\n"), "NO-SUCH-RULE"),
    ("undeclared_jurisdiction", dict(extra="    jurisdiction: EU\n"), "not declared"),
    ("fee_rate_out_of_range", dict(extra="    fee: {rate: 25, label: x}\n"), "rate"),
    (
        "volume_cap_share_out_of_range",
        dict(extra="    volume_cap: {share_of_us_shipments: 50, destinations: [CN]}\n"),
        "volume_cap.share_of_us_shipments",
    ),
    (
        "volume_cap_unknown_country",
        dict(extra="    volume_cap: {share_of_us_shipments: 0.5, destinations: [China]}\n"),
        "volume_cap.destinations",
    ),
    (
        "volume_cap_from_reported_guidance",
        dict(
            file="cn-import-procurement-measures.yaml",
            extra="    volume_cap: {share_of_us_shipments: 0.5, destinations: [CN]}\n",
        ),
        "reported guidance is not law",
    ),
]


@pytest.mark.parametrize(("name", "change", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_rule_is_rejected_naming_file_rule_and_field(
    book: Path, name: str, change: dict[str, str], message: str
) -> None:
    add_rule(book, **change)
    with pytest.raises(InvalidData) as caught:
        load_rulebook(book)
    text = str(caught.value)
    assert message in text
    assert "instruments/" in text and "TEST-RULE" in text


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("{fact: item.colour, eq: red}", "unknown fact 'item.colour'"),
        ("{fact: order.end_use, eq: conquest}", "'conquest' is not a value of 'order.end_use'"),
        ('{fact: destination.groups, contains: "D5"}', "'D5' is not a value"),
        ('{fact: item.tpp, ge: "a lot"}', "takes a number"),
        ("{fact: item.tpp, contains: 5}", "not a set"),
        ("{fact: item.tpp, ge: 1, lt: 2}", "exactly one operator"),
        ("{all: []}", "non-empty list"),
    ],
)
def test_broken_condition_is_rejected_with_its_path(
    book: Path, condition: str, message: str
) -> None:
    path = book / "instruments" / "us-know-your-customer.yaml"
    path.write_text(
        path.read_text().replace(
            "    when:\n      all:\n        - {fact: item.eccn, in: "
            '["3A090", "4A090", "3A090.a", "3A090.b", "4A090.a", "4A090.b"]}\n'
            "        - {fact: order.end_use, eq: unknown}",
            f"    when: {condition}",
            1,
        )
    )
    with pytest.raises(InvalidData) as caught:
        load_rulebook(book)
    assert message in str(caught.value)
    assert "US-RF-END-USE-UNKNOWN.when" in str(caught.value)


def test_duplicate_rule_id_across_files_is_rejected(book: Path) -> None:
    add_rule(book)
    add_rule(book, file="us-military-end-use.yaml")
    with pytest.raises(InvalidData, match="used twice"):
        load_rulebook(book)


def test_unparseable_file_is_rejected(book: Path) -> None:
    (book / "instruments" / "zz-broken.yaml").write_text("instrument: [unclosed")
    with pytest.raises(InvalidData, match="not valid YAML"):
        load_rulebook(book)


def test_bundled_rulebook_versions_cover_time_without_gaps() -> None:
    book = service.default().rulebook
    assert book.versions[0].start == book.covers_from == dt.date(2022, 10, 7)
    for before, after in zip(book.versions, book.versions[1:], strict=False):
        assert before.end is not None and before.end + dt.timedelta(days=1) == after.start
    assert book.versions[-1].end is None


def test_suspension_opens_and_closes_a_version() -> None:
    book = service.default().rulebook
    starts = {v.start for v in book.versions}
    assert {dt.date(2025, 11, 10), dt.date(2026, 11, 10)} <= starts
    during = book.version_on(dt.date(2026, 3, 1))
    after = book.version_on(dt.date(2026, 11, 10))
    assert during and after
    assert "US-2025-AFFILIATES-50" not in {r.id for r in during.rules}
    assert "US-2025-AFFILIATES-50" in {r.id for r in after.rules}


def test_no_version_before_coverage() -> None:
    assert service.default().rulebook.version_on(dt.date(2022, 10, 6)) is None


def test_every_model_a_rule_names_is_in_the_catalog() -> None:
    cw = service.default()
    for rule in cw.rulebook.rules:
        for check in rule.when.checks({}):
            if check.fact == "item.model":
                names = (
                    check.expected if isinstance(check.expected, frozenset) else {check.expected}
                )
                assert set(names) <= set(cw.catalog.models), rule.id


def test_reported_guidance_never_produces_a_legal_outcome() -> None:
    for rule in service.default().rulebook.rules:
        if rule.evidence == "reported_guidance":
            assert rule.effective_outcome in ("allowed", "hold"), rule.id


def test_misspelt_rule_key_is_rejected(book: Path) -> None:
    add_rule(book, extra="    efective_to: 2025-01-01\n")
    with pytest.raises(InvalidData, match="unknown key\\(s\\) efective_to"):
        load_rulebook(book)


def test_suspension_ending_before_it_starts_is_rejected(book: Path) -> None:
    add_rule(book, extra="    suspensions: [{from: 2025-01-01, to: 2024-01-01, citation: x}]\n")
    with pytest.raises(InvalidData, match="ends before it starts"):
        load_rulebook(book)


def test_quoted_iso_dates_are_accepted(book: Path) -> None:
    add_rule(book, extra='    effective_to: "2025-01-01"\n')
    rule = load_rulebook(book).rule("TEST-RULE")
    assert rule is not None and rule.in_force.end == dt.date(2025, 1, 1)


def test_a_jurisdiction_without_rules_decides_allowed(book: Path) -> None:
    head = book / "rulebook.yaml"
    head.write_text(
        head.read_text()
        + """
  EU:
    name: "European Union (test)"
    subject_when: {fact: order.ship_to, eq: DE}
"""
    )
    cw = service.Chipwatch(service.default().catalog, load_rulebook(book))
    from chipwatch.orders import parse_order

    decision = cw.check(
        parse_order(
            {
                "id": "x",
                "date": "2026-02-10",
                "ship_from": "US",
                "ship_to": {"country": "DE"},
                "end_use": "research",
                "items": [{"model": "H100", "quantity": 1}],
                "parties": [{"role": "end_user", "name": "A", "country": "DE"}],
            }
        )
    )
    assert decision.jurisdictions["EU"].outcome == "allowed"


def test_misspelt_jurisdiction_key_is_rejected(book: Path) -> None:
    head = book / "rulebook.yaml"
    head.write_text(head.read_text().replace("    subject_when:\n", "    subjct_when:\n", 1))
    with pytest.raises(InvalidData, match="unknown key\\(s\\) subjct_when"):
        load_rulebook(book)


def test_impossible_date_in_a_rule_is_rejected(book: Path) -> None:
    add_rule(book, extra="    effective_to: 2025-08-32\n")
    with pytest.raises(InvalidData, match="not valid YAML"):
        load_rulebook(book)


def test_reported_guidance_cannot_override_law(book: Path) -> None:
    add_rule(
        book,
        file="cn-import-procurement-measures.yaml",
        outcome="allowed",
        extra="    overrides: [CN-SECTOR-UNKNOWN]\n",
    )
    with pytest.raises(InvalidData, match="may not override"):
        load_rulebook(book)


def test_override_cycles_are_rejected(book: Path) -> None:
    add_rule(book, extra="    overrides: [US-RF-END-USE-UNKNOWN]\n")
    path = book / "instruments" / "us-know-your-customer.yaml"
    path.write_text(
        path.read_text().replace(
            "    outcome: hold\n    red_flag: true\n  - id: US-RF-NO-END-USER",
            "    outcome: hold\n    red_flag: true\n    overrides: [TEST-RULE]\n"
            "  - id: US-RF-NO-END-USER",
            1,
        )
    )
    with pytest.raises(InvalidData, match="cycle"):
        load_rulebook(book)


@pytest.mark.parametrize(
    "extra",
    [
        "    conditions: just one string\n",
        "    red_flag: 'no'\n",
        "    fee: {rate: true, label: x}\n",
    ],
)
def test_mistyped_rule_fields_are_rejected(book: Path, extra: str) -> None:
    add_rule(book, extra=extra)
    with pytest.raises(InvalidData):
        load_rulebook(book)
