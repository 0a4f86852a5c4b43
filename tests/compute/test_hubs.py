"""The hub registry and the origin table load, and bad files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipwatch.compute.capacity import default_capacities, load_origin_table, origins_path
from chipwatch.compute.hubs import default_hubs, hubs_path, load_hubs
from chipwatch.errors import InvalidData


def test_eight_hubs_ten_clusters() -> None:
    registry = default_hubs()
    assert len(registry.hubs) == 8
    assert sum(len(h.clusters) for h in registry.hubs) == 10
    found = registry.cluster("qingyang")
    assert found is not None and found[0].id == "gansu"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("region: west\n", "region: west\n    colour: red\n"),  # unknown key
        ("sources: [ndrc-2022-edwc, xinhua-2022-edwc]\n", "sources: [nobody]\n"),
        ("province: Gansu\n", "province: Hebei\n"),  # not a province of the hub
        ("id: zhongwei\n", "id: qingyang\n"),  # duplicate id
        ("lat: 37.5\n", "lat: 97.5\n"),
    ],
)
def test_bad_registry_refused(tmp_path: Path, old: str, new: str) -> None:
    text = hubs_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "hubs.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InvalidData):
        load_hubs(path)


def test_origin_table() -> None:
    table = load_origin_table(origins_path())
    assert table["hygon-dcu-z100"] == "domestic_design_foreign_fab"
    caps = default_capacities()
    assert caps["huawei-ascend-910c"].origin == "domestic_design_domestic_fab"
    assert caps["nvidia-h100-sxm5-80gb"].h100_eq == 1.0
    system = caps["nvidia-hgx-h20-8gpu"]
    assert (system.chips, system.tdp_w) == (8, 3200)


def test_bad_origin_table(tmp_path: Path) -> None:
    path = tmp_path / "origins.yaml"
    path.write_text("sources: []\nmodels:\n  x: {origin: moon_fab, sources: []}\n", "utf-8")
    with pytest.raises(InvalidData):
        load_origin_table(path)
