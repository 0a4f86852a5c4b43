"""YAML reading with YAML 1.2 booleans: only true/false are booleans.

PyYAML follows YAML 1.1, where ``NO`` (Norway), ``ON`` and ``Y`` become booleans; in
country codes and chip names that is a silent corruption, so we resolve them as strings.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from chipwatch.errors import InvalidData


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

YAMLError = yaml.YAMLError


def load_yaml(text: str | bytes) -> Any:
    """Parse YAML; an impossible date such as 2026-02-30 is a YAML error too."""
    try:
        return yaml.load(text, Loader=_Loader)
    except ValueError as exc:  # raised by the timestamp constructor, not wrapped by PyYAML
        raise yaml.YAMLError(f"invalid value: {exc}") from exc


def as_date(value: Any, at: str, where: str) -> dt.date:
    """A YAML date, or an ISO date in a string; anything else is an error naming ``at``."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidData(f"needs a date (YYYY-MM-DD), got {value!r}", field=at, source=where)
