"""Export control class of catalog models on a date (ECCN 3A090 / 4A090), with arithmetic.

Expected values are the calculator validation cases of the research notes
(rules-history.md section 3 and chip-table.md).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest

from chipwatch import service
from chipwatch.catalog.classify import metrics_of
from chipwatch.catalog.model import ChipModel
from chipwatch.errors import NotFound

RULE_2022 = dt.date(2023, 1, 10)  # the October 2022 rule (AND-test with interconnect)
RULE_2023 = dt.date(2024, 1, 1)  # the rule in force from 2023-11-17 (TPP / PD)


@dataclass(frozen=True)
class Case:
    rule: str  # the test id: what rule the case shows
    name: str  # what a user types
    on: dt.date
    eccn: str | None
    paragraph: str | None = None
    tpp: float | None = None
    pd: float | None = None
    reason_names: tuple[str, ...] = ()  # words the reason must contain
    via: str | None = None
    tpp_unknown: bool = False  # tpp / pd None above mean "not checked"; these mean "unknown"
    pd_unknown: bool = False


CASES = [
    Case(
        "A100 TPP 4992 PD 6.04 is 3A090.a.1 under the 2023 rule",
        "A100",
        RULE_2023,
        "3A090.a",
        "3A090.a.1",
        tpp=4992,
        pd=6.04,
    ),
    Case(
        "A100 met both 2022 tests (TPP >= 4800 and 600 GB/s interconnect)",
        "NVIDIA A100 SXM4 80GB",
        RULE_2022,
        "3A090",
        "3A090 (2022 rule)",
        tpp=4992,
    ),
    Case(
        "A800 escaped the 2022 AND-test: interconnect 400 < 600 GB/s",
        "A800",
        RULE_2022,
        "not_controlled",
        None,
        tpp=4992,
        reason_names=("BOTH",),
    ),
    Case(
        "A800 is 3A090.a.1 once the 2023 rule drops the interconnect test",
        "A800",
        dt.date(2023, 12, 1),
        "3A090.a",
        "3A090.a.1",
        tpp=4992,
        pd=6.04,
    ),
    Case(
        "A800 last day of the 2022 rule 2023-11-16 still not controlled",
        "A800",
        dt.date(2023, 11, 16),
        "not_controlled",
    ),
    Case(
        "A800 first day of the 2023 rule 2023-11-17 is 3A090.a.1",
        "A800",
        dt.date(2023, 11, 17),
        "3A090.a",
        "3A090.a.1",
    ),
    Case(
        "H800 escaped 2022 by interconnect 400 GB/s",
        "H800",
        RULE_2022,
        "not_controlled",
        tpp=15832,
    ),
    Case(
        "H800 is 3A090.a.1 under the 2023 rule",
        "H800",
        RULE_2023,
        "3A090.a",
        "3A090.a.1",
        tpp=15832,
        pd=19.45,
    ),
    Case(
        "H100 TPP 15832 PD 19.45 is 3A090.a.1",
        "H100",
        RULE_2023,
        "3A090.a",
        "3A090.a.1",
        tpp=15832,
        pd=19.45,
    ),
    Case(
        "H200 TPP 15832 PD 19.45 is 3A090.a.1",
        "H200",
        RULE_2023,
        "3A090.a",
        "3A090.a.1",
        tpp=15832,
        pd=19.45,
    ),
    Case(
        "H20 TPP 2368 below 2400 and PD 2.91 below 3.2 is not controlled",
        "H20",
        RULE_2023,
        "not_controlled",
        None,
        tpp=2368,
        pd=2.91,
        reason_names=("Below every 3A090 threshold",),
    ),
    Case(
        "B200 TPP 36000 (FP4 9000 x 4) is 3A090.a.1",
        "B200",
        RULE_2023,
        "3A090.a",
        "3A090.a.1",
        tpp=36000,
        pd=22.3,
    ),
    Case(
        "MI325X TPP about 20919 is 3A090.a.1",
        "MI325X",
        RULE_2023,
        "3A090.a",
        "3A090.a.1",
        tpp=20919,
        pd=20.57,
    ),
    Case(
        "MI325X under 2022 rule cannot be decided: interconnect unknown",
        "MI325X",
        RULE_2022,
        None,
        reason_names=("chip.interconnect_gbs",),
    ),
    Case(
        "RTX 4090 consumer TPP about 5285 >= 4800: Note 2 does not exempt, 3A090.a",
        "RTX 4090",
        RULE_2023,
        "3A090.a",
        "3A090.a.1",
        tpp=5285,
        pd=8.69,
    ),
    Case(
        "RTX 4090D consumer TPP 4707 < 4800 is exempt by Note 2",
        "RTX 4090D",
        RULE_2023,
        "not_controlled",
        "Note 2 to 3A090",
        tpp=4707,
        reason_names=("Note 2",),
    ),
    Case(
        "MLU370-X8 TPP 2048 with PD unknown cannot be classified",
        "MLU370-X8",
        RULE_2023,
        None,
        None,
        tpp=2048,
        pd_unknown=True,
        reason_names=("chip.pd", "3A090.a.2", "a person must classify"),
    ),
    Case(
        "RTX Pro 6000D with tensor rate unpublished cannot be classified",
        "RTX Pro 6000D",
        RULE_2023,
        None,
        None,
        tpp_unknown=True,
        pd_unknown=True,
        reason_names=("chip.tpp", "chip.pd"),
    ),
    Case(
        "HGX H200 8-GPU system is 4A090.a via its H200",
        "HGX H200 8-GPU",
        RULE_2023,
        "4A090.a",
        "3A090.a.1",
        tpp=15832,
        pd=19.45,
        reason_names=("8 x nvidia-h200-sxm-141gb",),
        via="nvidia-h200-sxm-141gb",
    ),
    Case(
        "HGX H200 8-GPU system under 2022 rule is 4A090",
        "HGX H200",
        RULE_2022,
        "4A090",
        via="nvidia-h200-sxm-141gb",
    ),
    Case(
        "HGX H20 8-GPU system of uncontrolled chips is not controlled",
        "HGX H20 8-GPU",
        RULE_2023,
        "not_controlled",
        via="nvidia-h20",
    ),
    Case(
        "Ascend 910C TPP 12800 (FP16 800 x 16) is 3A090.a.1",
        "Ascend 910C",
        RULE_2023,
        "3A090.a",
        "3A090.a.1",
        tpp=12800,
        pd=9.62,
    ),
    Case(
        "Before 2022-10-07 no classification rule is in force",
        "A100",
        dt.date(2022, 10, 6),
        None,
        reason_names=("no classification rule in force",),
    ),
]


@pytest.fixture(scope="module")
def cw() -> service.Chipwatch:
    return service.default()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.rule) for c in CASES])
def test_classification(cw: service.Chipwatch, case: Case) -> None:
    result = cw.classify(case.name, on=case.on)
    assert result.eccn == case.eccn, result.reason
    assert result.controlled == (None if case.eccn is None else case.eccn != "not_controlled")
    if case.paragraph is not None or case.eccn in (None, "not_controlled"):
        assert result.paragraph == case.paragraph
    if case.tpp is not None:
        assert result.metrics.tpp == pytest.approx(case.tpp, abs=0.5)
    if case.tpp_unknown:
        assert result.metrics.tpp is None
    if case.pd is not None:
        assert result.metrics.pd == pytest.approx(case.pd, abs=0.005)
    if case.pd_unknown:
        assert result.metrics.pd is None
    for word in case.reason_names:
        assert word in result.reason
    assert result.via == case.via


@pytest.mark.parametrize(
    "rates",
    [
        pytest.param({"int8": 600.0}, id="600 INT8 TOPS x 8 bits = TPP 4800"),
        pytest.param({"fp16": 300.0}, id="300 FP16 TFLOPS x 16 bits = TPP 4800"),
        pytest.param({"int8": 600.0, "fp16": 300.0, "fp32": 10.0}, id="max over formats 4800"),
    ],
)
def test_bis_worked_example(cw: service.Chipwatch, rates: dict[str, float]) -> None:
    chip = ChipModel(
        id="bis-example",
        name="BIS worked example",
        vendor="BIS",
        family="example",
        kind="chip",
        market="datacenter",
        designer_country="US",
        dense_tops=rates,
        die_area_mm2=800,
    )
    metrics = metrics_of(chip, cw.rulebook.schedule.bit_lengths)
    assert metrics.tpp == 4800
    assert metrics.pd == pytest.approx(6.0)
    assert "TPP = max over formats = 4,800.0" in metrics.arithmetic[-2]
    assert metrics.arithmetic[-1] == "PD = TPP / die area = 4,800.0 / 800 mm2 = 6.00"
    # at exactly 4800 the 2023 rule's a.1 threshold (>= 4800) is met
    assert cw.classify(chip, on=RULE_2023).paragraph == "3A090.a.1"


def test_metrics_without_rates_or_die_area_say_why(cw: service.Chipwatch) -> None:
    bits = cw.rulebook.schedule.bit_lengths
    bare = ChipModel(
        "x", "X", "V", "F", "chip", "datacenter", "US", unknown={"dense_tops": "secret"}
    )
    assert metrics_of(bare, bits).tpp is None
    assert metrics_of(bare, bits).arithmetic == ("TPP unknown: secret",)
    no_die = ChipModel("y", "Y", "V", "F", "chip", "datacenter", "US", dense_tops={"fp8": 100})
    metrics = metrics_of(no_die, bits)
    assert (metrics.tpp, metrics.tpp_format, metrics.pd) == (800, "fp8", None)
    assert metrics.arithmetic[-1].startswith("PD unknown")
    # a format chipwatch has no bit length for does not count
    odd = ChipModel("z", "Z", "V", "F", "chip", "datacenter", "US", dense_tops={"int16": 999})
    assert metrics_of(odd, bits).tpp is None


def test_to_dict_carries_the_arithmetic(cw: service.Chipwatch) -> None:
    body = cw.classify("A100", on=RULE_2023).to_dict()
    json.dumps(body)  # JSON-ready
    assert body["model"] == "nvidia-a100-sxm4-80gb"
    assert body["on"] == "2024-01-01"
    assert (body["eccn"], body["paragraph"], body["controlled"]) == ("3A090.a", "3A090.a.1", True)
    assert body["tpp"] == 4992
    assert body["pd"] == pytest.approx(6.04, abs=0.005)
    assert "int8: 624 dense TOPS x 8 bits = 4,992.0" in body["arithmetic"]
    assert "fp16: 312 dense TOPS x 16 bits = 4,992.0" in body["arithmetic"]
    assert body["arithmetic"][-2].startswith("TPP = max over formats = 4,992.0")
    assert body["arithmetic"][-1] == "PD = TPP / die area = 4,992.0 / 826 mm2 = 6.04"
    assert {"format": "int8", "dense_tops": 624.0, "bits": 8, "product": 4992.0} in body["terms"]
    assert "chip.tpp = 4992; >= 4800? yes" in body["tests"]
    assert body["schedule_version"] == "EAR-3A090-2023-11-17"
    assert "88 FR 73458" in body["citation"]
    assert body["via"] is None


def test_to_dict_of_an_h100_shows_the_fp8_line(cw: service.Chipwatch) -> None:
    body = cw.classify("H100", on=RULE_2023).to_dict()
    assert "fp8: 1979 dense TOPS x 8 bits = 15,832.0" in body["arithmetic"]
    assert body["arithmetic"][-1] == "PD = TPP / die area = 15,832.0 / 814 mm2 = 19.45"


def test_to_dict_of_an_unclassifiable_model_says_what_is_missing(cw: service.Chipwatch) -> None:
    body = cw.classify("MLU370-X8", on=RULE_2023).to_dict()
    assert body["eccn"] is None and body["controlled"] is None
    assert "chip.pd" in body["reason"]
    assert any(line.startswith("PD unknown") for line in body["arithmetic"])
    assert "chip.pd = unknown; >= 5.92? unknown" in body["tests"]


def test_system_to_dict_names_the_chip_it_is_classified_via(cw: service.Chipwatch) -> None:
    body = cw.classify("HGX H200 8-GPU", on=RULE_2023).to_dict()
    assert body["model"] == "nvidia-hgx-h200-8gpu"
    assert body["eccn"] == "4A090.a"
    assert body["via"] == "nvidia-h200-sxm-141gb"
    assert "fp8: 1979 dense TOPS x 8 bits = 15,832.0" in body["arithmetic"]


@pytest.mark.parametrize("name", ["H200", "NVIDIA H200 SXM 141GB", "h200-sxm", "  nvidia h200  "])
def test_aliases_resolve_to_the_same_model(cw: service.Chipwatch, name: str) -> None:
    assert cw.catalog.resolve(name).id == "nvidia-h200-sxm-141gb"
    assert cw.classify(name, on=RULE_2023).model_id == "nvidia-h200-sxm-141gb"


def test_hgx_h20_alone_is_the_chip_and_8_gpu_is_the_system(cw: service.Chipwatch) -> None:
    assert cw.catalog.resolve("HGX H20").id == "nvidia-h20"
    assert cw.catalog.resolve("HGX H20 8-GPU").id == "nvidia-hgx-h20-8gpu"


@pytest.mark.parametrize("name", ["NVIDIA Z9000", "H2000", "NVIDIA", "MI300"])
def test_unknown_name_raises_not_found(cw: service.Chipwatch, name: str) -> None:
    with pytest.raises(NotFound) as caught:
        cw.classify(name, on=RULE_2023)
    assert caught.value.status == 404
    assert name in caught.value.problem
    assert cw.catalog.find(name) is None


@pytest.mark.parametrize("name", ["", "   ", "---", "寒武纪", "华为昇腾"])
def test_a_name_without_ascii_letters_is_not_silently_the_hygon_z100(
    cw: service.Chipwatch, name: str
) -> None:
    with pytest.raises(NotFound):
        cw.catalog.resolve(name)


def test_chinese_aliases_with_digits_resolve(cw: service.Chipwatch) -> None:
    assert cw.catalog.resolve("昇腾910C").id == "huawei-ascend-910c"
    assert cw.catalog.resolve("思元590").id == "cambricon-mlu590"
