"""Country groups (EAR Supp. No. 1 to Part 740) and the other sets a destination can be in."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chipwatch.countries import is_country
from chipwatch.errors import InvalidData
from chipwatch.yamlio import YAMLError, as_date, load_yaml

HUB = "transshipment_hub"


@dataclass(frozen=True, slots=True)
class Membership:
    """A member for part of the time (both ends inclusive; None = open)."""

    code: str
    start: dt.date | None
    end: dt.date | None
    citation: str

    def on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class GroupInfo:
    name: str
    title: str
    members: frozenset[str]  # members throughout the rulebook's time
    evidence: str
    verified_against: str
    notes: str
    dated: tuple[Membership, ...] = ()  # members for part of the time

    def has(self, codes: set[str], day: dt.date) -> bool:
        return bool(codes & self.members) or any(m.code in codes and m.on(day) for m in self.dated)


@dataclass(frozen=True, slots=True)
class DerivedGroup:
    """A group the rules define from others: (any_of ... or plus) and not minus_any_of."""

    name: str
    title: str
    any_of: frozenset[str]
    plus: frozenset[str]
    minus_any_of: frozenset[str]
    citation: str

    def holds(self, codes: set[str], groups: set[str]) -> bool:
        inside = bool(self.any_of & groups) or bool(self.plus & codes)
        return inside and not self.minus_any_of & groups


@dataclass(slots=True)
class CountryGroups:
    """``areas(code)`` is the set a rule tests: the code itself, its groups, and markers."""

    groups: dict[str, GroupInfo]
    derived: dict[str, DerivedGroup]
    treated_as: dict[str, str]  # e.g. HK -> CN
    hubs: dict[str, str]  # country -> why it is a known transshipment hub
    citation: str
    changes: tuple[dt.date, ...] = ()  # days on which some dated membership begins or ends
    _cache: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def areas(self, code: str, day: dt.date) -> frozenset[str]:
        """The code, its groups on ``day``, the derived groups and markers."""
        epoch = bisect.bisect_right(self.changes, day)
        cached = self._cache.get((code, epoch))
        if cached is None:
            codes = {code}
            if code in self.treated_as:
                codes.add(self.treated_as[code])
            names = {g.name for g in self.groups.values() if g.has(codes, day)}
            names |= {d.name for d in self.derived.values() if d.holds(codes, names)}
            cached = frozenset(codes | names | ({HUB} if code in self.hubs else set()))
            self._cache[(code, epoch)] = cached
        return cached

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.groups) | frozenset(self.derived) | {HUB}


def load_groups(path: Path) -> CountryGroups:
    where = path.name
    try:
        raw = load_yaml(path.read_bytes())
    except (OSError, YAMLError) as exc:
        raise InvalidData(f"cannot read country groups: {exc}", source=where) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("groups"), dict):
        raise InvalidData("expected a mapping with 'groups'", source=where)
    groups = {name: _group(name, body, where) for name, body in raw["groups"].items()}
    treated_as: dict[str, str] = {}
    for code, body in (raw.get("aliases") or {}).items():
        target = body.get("treated_as") if isinstance(body, dict) else None
        if not is_country(str(code)) or not isinstance(target, str) or not is_country(target):
            raise InvalidData(
                "needs ISO codes and 'treated_as: CODE'", field=f"aliases.{code}", source=where
            )
        treated_as[str(code)] = target
    hubs: dict[str, str] = {}
    for i, body in enumerate(raw.get("transshipment_hubs") or []):
        code = body.get("country") if isinstance(body, dict) else None
        if not isinstance(code, str) or not is_country(code):
            raise InvalidData(
                "needs 'country: CODE'", field=f"transshipment_hubs[{i}]", source=where
            )
        hubs[code] = str(body.get("why", ""))
    derived = {
        name: _derived(name, body, set(groups), where)
        for name, body in (raw.get("derived_groups") or {}).items()
    }
    citation = str((raw.get("source") or {}).get("citation", "15 CFR Part 740, Supp. No. 1"))
    day = dt.timedelta(days=1)
    changes = sorted(
        {
            d
            for g in groups.values()
            for m in g.dated
            for d in (m.start, None if m.end is None else m.end + day)
            if d
        }
    )
    return CountryGroups(groups, derived, treated_as, hubs, citation, tuple(changes))


def _derived(name: str, body: Any, known: set[str], where: str) -> DerivedGroup:
    at = f"derived_groups.{name}"
    if not isinstance(body, dict):
        raise InvalidData("must be a mapping", field=at, source=where)
    parts = {
        key: frozenset(str(v) for v in body.get(key) or [])
        for key in ("any_of", "plus", "minus_any_of")
    }
    for group in parts["any_of"] | parts["minus_any_of"]:
        if group not in known:
            raise InvalidData(f"'{group}' is not a group defined above", field=at, source=where)
    for code in parts["plus"]:
        if not is_country(code):
            raise InvalidData(f"'{code}' is not an ISO code", field=f"{at}.plus", source=where)
    return DerivedGroup(
        name,
        str(body.get("title", name)),
        parts["any_of"],
        parts["plus"],
        parts["minus_any_of"],
        str(body.get("citation", "")),
    )


def _group(name: str, body: Any, where: str) -> GroupInfo:
    members = body.get("members") if isinstance(body, dict) else None
    if not isinstance(members, list):
        raise InvalidData("needs a 'members' list", field=f"groups.{name}", source=where)
    plain: set[str] = set()
    dated: list[Membership] = []
    for i, entry in enumerate(members):
        at = f"groups.{name}.members[{i}]"
        code = entry.get("code") if isinstance(entry, dict) else entry
        if not isinstance(code, str) or not is_country(code):
            raise InvalidData(f"'{code}' is not an ISO 3166-1 alpha-2 code", field=at, source=where)
        if not isinstance(entry, dict):
            plain.add(code)
            continue
        unknown = sorted(set(entry) - {"code", "from", "to", "citation"})
        if unknown:
            raise InvalidData(
                f"unknown key(s) {', '.join(unknown)}; allowed: citation, code, from, to",
                field=at,
                source=where,
            )
        start, end = (_day(entry.get(key), f"{at}.{key}", where) for key in ("from", "to"))
        if start is None and end is None:
            raise InvalidData("a dated member needs 'from' or 'to'", field=at, source=where)
        if start and end and end < start:
            raise InvalidData("ends before it starts", field=at, source=where)
        if not entry.get("citation"):
            raise InvalidData(
                "a dated member needs the 'citation' of the change", field=at, source=where
            )
        dated.append(Membership(code, start, end, str(entry["citation"])))
    return GroupInfo(
        name,
        str(body.get("title", name)),
        frozenset(plain),
        str(body.get("evidence", "unverified")),
        str(body.get("verified_against", "")),
        str(body.get("notes", "")),
        tuple(dated),
    )


def _day(value: Any, at: str, where: str) -> dt.date | None:
    return None if value is None else as_date(value, at, where)
