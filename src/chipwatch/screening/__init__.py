"""The seam where restricted-party screening plugs into decisions.

Until list screening lands (its own issue), ``DeclaredListings`` uses only what the order
itself declares about each party (``lists``, ``owned_50pct_by``) and says plainly that no
list was searched. A real screener returns the same ``ScreeningReport``: confirmed list
memberships become facts the rules act on, unresolved possible matches become a hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from chipwatch.orders import Party


@dataclass(frozen=True, slots=True)
class PossibleMatch:
    """A list entry a party (or one of its owners, ``subject``) matched, and why."""

    list_code: str
    entry_name: str
    score: float
    explanation: str
    source: str = ""  # list short code (EL, SDN ...)
    entry_id: str = ""
    content_hash: str = ""
    subject: str = ""  # the name that matched: the party's own or an owner's
    status: str = "open"  # open | confirmed | cleared (by an officer, or "exact" for exact)
    disposition: Mapping[str, Any] | None = None  # who confirmed / cleared it, when, why
    details: Mapping[str, Any] = field(default_factory=dict)
    key: str = ""  # whose case it is: the party's key, or the party's key + the owner's


@dataclass(frozen=True, slots=True)
class PartyScreening:
    party: str
    role: str
    lists: frozenset[str] = frozenset()  # memberships taken as confirmed
    owner_lists: frozenset[str] = frozenset()  # lists of owners holding >= 50 %
    possible_matches: tuple[PossibleMatch, ...] = ()  # open: a person must resolve them
    resolved: tuple[PossibleMatch, ...] = ()  # confirmed or cleared matches, with who and why
    ownership: Mapping[str, Any] | None = None  # the 50 % rule assessment with its chains


@dataclass(frozen=True, slots=True)
class ScreeningReport:
    performed: bool
    parties: tuple[PartyScreening, ...]
    list_versions: dict[str, str] = field(default_factory=dict)
    note: str = ""


class Screener(Protocol):
    def screen(self, parties: Sequence[Party], on: dt.date) -> ScreeningReport: ...


class DeclaredListings:
    """Takes the order's own statements about list memberships; searches no list."""

    NOTE = (
        "Parties were not screened against restricted-party lists: only list memberships "
        "declared in the order were used. Screen every party before shipping."
    )

    def screen(self, parties: Sequence[Party], on: dt.date) -> ScreeningReport:
        return ScreeningReport(
            performed=False,
            parties=tuple(
                PartyScreening(p.name, p.role, frozenset(p.lists), frozenset(p.owned_50pct_by))
                for p in parties
            ),
            note=self.NOTE,
        )
