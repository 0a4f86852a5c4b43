"""Accelerator models as the rules see them: specs, each with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Evidence = Literal["primary_text", "secondary_source", "reported", "derived", "guess"]


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    url: str | None
    evidence: Evidence
    licence: str | None = None


@dataclass(frozen=True, slots=True)
class Component:
    model: str
    count: int


@dataclass(frozen=True, slots=True)
class ChipModel:
    """One product (a chip, or a system that holds chips). ``None`` means unknown."""

    id: str
    name: str
    vendor: str
    family: str
    kind: Literal["chip", "system"]
    market: Literal["datacenter", "consumer"]
    designer_country: str
    fab_country: str | None = None
    foundry: str | None = None
    released: str | None = None
    us_available_2026_01_15: bool | None = None
    aliases: tuple[str, ...] = ()
    dense_tops: dict[str, float] = field(default_factory=dict)
    die_area_mm2: float | None = None
    logic_dies: int | None = None
    memory_gb: float | None = None
    memory_type: str | None = None
    memory_bandwidth_gbs: float | None = None
    interconnect_gbs: float | None = None
    tdp_w: float | None = None
    contains: tuple[Component, ...] = ()
    confidence: Literal["high", "medium", "low"] = "medium"
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    notes: str = ""
