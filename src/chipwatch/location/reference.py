"""Landmarks, sites and chip keys a report is judged against, and their CSV files.

* landmarks: ``id,lat,lon`` plus optional ``public_key`` (hex) and ``status`` (``vetted``
  when absent; ``revoked`` or anything not vetted makes its measurements invalid);
* sites: ``id,lat,lon,radius_km``;
* chips: ``serial,public_key``.

A file with any bad row is refused whole, each problem naming its line and column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from chipwatch.errors import InvalidInput
from chipwatch.location.signatures import public_key_from_hex

TRUSTED_STATUSES = frozenset({"vetted", "active"})
T = TypeVar("T")


@dataclass(frozen=True)
class Landmark:
    id: str
    lat: float
    lon: float
    public_key: Ed25519PublicKey | None = None
    status: str = "vetted"


@dataclass(frozen=True)
class Site:
    id: str
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class Reference:
    """Everything a verification needs to know besides the report."""

    landmarks: Mapping[str, Landmark]
    sites: Mapping[str, Site]
    chip_keys: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)


def load_landmarks(path: Path) -> dict[str, Landmark]:
    def landmark(row: dict[str, str], cell: Callable[[str], str]) -> Landmark:
        key_text = (row.get("public_key") or "").strip()
        key = _parse(cell("public_key"), public_key_from_hex, key_text) if key_text else None
        return Landmark(
            id=row["id"].strip(),
            lat=_coordinate(row, "lat", 90.0, cell),
            lon=_coordinate(row, "lon", 180.0, cell),
            public_key=key,
            status=(row.get("status") or "vetted").strip().lower(),
        )

    return _load(path, ("id", "lat", "lon"), "id", landmark)


def load_sites(path: Path) -> dict[str, Site]:
    def site(row: dict[str, str], cell: Callable[[str], str]) -> Site:
        radius = _parse(cell("radius_km"), float, row["radius_km"])
        if not (math.isfinite(radius) and radius > 0):
            raise InvalidInput("must be a positive number of km", field=cell("radius_km"))
        return Site(
            id=row["id"].strip(),
            lat=_coordinate(row, "lat", 90.0, cell),
            lon=_coordinate(row, "lon", 180.0, cell),
            radius_km=radius,
        )

    return _load(path, ("id", "lat", "lon", "radius_km"), "id", site)


def load_chip_keys(path: Path) -> dict[str, Ed25519PublicKey]:
    def chip_key(row: dict[str, str], cell: Callable[[str], str]) -> Ed25519PublicKey:
        return _parse(cell("public_key"), public_key_from_hex, row["public_key"])

    return _load(path, ("serial", "public_key"), "serial", chip_key)


def _load(
    path: Path,
    required: tuple[str, ...],
    key_column: str,
    build: Callable[[dict[str, str], Callable[[str], str]], T],
) -> dict[str, T]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = header
            missing = [name for name in required if name not in header]
            if missing:
                raise InvalidInput(
                    f"missing column(s) {', '.join(missing)}; expected {','.join(required)}",
                    field="header",
                    source=str(path),
                )
            rows = list(reader)
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", source=str(path)) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"not a CSV file: {exc}", source=str(path)) from None
    loaded: dict[str, T] = {}
    seen: set[str] = set()
    errors: list[dict[str, str]] = []
    for number, row in enumerate(rows, start=2):

        def cell(column: str, number: int = number) -> str:
            return f"line {number}: {column}"

        ident = (row.get(key_column) or "").strip()
        try:
            if not ident:
                raise InvalidInput("is empty", field=cell(key_column))
            if ident in seen:
                raise InvalidInput(f"{ident!r} appears twice", field=cell(key_column))
            seen.add(ident)
            loaded[ident] = build({k: v or "" for k, v in row.items() if k}, cell)
        except InvalidInput as exc:
            errors.extend(exc.errors or [{"field": cell(key_column), "problem": exc.problem}])
    if errors:
        raise InvalidInput.from_errors(errors, source=str(path))
    if not loaded:
        raise InvalidInput("has no rows", source=str(path))
    return loaded


def _coordinate(
    row: dict[str, str], column: str, limit: float, cell: Callable[[str], str]
) -> float:
    value = _parse(cell(column), float, row[column])
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise InvalidInput(f"must be between -{limit:g} and {limit:g}", field=cell(column))
    return value


def _parse(where: str, parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text.strip())
    except ValueError as exc:
        raise InvalidInput(str(exc) or f"cannot read {text!r}", field=where) from None
