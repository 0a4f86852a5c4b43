"""Per-model capacity from the catalog, in the units analysts use, and the model's origin.

* ``fp16_flops``: dense 16-bit FLOP/s, the larger of the catalog's dense BF16 and FP16 rates.
* ``fp8_flops``: dense FP8 FLOP/s (``None`` when the catalog has no FP8 rate).
* ``tpp``: Total Processing Performance (``catalog.classify.metrics_of``).
* ``h100_eq``: ``fp16_flops`` / the H100 SXM's dense BF16 rate (989.4 TFLOP/s in the catalog).
* ``origin``: from China's side: designed abroad is ``imported``; designed in China, by where
  it was fabricated (catalog ``fab_country``, else ``data/compute/origins.yaml``).

A system (an HGX board, a rack) counts as the chips it holds: all figures are per unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from chipwatch import service
from chipwatch.catalog.classify import metrics_of
from chipwatch.catalog.loader import Catalog
from chipwatch.catalog.model import ChipModel
from chipwatch.errors import InvalidData
from chipwatch.settings import get_settings
from chipwatch.yamlio import YAMLError, load_yaml

Origin = Literal[
    "domestic_design_domestic_fab",
    "domestic_design_foreign_fab",
    "domestic_design_unknown_fab",
    "imported",
]
ORIGINS: Final[tuple[Origin, ...]] = (
    "domestic_design_domestic_fab",
    "domestic_design_foreign_fab",
    "domestic_design_unknown_fab",
    "imported",
)
DOMESTIC_COUNTRY: Final = "CN"
H100_MODEL: Final = "nvidia-h100-sxm5-80gb"
TERA: Final = 1e12
_TABLE_ORIGIN: Final[dict[str, Origin]] = {
    "domestic_fab": "domestic_design_domestic_fab",
    "foreign_fab": "domestic_design_foreign_fab",
}


@dataclass(frozen=True, slots=True)
class ModelCapacity:
    """Figures for ONE unit of a catalog model (a chip, or a system with ``chips`` chips)."""

    model: str
    name: str
    vendor: str
    origin: Origin
    chips: int
    fp16_flops: float | None
    fp8_flops: float | None
    tpp: float | None
    h100_eq: float | None
    tdp_w: float | None

    @property
    def domestic(self) -> bool:
        return self.origin != "imported"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "name": self.name,
            "vendor": self.vendor,
            "origin": self.origin,
            "chips": self.chips,
            "fp16_flops": self.fp16_flops,
            "fp8_flops": self.fp8_flops,
            "tpp": self.tpp,
            "h100_eq": self.h100_eq,
            "tdp_w": self.tdp_w,
        }


def origins_path() -> Path:
    return get_settings().data_dir / "compute" / "origins.yaml"


def load_origin_table(path: Path) -> dict[str, Origin]:
    """``origins.yaml``: the fab class of domestic designs whose fab the catalog leaves open."""
    where = str(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise InvalidData(f"cannot read the origin table: {exc}", source=where) from None
    if not isinstance(data, dict) or set(data) != {"sources", "models"}:
        raise InvalidData("needs exactly the keys sources and models", source=where)
    known = {s.get("id") for s in data["sources"] if isinstance(s, dict)}
    table: dict[str, Origin] = {}
    for model, entry in (data["models"] or {}).items():
        at = f"models.{model}"
        if not isinstance(entry, dict) or not set(entry) <= {"origin", "sources", "note"}:
            raise InvalidData("keys are origin, sources, note", field=at, source=where)
        origin = _TABLE_ORIGIN.get(entry.get("origin", ""))
        if origin is None:
            raise InvalidData("origin is domestic_fab or foreign_fab", field=at, source=where)
        if not entry.get("sources") or not set(entry["sources"]) <= known:
            raise InvalidData("needs sources listed under sources", field=at, source=where)
        table[str(model)] = origin
    return table


def origin_of(chip: ChipModel, table: dict[str, Origin]) -> Origin:
    if chip.designer_country != DOMESTIC_COUNTRY:
        return "imported"
    if chip.fab_country == DOMESTIC_COUNTRY:
        return "domestic_design_domestic_fab"
    if chip.fab_country is not None:
        return "domestic_design_foreign_fab"
    return table.get(chip.id, "domestic_design_unknown_fab")


def capacities(
    catalog: Catalog, bit_lengths: dict[str, int], table: dict[str, Origin]
) -> dict[str, ModelCapacity]:
    """Every catalog model's per-unit figures, keyed by model id."""
    reference = catalog.models[H100_MODEL]
    h100 = _fp16(reference)
    if h100 is None:
        raise InvalidData("the catalog's H100 has no dense BF16 rate", field=H100_MODEL)
    out: dict[str, ModelCapacity] = {}
    for chip in catalog.models.values():
        if chip.kind == "chip":
            out[chip.id] = _chip(chip, bit_lengths, table, h100)
    for system in catalog.models.values():
        if system.kind == "system":
            out[system.id] = _system(system, out, table)
    return out


@cache
def default_capacities() -> dict[str, ModelCapacity]:
    cw = service.default()
    table = load_origin_table(origins_path())
    return capacities(cw.catalog, cw.rulebook.schedule.bit_lengths, table)


def _fp16(chip: ChipModel) -> float | None:
    rates = [chip.dense_tops[f] for f in ("bf16", "fp16") if f in chip.dense_tops]
    return max(rates) * TERA if rates else None


def _chip(
    chip: ChipModel, bits: dict[str, int], table: dict[str, Origin], h100: float
) -> ModelCapacity:
    fp16 = _fp16(chip)
    fp8 = chip.dense_tops.get("fp8")
    return ModelCapacity(
        chip.id,
        chip.name,
        chip.vendor,
        origin_of(chip, table),
        1,
        fp16,
        None if fp8 is None else fp8 * TERA,
        metrics_of(chip, bits).tpp,
        None if fp16 is None else fp16 / h100,
        chip.tdp_w,
    )


def _system(
    system: ChipModel, chips: dict[str, ModelCapacity], table: dict[str, Origin]
) -> ModelCapacity:
    parts = [(chips[c.model], c.count) for c in system.contains]

    def total(values: list[float | None]) -> float | None:
        return (
            None
            if not values or any(v is None for v in values)
            else sum(v for v in values if v is not None)
        )

    return ModelCapacity(
        system.id,
        system.name,
        system.vendor,
        origin_of(system, table),
        sum(n for _, n in parts),
        total([None if p.fp16_flops is None else p.fp16_flops * n for p, n in parts]),
        total([None if p.fp8_flops is None else p.fp8_flops * n for p, n in parts]),
        total([None if p.tpp is None else p.tpp * n for p, n in parts]),
        total([None if p.h100_eq is None else p.h100_eq * n for p, n in parts]),
        total([None if p.tdp_w is None else p.tdp_w * n for p, n in parts]),
    )
