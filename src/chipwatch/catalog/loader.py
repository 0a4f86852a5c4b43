"""Load the accelerator catalog (YAML) and resolve what users type to a model."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from chipwatch.catalog.model import ChipModel, Component, Source
from chipwatch.errors import InvalidData, NotFound
from chipwatch.yamlio import YAMLError, load_yaml

_NON_WORD = re.compile(r"[\W_]+")
_FORMATS = {"fp4", "int4", "fp6", "fp8", "int8", "fp16", "bf16", "tf32", "fp32", "fp64"}
_NUMBERS = ("die_area_mm2", "memory_gb", "memory_bandwidth_gbs", "interconnect_gbs", "tdp_w")
_EVIDENCE = {"primary_text", "secondary_source", "reported", "derived", "guess"}


def name_key(text: str) -> str:
    """Case-, width-, space- and punctuation-insensitive key, in any script:
    'NVIDIA H200 SXM' -> 'nvidiah200sxm', '昇腾 910C' -> '昇腾910c'."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True, slots=True)
class Catalog:
    models: dict[str, ChipModel]
    sources: dict[str, Source]
    version: str
    digest: str
    _index: dict[str, str]

    def resolve(self, name: str) -> ChipModel:
        """The model a user means by ``name`` (id, display name or alias)."""
        model_id = self._index.get(name_key(name)) if name_key(name) else None
        if model_id is None:
            raise NotFound(f"unknown accelerator model '{name}'; try `chipwatch catalog`")
        return self.models[model_id]

    def find(self, name: str) -> ChipModel | None:
        model_id = self._index.get(name_key(name)) if name_key(name) else None
        return None if model_id is None else self.models[model_id]


def load_catalog(path: Path) -> Catalog:
    text = path.read_bytes()
    try:
        raw = load_yaml(text)
    except YAMLError as exc:
        raise InvalidData(f"not valid YAML: {exc}", source=str(path)) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("models"), list):
        raise InvalidData("expected a mapping with 'sources' and a 'models' list", source=str(path))
    where = str(path)
    sources = {sid: _source(sid, body, where) for sid, body in (raw.get("sources") or {}).items()}
    models: dict[str, ChipModel] = {}
    for i, body in enumerate(raw["models"]):
        model = _model(body, sources, f"models[{i}]", where)
        if model.id in models:
            raise InvalidData(
                f"duplicate model id '{model.id}'", field=f"models[{i}].id", source=where
            )
        models[model.id] = model
    for model in list(models.values()):
        for component in model.contains:
            if models.get(component.model) is None or models[component.model].kind != "chip":
                raise InvalidData(
                    f"'{component.model}' is not a chip in the catalog",
                    field=f"models.{model.id}.contains",
                    source=where,
                )
        if model.contains:
            models[model.id] = _inherit(model, models[model.contains[0].model])
    index: dict[str, str] = {}
    for model in models.values():
        for alias in (model.id, model.name, *model.aliases):
            key = name_key(alias)
            if index.get(key, model.id) != model.id:
                raise InvalidData(
                    f"alias '{alias}' names both '{index[key]}' and '{model.id}'",
                    field=f"models.{model.id}.aliases",
                    source=where,
                )
            index[key] = model.id
    return Catalog(
        models,
        sources,
        str(raw.get("version", "unversioned")),
        "sha256:" + hashlib.sha256(text).hexdigest()[:16],
        index,
    )


def _source(sid: str, body: Any, where: str) -> Source:
    if not isinstance(body, dict) or not body.get("title"):
        raise InvalidData("a source needs a title", field=f"sources.{sid}", source=where)
    evidence = body.get("evidence")
    if evidence not in _EVIDENCE:
        raise InvalidData(
            f"evidence must be one of {sorted(_EVIDENCE)}, got {evidence!r}",
            field=f"sources.{sid}.evidence",
            source=where,
        )
    return Source(sid, str(body["title"]), body.get("url"), evidence, body.get("licence"))


def _model(body: Any, sources: dict[str, Source], at: str, where: str) -> ChipModel:
    if not isinstance(body, dict):
        raise InvalidData("a model must be a mapping", field=at, source=where)
    at = f"models.{body['id']}" if body.get("id") else at
    for key in ("id", "name", "vendor", "family", "kind", "market", "designer_country"):
        if not body.get(key):
            raise InvalidData("is required", field=f"{at}.{key}", source=where)
    if body["kind"] not in ("chip", "system"):
        raise InvalidData("must be 'chip' or 'system'", field=f"{at}.kind", source=where)
    if body["market"] not in ("datacenter", "consumer"):
        raise InvalidData("must be 'datacenter' or 'consumer'", field=f"{at}.market", source=where)
    rates = body.get("dense_tops") or {}
    if not isinstance(rates, dict):
        raise InvalidData("must map formats to dense rates", field=f"{at}.dense_tops", source=where)
    aliases = body.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise InvalidData("must be a list of names", field=f"{at}.aliases", source=where)
    for fmt, value in rates.items():
        if fmt not in _FORMATS or not _positive(value):
            raise InvalidData(
                f"'{fmt}: {value}' is not a known format with a positive rate",
                field=f"{at}.dense_tops",
                source=where,
            )
    numbers = {key: body.get(key) for key in _NUMBERS}
    for key, value in numbers.items():
        if value is not None and not _positive(value):
            raise InvalidData(
                f"must be a positive number or null, got {value!r}",
                field=f"{at}.{key}",
                source=where,
            )
    cited = {key: _ids(value) for key, value in (body.get("sources") or {}).items()}
    for key, ids in cited.items():
        for sid in ids:
            if sid not in sources:
                raise InvalidData(
                    f"cites undefined source '{sid}'", field=f"{at}.sources.{key}", source=where
                )
    contains = tuple(_component(c, f"{at}.contains", where) for c in body.get("contains") or [])
    if body["kind"] == "system" and not contains:
        raise InvalidData("a system must list the chips it 'contains'", field=at, source=where)
    return ChipModel(
        id=str(body["id"]),
        name=str(body["name"]),
        vendor=str(body["vendor"]),
        family=str(body["family"]),
        kind=body["kind"],
        market=body["market"],
        designer_country=str(body["designer_country"]),
        fab_country=body.get("fab_country"),
        foundry=body.get("foundry"),
        released=None if body.get("released") is None else str(body["released"]),
        us_available_2026_01_15=body.get("us_available_2026_01_15"),
        aliases=tuple(aliases),
        dense_tops={fmt: float(v) for fmt, v in rates.items()},
        logic_dies=body.get("logic_dies"),
        memory_type=body.get("memory_type"),
        contains=contains,
        confidence=body.get("confidence", "medium"),
        sources=cited,
        unknown={str(k): str(v) for k, v in (body.get("unknown") or {}).items()},
        notes=str(body.get("notes") or "").strip(),
        **{key: None if value is None else float(value) for key, value in numbers.items()},
    )


def _component(body: Any, at: str, where: str) -> Component:
    model = body.get("model") if isinstance(body, dict) else None
    count = body.get("count") if isinstance(body, dict) else None
    if (
        not isinstance(model, str)
        or not isinstance(count, int)
        or isinstance(count, bool)
        or (count < 1)
    ):
        raise InvalidData(
            "each entry needs 'model' and a positive whole 'count'", field=at, source=where
        )
    return Component(model, count)


def _inherit(system: ChipModel, chip: ChipModel) -> ChipModel:
    """A system takes the origin facts it does not state from the chip it holds."""
    return replace(
        system,
        fab_country=system.fab_country or chip.fab_country,
        foundry=system.foundry or chip.foundry,
        us_available_2026_01_15=(
            chip.us_available_2026_01_15
            if system.us_available_2026_01_15 is None
            else system.us_available_2026_01_15
        ),
    )


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
