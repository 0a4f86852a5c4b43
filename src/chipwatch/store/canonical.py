"""Canonical JSON: one text for one value, so that hashes of records are reproducible."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def iso_utc(instant: dt.datetime) -> str:
    """``2026-02-10T09:30:00.000000Z``: always UTC, always microseconds."""
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: give a timezone-aware instant")
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data that reads back identically from SQLite JSON and PG JSONB.

    Decimals become strings, instants ISO 8601 UTC, dates ISO; whole floats become ints
    (JSONB would hand them back as ints); NaN and infinities are refused.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be stored as JSON")
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(item) for item in value)
    return str(value)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text (not ``\\u`` escapes)."""
    return json.dumps(
        jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def sha256_hex(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value``, as 64 hex digits."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
