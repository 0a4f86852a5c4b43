"""Cross-check the TPP formula, and the catalog, against Epoch AI's hardware dataset.

Epoch AI, "Machine Learning Hardware" (CC-BY-4.0), in ``../shared/data/hardware/``.
Epoch's "Total processing performance" column is derived by Epoch and not authoritative;
the research notes found 154 of 161 rows agree with max(dense rate x bits) within 1 %.
Disagreements are printed, not hidden.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from chipwatch import service

pytestmark = pytest.mark.integration

EPOCH_CSV = (
    Path(__file__).resolve().parents[2].parent / "shared/data/hardware/epoch_ml_hardware.csv"
)
NAME = "Hardware name"
EPOCH_TPP = "Total processing performance (bit-OP/s)"

# Epoch rate column -> chipwatch format (bit length from the rulebook's schedule)
RATE_COLUMNS = {
    "Tensor-FP16/BF16 performance (FLOP/s)": "bf16",
    "FP8 performance (FLOP/s)": "fp8",
    "FP4 performance (FLOP/s)": "fp4",
    "TF32 (TensorFloat-32) performance (FLOP/s)": "tf32",
    "FP16 (half precision) performance (FLOP/s)": "fp16",
    "FP32 (single precision) performance (FLOP/s)": "fp32",
    "INT8 performance (OP/s)": "int8",
    "INT4 performance (OP/s)": "int4",
    "FP64 (double precision) performance (FLOP/s)": "fp64",
}
EXPECTED_BITS = {
    "bf16": 16,
    "fp8": 8,
    "fp4": 4,
    "tf32": 32,
    "fp16": 16,
    "fp32": 32,
    "int8": 8,
    "int4": 4,
    "fp64": 64,
}

ROW_TOLERANCE = 0.01  # Epoch's column vs the recomputed formula
MIN_AGREEMENT = 0.90
CATALOG_TOLERANCE = 0.02  # chipwatch's catalog TPP vs Epoch

# chipwatch catalog id -> the Epoch row for the same product (exact "Hardware name")
EPOCH_NAMES = {
    "nvidia-a100-sxm4-80gb": "NVIDIA A100 SXM4 80 GB",
    "nvidia-a800-sxm4-80gb": "NVIDIA A800 SXM",
    "nvidia-h100-sxm5-80gb": "NVIDIA H100 SXM5 80GB",
    "nvidia-h800-sxm5-80gb": "NVIDIA H800 SXM5",
    "nvidia-h20": "NVIDIA HGX H20",
    "nvidia-h200-sxm-141gb": "NVIDIA H200 SXM",
    "nvidia-b200": "NVIDIA B200",
    "nvidia-b300": "NVIDIA B300 (Blackwell Ultra)",
    "nvidia-gb200": "NVIDIA GB200",
    "amd-mi300x": "AMD Instinct MI300X",
    "amd-mi325x": "AMD Instinct MI325X",
    "amd-mi308x": "AMD Radeon Instinct MI308X",
    "huawei-ascend-910b2": "Huawei Ascend 910B2",
    "huawei-ascend-910c": "Huawei Ascend 910C",
    "cambricon-mlu370-x8": "Cambricon MLU370-X8",
    "cambricon-mlu590": "Cambricon Siyuan 590",
    "google-tpu-v5p": "Google TPU v5p",
    "intel-gaudi3": "Intel Habana Gaudi3",
    "nvidia-rtx-4090": "NVIDIA GeForce RTX 4090",
}
# Catalog chips with no Epoch row: nvidia-b30a (rumoured), hygon-dcu-z100 (only in Epoch's
# China file), nvidia-rtx-4090d and nvidia-rtx-pro-6000d (China-market cuts).

KNOWN_DIFFERENCES = {
    "intel-gaudi3": (
        "chipwatch uses Intel's Hot Chips 2024 BF16/FP8 matrix rate of 1,835 TFLOPS "
        "(TPP 29,360); Epoch lists 1,678 TFLOPS (TPP 26,848). Both are above every threshold."
    ),
    "amd-mi308x": (
        "chipwatch leaves the MI308X tensor rate unknown (TPP None): Epoch's only figure, "
        "FP16 653.7 TFLOPS from TechPowerUp, equals the MI300X TF32 rate and looks wrong."
    ),
}


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value and value > 0 else None


def recomputed_tpp(row: dict[str, str], bit_lengths: dict[str, int]) -> tuple[float, str] | None:
    """max over formats of dense rate (T) x bits, from the Epoch row's rate columns."""
    terms = [
        (rate / 1e12 * bit_lengths[fmt], fmt)
        for column, fmt in RATE_COLUMNS.items()
        if (rate := _number(row.get(column))) is not None
    ]
    return max(terms) if terms else None


def epoch_tpp(row: dict[str, str]) -> float | None:
    value = _number(row.get(EPOCH_TPP))
    return None if value is None else value / 1e12


@pytest.fixture(scope="module")
def epoch_rows() -> list[dict[str, str]]:
    if not EPOCH_CSV.exists():
        pytest.skip("../shared/data not present on this machine")
    with EPOCH_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    missing = ({NAME, EPOCH_TPP} | set(RATE_COLUMNS)) - set(rows[0])
    assert not missing, f"Epoch CSV lacks columns {sorted(missing)}"
    return rows


@pytest.fixture(scope="module")
def bit_lengths() -> dict[str, int]:
    bits = service.default().rulebook.schedule.bit_lengths
    assert {fmt: bits[fmt] for fmt in EXPECTED_BITS} == EXPECTED_BITS
    return bits


def _relative(a: float, b: float) -> float:
    return abs(a - b) / b


def test_epoch_tpp_column_matches_the_formula(
    epoch_rows: list[dict[str, str]],
    bit_lengths: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    agree: list[str] = []
    disagree: list[tuple[str, float, str, float]] = []
    no_rates: list[str] = []
    for row in epoch_rows:
        theirs = epoch_tpp(row)
        if theirs is None:
            continue
        ours = recomputed_tpp(row, bit_lengths)
        if ours is None:
            no_rates.append(row[NAME])
            continue
        tpp, fmt = ours
        if _relative(tpp, theirs) <= ROW_TOLERANCE:
            agree.append(row[NAME])
        else:
            disagree.append((row[NAME], tpp, fmt, theirs))
    comparable = len(agree) + len(disagree)
    with capsys.disabled():
        print(
            f"\nEpoch TPP column vs max(dense rate x bits): {len(agree)} of {comparable} rows "
            f"agree within {ROW_TOLERANCE:.0%} ({len(no_rates)} rows with a TPP but no rates)"
        )
        for name, tpp, fmt, theirs in disagree:
            print(
                f"  DISAGREE {name}: recomputed {tpp:,.1f} ({fmt}) vs Epoch {theirs:,.1f} "
                f"({(tpp - theirs) / theirs:+.1%})"
            )
    assert comparable >= 100, "too few comparable rows: did the CSV's columns change?"
    assert len(agree) / comparable >= MIN_AGREEMENT, disagree


def test_epoch_names_in_the_mapping_exist(epoch_rows: list[dict[str, str]]) -> None:
    names = {row[NAME] for row in epoch_rows}
    assert set(EPOCH_NAMES.values()) <= names, set(EPOCH_NAMES.values()) - names
    assert set(EPOCH_NAMES) <= set(service.default().catalog.models)
    assert set(KNOWN_DIFFERENCES) <= set(EPOCH_NAMES)


@pytest.mark.parametrize("model_id", sorted(EPOCH_NAMES))
def test_catalog_tpp_agrees_with_epoch(
    epoch_rows: list[dict[str, str]], bit_lengths: dict[str, int], model_id: str
) -> None:
    row = next(r for r in epoch_rows if r[NAME] == EPOCH_NAMES[model_id])
    # Epoch's own column where it has one, else the formula on Epoch's rates
    theirs = epoch_tpp(row)
    if theirs is None:
        recomputed = recomputed_tpp(row, bit_lengths)
        assert recomputed is not None, f"Epoch row '{row[NAME]}' has neither TPP nor rates"
        theirs = recomputed[0]
    ours = service.default().classify(model_id, on=dt.date(2024, 1, 1)).metrics.tpp
    agrees = ours is not None and _relative(ours, theirs) <= CATALOG_TOLERANCE
    if model_id in KNOWN_DIFFERENCES:
        # a listed difference that has gone away should be taken off the list
        assert not agrees, f"{model_id} now agrees with Epoch; remove it from KNOWN_DIFFERENCES"
    else:
        assert agrees, f"{model_id}: chipwatch TPP {ours} vs Epoch {theirs:,.1f} ({row[NAME]})"
