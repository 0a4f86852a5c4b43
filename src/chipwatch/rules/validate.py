"""Small validators shared by the rulebook loaders: each error names file and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chipwatch.errors import InvalidData
from chipwatch.rules.model import EVIDENCE
from chipwatch.yamlio import YAMLError, load_yaml


def known_keys(body: dict[str, Any], allowed: frozenset[str], at: str, where: str) -> None:
    """A misspelt key (efective_to) must not silently leave a rule in force for ever."""
    unknown = sorted(str(key) for key in body if key not in allowed)
    if unknown:
        raise InvalidData(
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
            field=at,
            source=where,
        )


def check_evidence(value: Any, at: str, where: str) -> Any:
    if value not in EVIDENCE:
        raise InvalidData(
            f"must be one of {', '.join(EVIDENCE)}, got {value!r}", field=at, source=where
        )
    return value


def need(body: Any, key: str, at: str, where: str) -> Any:
    value = body.get(key) if isinstance(body, dict) else None
    if value in (None, ""):
        raise InvalidData("is required", field=at, source=where)
    return value


def mapping(body: Any, key: str, where: str) -> dict[str, Any]:
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, dict):
        raise InvalidData("must be a mapping", field=key, source=where)
    return value


def read_yaml(path: Path) -> dict[str, Any]:
    shown = f"{path.parent.name}/{path.name}" if path.parent.name == "instruments" else path.name
    try:
        raw = load_yaml(read_bytes(path))
    except YAMLError as exc:
        raise InvalidData(f"not valid YAML: {exc}", source=shown) from exc
    if not isinstance(raw, dict):
        raise InvalidData("expected a mapping at the top", source=shown)
    return raw


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidData(f"cannot read: {exc.strerror}", source=str(path)) from exc
