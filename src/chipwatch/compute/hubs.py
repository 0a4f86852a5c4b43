"""The East-Data-West-Computing hubs and clusters (``data/compute/hubs.yaml``), validated."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chipwatch.errors import InvalidData
from chipwatch.settings import get_settings
from chipwatch.yamlio import YAMLError, load_yaml

Evidence = Literal["primary_text", "secondary_source", "reported", "derived", "guess"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceDoc(_Strict):
    id: str
    title: str
    url: str | None
    evidence: Evidence


class Cluster(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    name_zh: str
    province: str
    lat: float = Field(ge=15, le=55)
    lon: float = Field(ge=70, le=136)
    start_up_areas: tuple[str, ...]
    sources: tuple[str, ...] = Field(min_length=1)


class Hub(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    name_zh: str
    provinces: tuple[str, ...] = Field(min_length=1)
    region: Literal["east", "west"]
    sources: tuple[str, ...] = Field(min_length=1)
    clusters: tuple[Cluster, ...] = Field(min_length=1)


class HubRegistry(_Strict):
    sources: tuple[SourceDoc, ...]
    hubs: tuple[Hub, ...]

    def hub(self, hub_id: str) -> Hub | None:
        return next((h for h in self.hubs if h.id == hub_id), None)

    def cluster(self, cluster_id: str) -> tuple[Hub, Cluster] | None:
        for hub in self.hubs:
            for cluster in hub.clusters:
                if cluster.id == cluster_id:
                    return hub, cluster
        return None

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def hubs_path() -> Path:
    return get_settings().data_dir / "compute" / "hubs.yaml"


@cache
def default_hubs() -> HubRegistry:
    return load_hubs(hubs_path())


def load_hubs(path: Path) -> HubRegistry:
    """Read and check the registry: known sources, unique ids, clusters in their hub."""
    where = str(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise InvalidData(f"cannot read the hub registry: {exc}", source=where) from None
    try:
        registry = HubRegistry.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(part) for part in first["loc"])
        raise InvalidData(first["msg"], field=at, source=where) from None
    _check(registry, where)
    return registry


def _check(registry: HubRegistry, where: str) -> None:
    known = {s.id for s in registry.sources}
    seen: set[str] = set()
    for i, hub in enumerate(registry.hubs):
        for j, cluster in enumerate(hub.clusters):
            at = f"hubs.{i}.clusters.{j}"
            if cluster.province not in hub.provinces:
                raise InvalidData(f"'{cluster.province}' is not a province of the hub", field=at)
            _sources(cluster.sources, known, f"{at}.sources", where)
            _unique(cluster.id, seen, f"{at}.id", where)
        _sources(hub.sources, known, f"hubs.{i}.sources", where)
        _unique(hub.id, seen, f"hubs.{i}.id", where)


def _sources(ids: tuple[str, ...], known: set[str], at: str, where: str) -> None:
    for source in ids:
        if source not in known:
            raise InvalidData(f"unknown source '{source}'", field=at, source=where)


def _unique(item: str, seen: set[str], at: str, where: str) -> None:
    if item in seen:
        raise InvalidData(f"id '{item}' is used twice", field=at, source=where)
    seen.add(item)
