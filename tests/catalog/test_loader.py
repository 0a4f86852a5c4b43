"""Loading the accelerator catalog: what is accepted, what is rejected and where."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from chipwatch import service
from chipwatch.catalog.loader import load_catalog, name_key
from chipwatch.catalog.model import Component
from chipwatch.errors import InvalidData, NotFound

MINIMAL: dict[str, Any] = {
    "schema": "chipwatch-catalog/1",
    "version": "test-1",
    "sources": {
        "acme-datasheet": {
            "title": "Acme X1 datasheet",
            "url": "https://example.com/x1.pdf",
            "evidence": "primary_text",
        },
        "acme-guess": {"title": "A guess", "url": None, "evidence": "guess"},
    },
    "models": [
        {
            "id": "acme-x1",
            "name": "Acme X1",
            "vendor": "Acme",
            "family": "X",
            "kind": "chip",
            "market": "datacenter",
            "designer_country": "US",
            "aliases": ["X1", "Acme X-1"],
            "dense_tops": {"int8": 600, "fp16": 300},
            "die_area_mm2": 800,
            "memory_bandwidth_gbs": 2000,
            "interconnect_gbs": None,
            "sources": {
                "dense_tops": "acme-datasheet",
                "die_area_mm2": ["acme-datasheet", "acme-guess"],
                "memory_bandwidth_gbs": "acme-datasheet",
            },
            "unknown": {"interconnect_gbs": "not published"},
        },
        {
            "id": "acme-box",
            "name": "Acme Box 8",
            "vendor": "Acme",
            "family": "X",
            "kind": "system",
            "market": "datacenter",
            "designer_country": "US",
            "contains": [{"model": "acme-x1", "count": 8}],
            "sources": {"contains": "acme-datasheet"},
        },
    ],
}


def write(tmp_path: Path, body: Any) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_valid_minimal_catalog_loads(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    catalog = load_catalog(path)
    assert set(catalog.models) == {"acme-x1", "acme-box"}
    assert set(catalog.sources) == {"acme-datasheet", "acme-guess"}
    assert catalog.version == "test-1"
    assert catalog.digest.startswith("sha256:") and len(catalog.digest) == len("sha256:") + 16
    chip = catalog.models["acme-x1"]
    assert chip.dense_tops == {"int8": 600.0, "fp16": 300.0}
    assert chip.die_area_mm2 == 800.0 and chip.interconnect_gbs is None
    assert chip.sources["dense_tops"] == ("acme-datasheet",)
    assert chip.sources["die_area_mm2"] == ("acme-datasheet", "acme-guess")
    assert chip.unknown == {"interconnect_gbs": "not published"}
    assert chip.confidence == "medium"
    assert catalog.models["acme-box"].contains == (Component("acme-x1", 8),)
    for name in ("acme-x1", "Acme X1", "X1", "acme x-1", "ACME-X1"):
        assert catalog.resolve(name).id == "acme-x1"
    assert catalog.resolve("Acme Box 8").id == "acme-box"
    with pytest.raises(NotFound):
        catalog.resolve("Acme X2")


def test_the_digest_follows_the_bytes(tmp_path: Path) -> None:
    first = load_catalog(write(tmp_path, MINIMAL)).digest
    changed = copy.deepcopy(MINIMAL)
    changed["models"][0]["die_area_mm2"] = 801
    assert load_catalog(write(tmp_path, changed)).digest != first


def test_name_key_ignores_case_space_and_punctuation() -> None:
    assert name_key("NVIDIA H200 SXM") == name_key("nvidia-h200_sxm") == "nvidiah200sxm"


Mutation = Callable[[dict[str, Any]], None]


def _chip(body: dict[str, Any]) -> dict[str, Any]:
    return body["models"][0]


def _del(key: str) -> Mutation:
    return lambda body: _chip(body).pop(key)


def _set(key: str, value: Any) -> Mutation:
    return lambda body: _chip(body).__setitem__(key, value)


def _duplicate_id(body: dict[str, Any]) -> None:
    twin = copy.deepcopy(_chip(body))
    twin["name"], twin["aliases"] = "Acme X1 twin", []
    body["models"].append(twin)


def _second_chip(**fields: Any) -> Mutation:
    def mutate(body: dict[str, Any]) -> None:
        other = copy.deepcopy(_chip(body))
        other.update({"id": "acme-x2", "name": "Acme X2", "aliases": [], **fields})
        body["models"].append(other)

    return mutate


def _system_contains(model: str) -> Mutation:
    return lambda body: body["models"][1].__setitem__("contains", [{"model": model, "count": 8}])


REJECTED = [
    # (id, mutation, field (or its tail), fragment of the problem)
    ("missing name", _del("name"), "models.acme-x1.name", "is required"),
    ("missing vendor", _del("vendor"), "models.acme-x1.vendor", "is required"),
    ("missing kind", _del("kind"), "models.acme-x1.kind", "is required"),
    ("missing market", _del("market"), "models.acme-x1.market", "is required"),
    (
        "missing designer_country",
        _del("designer_country"),
        "models.acme-x1.designer_country",
        "is required",
    ),
    ("empty name", _set("name", ""), "models.acme-x1.name", "is required"),
    ("bad kind", _set("kind", "board"), "models.acme-x1.kind", "'chip' or 'system'"),
    ("bad market", _set("market", "gaming"), "models.acme-x1.market", "datacenter"),
    (
        "unknown format in dense_tops",
        _set("dense_tops", {"int8": 600, "fp12": 10}),
        "models.acme-x1.dense_tops",
        "fp12",
    ),
    (
        "negative rate in dense_tops",
        _set("dense_tops", {"int8": -600}),
        "models.acme-x1.dense_tops",
        "positive",
    ),
    (
        "string rate in dense_tops",
        _set("dense_tops", {"int8": "600"}),
        "models.acme-x1.dense_tops",
        "positive",
    ),
    (
        "negative die area",
        _set("die_area_mm2", -800),
        "models.acme-x1.die_area_mm2",
        "positive number",
    ),
    ("zero die area", _set("die_area_mm2", 0), "models.acme-x1.die_area_mm2", "positive"),
    (
        "negative memory bandwidth",
        _set("memory_bandwidth_gbs", -1.5),
        "models.acme-x1.memory_bandwidth_gbs",
        "-1.5",
    ),
    ("negative tdp", _set("tdp_w", -700), "models.acme-x1.tdp_w", "positive"),
    ("bool as a number", _set("memory_gb", True), "models.acme-x1.memory_gb", "positive"),
    (
        "undefined source id",
        _set("sources", {"dense_tops": "no-such-source"}),
        "models.acme-x1.sources.dense_tops",
        "no-such-source",
    ),
    (
        "undefined source id in a list",
        _set("sources", {"die_area_mm2": ["acme-datasheet", "nope"]}),
        "models.acme-x1.sources.die_area_mm2",
        "'nope'",
    ),
    ("duplicate id", _duplicate_id, "models[2].id", "duplicate model id 'acme-x1'"),
    (
        "an alias naming two models",
        _second_chip(aliases=["x-1"]),
        "acme-x2.aliases",
        "names both 'acme-x1' and 'acme-x2'",
    ),
    (
        "a name equal to another model's alias",
        _second_chip(name="X1"),
        "acme-x2.aliases",
        "names both",
    ),
    (
        "a system whose contains names an unknown chip",
        _system_contains("acme-x9"),
        "acme-box.contains",
        "'acme-x9' is not a chip",
    ),
    (
        "a system that contains a system",
        _system_contains("acme-box"),
        "acme-box.contains",
        "'acme-box' is not a chip",
    ),
    (
        "a system that contains nothing",
        lambda body: body["models"][1].pop("contains"),
        "models.acme-box",
        "must list the chips",
    ),
    (
        "a source without a title",
        lambda body: body["sources"]["acme-guess"].pop("title"),
        "sources.acme-guess",
        "title",
    ),
    (
        "a source with unknown evidence",
        lambda body: body["sources"]["acme-guess"].__setitem__("evidence", "hearsay"),
        "sources.acme-guess.evidence",
        "hearsay",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "field", "fragment"),
    [pytest.param(m, f, frag, id=name) for name, m, f, frag in REJECTED],
)
def test_bad_catalog_is_rejected_naming_the_field(
    tmp_path: Path, mutate: Mutation, field: str, fragment: str
) -> None:
    body = copy.deepcopy(MINIMAL)
    mutate(body)
    path = write(tmp_path, body)
    with pytest.raises(InvalidData) as caught:
        load_catalog(path)
    error = caught.value
    assert error.field is not None and error.field.endswith(field), error
    assert fragment in error.problem
    assert error.source == str(path)
    assert str(error) == f"{path}: {error.field}: {error.problem}"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("models: [unclosed\n", id="not YAML"),
        pytest.param("- just\n- a list\n", id="not a mapping"),
        pytest.param("sources: {}\n", id="no models list"),
        pytest.param("models: {a: 1}\n", id="models not a list"),
    ],
)
def test_a_file_of_the_wrong_shape_is_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    with pytest.raises(InvalidData) as caught:
        load_catalog(path)
    assert caught.value.source == str(path)


def test_yaml_1_2_booleans_keep_country_codes_as_strings(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    path.write_text(path.read_text().replace("designer_country: US", "designer_country: NO", 1))
    assert load_catalog(path).models["acme-x1"].designer_country == "NO"


def test_missing_id_names_the_model_by_position(tmp_path: Path) -> None:
    body = copy.deepcopy(MINIMAL)
    _chip(body).pop("id")
    with pytest.raises(InvalidData) as caught:
        load_catalog(write(tmp_path, body))
    assert caught.value.field == "models[0].id"


def test_distinct_chinese_aliases_do_not_collide(tmp_path: Path) -> None:
    body = copy.deepcopy(MINIMAL)
    _chip(body)["aliases"] = ["X1", "寒武纪"]
    _second_chip(aliases=["海光"])(body)
    catalog = load_catalog(write(tmp_path, body))
    assert catalog.resolve("寒武纪").id == "acme-x1"
    assert catalog.resolve("海光").id == "acme-x2"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        pytest.param(
            lambda body: body["models"][1].__setitem__("contains", [{"model": "acme-x1"}]),
            "acme-box.contains",
            id="contains entry without count",
        ),
        pytest.param(
            lambda body: body["models"][1].__setitem__(
                "contains", [{"model": "acme-x1", "count": 0}]
            ),
            "acme-box.contains",
            id="contains count of zero",
        ),
        pytest.param(_set("dense_tops", [600, 300]), "acme-x1.dense_tops", id="dense_tops list"),
        pytest.param(_set("aliases", "X1"), "acme-x1.aliases", id="aliases as a string"),
    ],
)
def test_malformed_entries_are_invalid_data(tmp_path: Path, mutate: Mutation, field: str) -> None:
    body = copy.deepcopy(MINIMAL)
    mutate(body)
    with pytest.raises(InvalidData) as caught:
        load_catalog(write(tmp_path, body))
    assert caught.value.field is not None and caught.value.field.endswith(field)


# --------------------------------------------------------------------------------------
# The bundled catalog
# --------------------------------------------------------------------------------------

SOURCED_NUMBERS = ("dense_tops", "die_area_mm2", "memory_bandwidth_gbs")


def _bundled_models() -> list[Any]:
    return list(service.default().catalog.models.values())


@pytest.mark.parametrize("model", [pytest.param(m, id=m.id) for m in _bundled_models()])
def test_bundled_model_cites_a_source_for_each_known_number(model: Any) -> None:
    catalog = service.default().catalog
    for key in SOURCED_NUMBERS:
        value = getattr(model, key)
        if value:  # a non-null number, or a non-empty dense_tops mapping
            assert model.sources.get(key), f"{model.id}: {key} = {value} has no source"
            for sid in model.sources[key]:
                assert sid in catalog.sources, f"{model.id}: {key} cites unknown '{sid}'"


@pytest.mark.parametrize("model", [pytest.param(m, id=m.id) for m in _bundled_models()])
def test_bundled_model_explains_missing_dense_rates(model: Any) -> None:
    if model.kind == "chip" and not model.dense_tops:
        assert model.unknown.get("dense_tops"), f"{model.id}: no rates and no reason"


def test_bundled_systems_hold_catalogued_chips() -> None:
    catalog = service.default().catalog
    systems = [m for m in catalog.models.values() if m.kind == "system"]
    assert systems
    for system in systems:
        assert system.contains
        for component in system.contains:
            assert catalog.models[component.model].kind == "chip"
            assert component.count > 0
