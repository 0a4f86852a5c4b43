"""The article's scenarios and the rule history as one table of cases.

Each case is an order, the outcome expected overall and per jurisdiction, and the rules
that must produce it (fired and not superseded). Fees are checked where they arise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from chipwatch import service
from chipwatch.orders import parse_order
from chipwatch.rules.decision import Decision

PRIVATE_CN = {
    "role": "end_user",
    "name": "北京某科技有限公司",
    "country": "CN",
    "headquarters": "CN",
    "sector": "private",
}


def order(
    day: str,
    model: str,
    *,
    ship_from: str = "US",
    ship_to: str = "CN",
    end_use: str = "commercial_training",
    parties: list[dict[str, Any]] | None = None,
    quantity: int = 100,
    price: float = 30000,
) -> dict[str, Any]:
    return {
        "id": f"case-{day}-{model}",
        "date": day,
        "ship_from": ship_from,
        "ship_to": {"country": ship_to},
        "end_use": end_use,
        "items": [{"model": model, "quantity": quantity, "unit_price_usd": price}],
        "parties": parties if parties is not None else [PRIVATE_CN],
    }


def party(
    country: str,
    sector: str = "private",
    hq: str | None = None,
    role: str = "end_user",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "role": role,
        "name": f"{role} in {country}",
        "country": country,
        "headquarters": hq or country,
        "sector": sector,
        **extra,
    }


@dataclass
class Case:
    name: str
    order: dict[str, Any]
    outcome: str
    jurisdictions: dict[str, str] = field(default_factory=dict)
    fired: tuple[str, ...] = ()  # live reasons that must be present
    superseded: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()  # rules that must not fire (live)
    fee_usd: float | None = None
    reported_fee_usd: float | None = None
    red_flags: tuple[str, ...] = ()


CASES = [
    Case(
        "a800_to_china_2023_01_10_allowed_below_2022_interconnect_test",
        order("2023-01-10", "A800"),
        "allowed",
        {"US": "allowed", "CN": "allowed"},
        fired=("US-2022-AC-NOT-CONTROLLED",),
    ),
    Case(
        "a800_to_china_2023_12_01_prohibited_under_2023_rule",
        order("2023-12-01", "A800"),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-2023-AC-D5",),
    ),
    Case(
        "h20_to_china_2025_03_01_allowed_below_3a090",
        order("2025-03-01", "H20"),
        "allowed",
        {"US": "allowed", "CN": "allowed"},
        fired=("US-2023-AC-NOT-CONTROLLED",),
    ),
    Case(
        "h20_to_china_2025_05_01_needs_license_after_is_informed_letter",
        order("2025-05-01", "H20"),
        "license_required",
        {"US": "license_required"},
        fired=("US-2025-H20-LICENCE",),
    ),
    Case(
        "h20_to_china_2025_09_01_reported_15_percent_is_not_law",
        order("2025-09-01", "H20", quantity=10, price=10000),
        "hold",
        {"US": "license_required", "CN": "hold"},
        fired=("US-2025-H20-LICENCE", "US-2025-FEE-15-H20", "CN-2025-07-31-CAC-H20-SECURITY"),
        fee_usd=0.0,
        reported_fee_usd=15000.0,
    ),
    Case(
        "h200_to_private_chinese_buyer_2025_12_01_prohibited",
        order("2025-12-01", "H200"),
        "prohibited",
        {"US": "prohibited", "CN": "allowed"},
        fired=("US-2023-AC-D5",),
        absent=("US-2025-12-08-H200-ANNOUNCED",),
    ),
    Case(
        "h200_announcement_2025_12_10_is_not_yet_law",
        order("2025-12-10", "H200"),
        "prohibited",
        {"US": "prohibited", "CN": "hold"},
        fired=("US-2023-AC-D5", "US-2025-12-08-H200-ANNOUNCED", "CN-2025-12-09-H200-APPROVAL"),
    ),
    Case(
        "h200_from_us_2026_02_10_case_by_case_with_25_percent_duty",
        order("2026-02-10", "NVIDIA H200", quantity=1000, price=31000),
        "hold",
        {"US": "license_required", "CN": "hold"},
        fired=(
            "US-2026-H200-CASE-BY-CASE",
            "US-2026-232-DUTY-BAND-1",
            "CN-2026-01-14-CUSTOMS-H200",
        ),
        superseded=("US-2023-AC-D5",),
        fee_usd=7_750_000.0,
    ),
    Case(
        "h200_shipped_from_taiwan_2026_02_10_prohibited_no_zone",
        order("2026-02-10", "H200", ship_from="TW"),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-2023-AC-D5", "US-2026-NOT-FROM-US-DENIED"),
        absent=("US-2026-H200-CASE-BY-CASE", "US-2026-232-DUTY-BAND-1"),
        fee_usd=0.0,
    ),
    Case(
        "b200_to_china_2022_11_01_prohibited",
        order("2022-11-01", "B200"),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-2022-AC-CN",),
    ),
    Case(
        "b200_to_china_2024_06_01_prohibited",
        order("2024-06-01", "B200"),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-2023-AC-D5",),
    ),
    Case(
        "b200_to_china_2026_02_10_blackwell_stays_denied",
        order("2026-02-10", "B200"),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-2023-AC-D5", "US-2026-ABOVE-ZONE-DENIED"),
        absent=("US-2026-H200-CASE-BY-CASE",),
    ),
    Case(
        "h200_to_chinese_public_sector_buyer_held_on_china_side",
        order("2026-02-10", "H200", parties=[party("CN", "public")]),
        "hold",
        {"US": "license_required", "CN": "hold"},
        fired=("CN-2026-01-08-H200-BARRED-BUYERS", "CN-2025-11-05-STATE-FUNDED-DOMESTIC-ONLY"),
        red_flags=("CN-2026-01-08-H200-BARRED-BUYERS",),
    ),
    Case(
        "china_headquartered_buyer_in_malaysia_caught_by_headquartered_rule",
        order("2024-06-01", "H100", ship_to="MY", parties=[party("MY", hq="CN")]),
        "prohibited",
        {"US": "prohibited", "CN": "allowed"},
        fired=("US-2023-HQ-D5", "US-RF-HUB-CHINA-HQ"),
        red_flags=("US-RF-HUB-CHINA-HQ",),
    ),
    Case(
        "ascend_910c_bought_by_chinese_buyer_not_subject_to_us_licensing",
        order("2026-03-01", "Ascend 910C", ship_from="CN", parties=[party("CN", "state_owned")]),
        "allowed",
        {"US": "allowed", "CN": "allowed"},
        fired=("chipwatch:not-subject", "CN-2025-11-04-DOMESTIC-CHIP-SUBSIDY"),
    ),
    Case(
        "ascend_910c_to_malaysia_2025_06_general_prohibition_10_risk",
        order("2025-06-01", "Ascend 910C", ship_from="CN", ship_to="MY", parties=[party("MY")]),
        "hold",
        {"US": "hold", "CN": "allowed"},
        fired=("US-2025-GP10-PRC-AI-CHIPS",),
    ),
    Case(
        "h200_for_military_end_use_prohibited_even_in_2026",
        order("2026-02-10", "H200", end_use="military"),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-MILITARY-END-USE",),
    ),
    Case(
        "entity_listed_party_prohibited",
        order("2024-06-01", "H20", parties=[party("CN", lists=["entity_list"])]),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-ENTITY-LIST",),
    ),
    Case(
        "sdn_party_prohibited",
        order("2024-06-01", "H20", parties=[party("CN", lists=["sdn"])]),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-OFAC-SDN",),
    ),
    Case(
        "affiliate_of_listed_entity_2025_10_15_treated_as_listed",
        order("2025-10-15", "H20", parties=[party("CN", owned_50pct_by=["entity_list"])]),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-2025-AFFILIATES-50",),
    ),
    Case(
        "affiliate_of_listed_entity_2026_02_01_rule_suspended_only_a_red_flag",
        order("2026-02-01", "H20", parties=[party("CN", owned_50pct_by=["entity_list"])]),
        "hold",
        {"US": "hold"},
        fired=("US-2025-AFFILIATES-SUSPENDED-FLAG",),
        absent=("US-2025-AFFILIATES-50",),
    ),
    Case(
        "affiliate_of_listed_entity_2026_11_20_suspension_over",
        order("2026-11-20", "H20", parties=[party("CN", owned_50pct_by=["entity_list"])]),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-2025-AFFILIATES-50",),
    ),
    Case(
        "rtx_4090_to_china_2024_01_01_license_exception_nac",
        order("2024-01-01", "RTX 4090"),
        "license_required",
        {"US": "license_required"},
        fired=("US-2023-NAC",),
        superseded=("US-2023-AC-D5",),
    ),
    Case(
        "rtx_4090d_to_china_2024_06_01_allowed_by_note_2",
        order("2024-06-01", "RTX 4090D"),
        "allowed",
        {"US": "allowed"},
        fired=("US-2023-AC-NOT-CONTROLLED",),
    ),
    Case(
        "h100_to_uae_2024_06_01_needs_license_case_by_case",
        order("2024-06-01", "H100", ship_to="AE", parties=[party("AE")]),
        "license_required",
        {"US": "license_required", "CN": "allowed"},
        fired=("US-2023-AC-D1-D4",),
    ),
    Case(
        "h100_to_japan_2024_06_01_no_restriction",
        order("2024-06-01", "H100", ship_to="JP", parties=[party("JP")]),
        "allowed",
        {"US": "allowed"},
        fired=("chipwatch:no-restriction",),
    ),
    Case(
        "h100_to_india_2025_03_01_diffusion_rule_never_binding",
        order("2025-03-01", "H100", ship_to="IN", parties=[party("IN")]),
        "allowed",
        {"US": "allowed"},
        fired=("US-2025-DIFFUSION-NOT-ENFORCED",),
    ),
    Case(
        "mi308x_to_china_2025_05_01_held_because_specs_unknown",
        order("2025-05-01", "MI308X"),
        "hold",
        {"US": "hold"},
        fired=("US-2025-H20-LICENCE", "chipwatch:facts-unknown"),
    ),
    Case(
        "hgx_h200_server_2026_02_10_is_4a090_in_the_zone",
        order("2026-02-10", "HGX H200 8-GPU", quantity=10, price=300000),
        "hold",
        {"US": "license_required"},
        fired=("US-2026-H200-CASE-BY-CASE",),
        fee_usd=750_000.0,
    ),
    Case(
        "h200_reexported_from_malaysia_2026_02_needs_malaysian_permit_and_is_denied",
        order("2026-02-10", "H200", ship_from="MY"),
        "prohibited",
        {"US": "prohibited", "MY": "license_required"},
        fired=("US-2026-NOT-FROM-US-DENIED", "MY-2025-STP-EXPORT"),
    ),
    Case(
        "h20_for_supercomputer_end_use_2024_prohibited",
        order("2024-06-01", "H20", end_use="supercomputer"),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-744-23-END-USE",),
    ),
    Case(
        "h100_to_singapore_without_end_use_held",
        order("2024-06-01", "H100", ship_to="SG", end_use="unknown", parties=[party("SG")]),
        "hold",
        {"US": "hold"},
        fired=("US-RF-END-USE-UNKNOWN",),
    ),
    Case(
        "h200_to_hong_kong_2026_02_10_treated_as_china",
        order("2026-02-10", "H200", ship_to="HK", parties=[party("HK")]),
        "license_required",
        {"US": "license_required", "CN": "allowed"},
        fired=("US-2026-H200-CASE-BY-CASE",),
    ),
    Case(
        "h100_to_macau_2023_02_01_prohibited_after_macau_added",
        order("2023-02-01", "H100", ship_to="MO", parties=[party("MO")]),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-2023-01-17-AC-MO",),
    ),
    Case(
        "rtx_pro_6000d_to_china_2025_10_held_unknown_tpp_and_cac_order",
        order("2025-10-01", "RTX Pro 6000D"),
        "hold",
        {"US": "hold", "CN": "hold"},
        fired=("chipwatch:facts-unknown", "CN-2025-09-17-CAC-6000D"),
    ),
    Case(
        "h200_shipped_to_malaysia_for_chinese_end_user_diversion_red_flag",
        order(
            "2026-02-10",
            "H200",
            ship_to="MY",
            parties=[party("SG", hq="CN", role="buyer"), party("CN")],
        ),
        "prohibited",
        {"US": "prohibited", "MY": "license_required"},
        fired=("US-2023-HQ-D5", "US-2026-NOT-FROM-US-DENIED", "US-RF-SHIP-TO-NOT-END-USER-COUNTRY"),
        red_flags=("US-RF-SHIP-TO-NOT-END-USER-COUNTRY", "US-RF-HUB-CHINA-HQ"),
    ),
    Case(
        "h200_from_us_to_china_without_end_user_2026_held_not_prohibited",
        order("2026-02-10", "H200", parties=[party("CN", role="buyer")]),
        "hold",
        {"US": "hold"},
        fired=("chipwatch:facts-unknown", "US-RF-NO-END-USER"),
        superseded=("US-2023-AC-D5",),
    ),
    Case(
        "chinese_buyer_delivering_to_germany_2024_held_as_red_flag_not_prohibited",
        order("2024-06-01", "H100", ship_to="DE", parties=[party("CN", role="buyer"), party("DE")]),
        "hold",
        {"US": "hold"},
        fired=("US-RF-BUYER-IN-D5-SHIPS-ELSEWHERE",),
        absent=("US-2023-AC-D5",),
    ),
    Case(
        "h200_sold_inside_the_us_2026_02_10_no_export_no_duty",
        order("2026-02-10", "H200", ship_to="US", parties=[party("US")]),
        "allowed",
        {"US": "allowed", "CN": "allowed"},
        fired=("chipwatch:no-restriction",),
        fee_usd=0.0,
    ),
    Case(
        "h200_to_saudi_arabia_2026_02_10_d4_license_no_duty_on_this_shipment",
        order("2026-02-10", "H200", ship_to="SA", parties=[party("SA")], quantity=10, price=30000),
        "license_required",
        {"US": "license_required"},
        fired=("US-2023-AC-D1-D4",),
        absent=("US-2026-232-DUTY-BAND-1",),
        fee_usd=0.0,
    ),
    Case(
        "h200_to_hong_kong_end_user_headquartered_in_china_2026_case_by_case",
        order("2026-02-10", "H200", ship_to="HK", parties=[party("HK", hq="CN")]),
        "license_required",
        {"US": "license_required"},
        fired=("US-2026-H200-CASE-BY-CASE",),
        superseded=("US-2023-HQ-D5",),
    ),
    Case(
        "rtx_4090_from_taiwan_to_china_2026_still_license_exception_nac",
        order("2026-02-10", "RTX 4090", ship_from="TW"),
        "license_required",
        {"US": "license_required"},
        fired=("US-2023-NAC",),
        superseded=("US-2023-AC-D5", "US-2026-NOT-FROM-US-DENIED"),
    ),
    Case(
        "h200_from_us_to_japan_2026_no_232_duty_charged_on_this_shipment",
        order("2026-02-10", "H200", ship_to="JP", parties=[party("JP")]),
        "allowed",
        {"US": "allowed"},
        absent=("US-2026-232-DUTY-BAND-1",),
        fee_usd=0.0,
    ),
    Case(
        "h200_military_end_use_2026_fee_listed_but_not_owed",
        order("2026-02-10", "H200", end_use="military", quantity=10, price=30000),
        "prohibited",
        {"US": "prohibited"},
        fired=("US-MILITARY-END-USE", "US-2026-232-DUTY-BAND-1"),
        fee_usd=0.0,
    ),
    Case(
        "ascend_910c_from_china_to_russia_2025_06_held_not_prohibited",
        order("2025-06-01", "Ascend 910C", ship_from="CN", ship_to="RU", parties=[party("RU")]),
        "hold",
        {"US": "hold"},
        fired=("US-2025-GP10-PRC-AI-CHIPS",),
        superseded=("US-2023-AC-D5",),
    ),
    Case(
        "h100_to_germany_without_end_user_is_not_a_china_matter",
        order(
            "2025-09-01",
            "H100",
            ship_to="DE",
            parties=[{"role": "buyer", "name": "B", "country": "DE"}],
        ),
        "hold",
        {"US": "hold", "CN": "allowed"},
        fired=("US-RF-NO-END-USER",),
        absent=("CN-SECTOR-UNKNOWN",),
    ),
    Case(
        "h200_sold_inside_malaysia_2026_needs_no_malaysian_export_permit",
        order("2026-02-10", "H200", ship_from="MY", ship_to="MY", parties=[party("MY")]),
        "allowed",
        {"MY": "allowed"},
        absent=("MY-2025-STP-EXPORT",),
    ),
    Case(
        "rtx_4090_from_us_to_china_2026_nac_supersedes_both_the_zone_and_the_denial",
        order("2026-02-10", "RTX 4090"),
        "license_required",
        {"US": "license_required"},
        fired=("US-2023-NAC",),
        superseded=("US-2023-AC-D5", "US-2026-H200-CASE-BY-CASE"),
    ),
]


def _decide(raw: dict[str, Any]) -> Decision:
    return service.default().check(parse_order(raw))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_history_case(case: Case) -> None:
    decision = _decide(case.order)
    live = {r.rule_id for r in decision.reasons if r.superseded_by is None}
    superseded = {r.rule_id for r in decision.reasons if r.superseded_by is not None}
    explain = "\n".join(
        f"{r.jurisdiction} {r.outcome} {r.rule_id} {r.superseded_by or ''}"
        for r in decision.reasons
    )
    assert decision.outcome == case.outcome, explain
    for code, expected in case.jurisdictions.items():
        assert decision.jurisdictions[code].outcome == expected, f"{code}\n{explain}"
    assert set(case.fired) <= live, explain
    assert set(case.superseded) <= superseded, explain
    assert not set(case.absent) & live, explain
    if case.fee_usd is not None:
        assert decision.fee_usd == pytest.approx(case.fee_usd)
    if case.reported_fee_usd is not None:
        assert decision.reported_fee_usd == pytest.approx(case.reported_fee_usd)
    assert set(case.red_flags) <= {flag.rule_id for flag in decision.red_flags}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_restrictive_outcome_cites_a_rule(case: Case) -> None:
    decision = _decide(case.order)
    for code, result in decision.jurisdictions.items():
        assert result.reasons, f"{code} has no reason"
        for reason in result.reasons:
            assert reason.citation and reason.text and reason.evidence
        worst = [
            r for r in result.reasons if r.superseded_by is None and r.outcome == result.outcome
        ]
        assert worst, f"{code}: outcome {result.outcome} is not produced by any reason"


def test_decision_records_the_rulebook_version_in_force() -> None:
    before = _decide(order("2026-01-14", "H200"))
    after = _decide(order("2026-01-15", "H200"))
    assert before.rulebook_version["id"] != after.rulebook_version["id"]
    assert after.rulebook_version["in_force_from"] == dt.date(2026, 1, 15)
    assert before.jurisdictions["US"].outcome == "prohibited"
    assert after.jurisdictions["US"].outcome == "license_required"


def test_unknown_facts_reason_names_the_missing_facts() -> None:
    decision = _decide(order("2025-05-01", "MI308X"))
    held = [r for r in decision.reasons if r.rule_id == "chipwatch:facts-unknown"]
    assert held and "item.eccn = unknown" in held[0].checks
    assert "item.eccn" in held[0].text


def test_reasons_name_catalog_ids_and_fees_are_floats() -> None:
    decision = _decide(order("2026-03-01", "Ascend 910C", ship_from="CN"))
    not_subject = decision.jurisdictions["US"].reasons[0]
    assert not_subject.rule_id == "chipwatch:not-subject"
    assert not_subject.items == ("huawei-ascend-910c",)
    assert isinstance(decision.fee_usd, float) and isinstance(decision.reported_fee_usd, float)


def test_fired_reasons_explain_their_comparisons() -> None:
    decision = _decide(order("2026-02-10", "H200"))
    zone = next(r for r in decision.reasons if r.rule_id == "US-2026-H200-CASE-BY-CASE")
    assert "item.tpp = 15832; < 21000? yes" in zone.checks
    assert "item.memory_bandwidth_gbs = 4800; < 6500? yes" in zone.checks


def test_two_unclassifiable_items_keep_their_own_facts_unknown_holds() -> None:
    raw = order("2026-02-01", "MI308X", ship_to="VN", parties=[party("VN")])
    raw["items"].append({"model": "MLU370-X8", "quantity": 1})
    held = [r for r in _decide(raw).reasons if r.rule_id == "chipwatch:facts-unknown"]
    assert {r.items for r in held} == {("amd-mi308x",), ("cambricon-mlu370-x8",)}


def test_a_rule_firing_for_items_with_different_values_shows_each_items_values() -> None:
    raw = order("2026-02-10", "B300")
    raw["items"].append({"model": "B200", "quantity": 1})
    above = next(r for r in _decide(raw).reasons if r.rule_id == "US-2026-ABOVE-ZONE-DENIED")
    assert above.items == ("nvidia-b300", "nvidia-b200")
    assert any(c.startswith("nvidia-b300: item.tpp = 56000") for c in above.checks)
    assert any(c.startswith("nvidia-b200: item.tpp = 36000") for c in above.checks)


DATED_GROUPS = [
    # (day, destination, expected US outcome, rule that must fire)
    ("2024-06-01", "KH", "prohibited", "US-2023-AC-D5"),  # Cambodia in D:5 2021-12-09..2026-02-02
    ("2026-03-01", "KH", "license_required", "US-2023-AC-D1-D4"),  # still D:1 after leaving D:5
    ("2023-12-01", "NI", "allowed", "chipwatch:no-restriction"),  # Nicaragua: no D group yet
    ("2024-06-01", "NI", "prohibited", "US-2023-AC-D5"),  # D:5 from 2024-03-15
]


@pytest.mark.parametrize(("day", "country", "expected", "rule"), DATED_GROUPS)
def test_country_group_membership_follows_the_order_date(
    day: str, country: str, expected: str, rule: str
) -> None:
    decision = _decide(order(day, "H100", ship_to=country, parties=[party(country)]))
    assert decision.jurisdictions["US"].outcome == expected
    assert rule in {r.rule_id for r in decision.reasons if r.superseded_by is None}


def test_fees_under_a_prohibition_are_marked_not_owed() -> None:
    raw = order("2026-02-10", "H200", end_use="military", quantity=10, price=30000)
    data = _decide(raw).to_dict()
    assert data["fee_usd"] == 0.0 and data["fee_basis"] == []
    assert [f["owed"] for f in data["fees"]] == [False]
    assert any("not owed" in note for note in data["notes"])
