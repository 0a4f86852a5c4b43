"""Screen an order's parties (and their declared owners) against the loaded lists.

A match at or above its list's threshold is *open* — the order holds until an officer
confirms or clears it — unless an earlier disposition for the same party and the same,
unchanged list entry settles it, or the name and country agree exactly (then the party is
treated as listed until an officer clears it). Confirmed memberships become the
``parties.lists`` facts the rules act on; owners' memberships feed the 50 % rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chipwatch.orders import Owner, Party
from chipwatch.screening import PartyScreening, PossibleMatch, ScreeningReport
from chipwatch.screening.matching import Hit, ScreeningIndex
from chipwatch.screening.ownership import assess

#: List short codes → the list vocabulary the rules speak.
LIST_CODES: dict[str, str] = {
    "EL": "entity_list",
    "MEU": "meu",
    "SDN": "sdn",
    "DPL": "dpl",
    "UVL": "uvl",
    "ISN": "isn",
    "SSI": "ssi",
    "CMIC": "cmic",
    "DTC": "dtc",
    "PLC": "plc",
    "MBS": "mbs",
    "FSE": "fse",
    "CAP": "cap",
    "NONSDN": "nonsdn",
}


@dataclass(frozen=True, slots=True)
class Disposition:
    """An officer's decision on one party against one list entry (append-only history)."""

    status: str  # "cleared" | "confirmed"
    content_hash: str  # of the list entry when decided: a changed entry re-opens the case
    actor: str
    at: dt.datetime
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "content_hash": self.content_hash,
        }


class DispositionLookup(Protocol):
    def latest(
        self, party_key: str, source: str, entry_id: str, content_hash: str | None = None
    ) -> Disposition | None:
        """The disposition of this content of the entry if there is one, else the latest."""
        ...


class NoDispositions:
    def latest(
        self, party_key: str, source: str, entry_id: str, content_hash: str | None = None
    ) -> Disposition | None:
        return None


class ListScreener:
    """A ``Screener`` over a ScreeningIndex, remembering officers' dispositions."""

    def __init__(
        self,
        index: ScreeningIndex,
        dispositions: DispositionLookup | None = None,
        list_versions: Mapping[str, str] | None = None,
    ) -> None:
        self.index = index
        self.dispositions = dispositions or NoDispositions()
        self.list_versions = dict(list_versions or {})

    def party_key(self, name: str, country: str | None) -> str:
        """Who a disposition is remembered for: the normalised name and the country."""
        tokens = " ".join(self.index.normalizer.form(name).tokens)
        return _bounded(f"{(country or '').upper()}|{tokens}")

    def owner_key(self, party_key: str, name: str, country: str | None) -> str:
        """An owner's matches are the owned party's cases, kept apart from the party's own."""
        return _bounded(f"{party_key}|owner:{self.party_key(name, country)}")

    def screen(self, parties: Sequence[Party], on: dt.date) -> ScreeningReport:
        if not self.index.entries:
            return ScreeningReport(
                performed=False,
                parties=tuple(PartyScreening(p.name, p.role) for p in parties),
                note="No restricted-party list is loaded: parties were not screened. "
                "Load one with `chipwatch lists update` or `chipwatch lists import`.",
            )
        return ScreeningReport(
            performed=True,
            parties=tuple(self.screen_party(p) for p in parties),
            list_versions=self.list_versions,
            note=f"Screened against {len(self.index.entries):,} list entries.",
        )

    def screen_party(self, party: Party) -> PartyScreening:
        lists, open_, resolved = self.screen_name(party.name, party.country, subject=party.name)
        lists |= set(party.lists)
        owner_open: list[PossibleMatch] = []
        owner_resolved: list[PossibleMatch] = []
        # an owner's cases are the party's (record_screening), so are their dispositions
        key = self.party_key(party.name, party.country)

        def lists_of(owner: Owner) -> frozenset[str]:
            found, more_open, more_resolved = self.screen_name(
                owner.name,
                owner.country,
                subject=f"owner: {owner.name}",
                key=self.owner_key(key, owner.name, owner.country),
            )
            owner_open.extend(more_open)
            owner_resolved.extend(more_resolved)
            return frozenset(found | set(owner.lists))

        finding = assess(party.owners, lists_of)
        return PartyScreening(
            party=party.name,
            role=party.role,
            lists=frozenset(lists),
            owner_lists=frozenset(party.owned_50pct_by) | finding.lists,
            possible_matches=(*open_, *owner_open),
            resolved=(*resolved, *owner_resolved),
            ownership=finding.to_dict(),
        )

    def screen_name(
        self, name: str, country: str | None, *, subject: str, key: str | None = None
    ) -> tuple[set[str], list[PossibleMatch], list[PossibleMatch]]:
        """Confirmed list codes, open matches and resolved matches for one name.

        ``key``: whose dispositions apply (default: this name's own party key).
        """
        lists: set[str] = set()
        open_: list[PossibleMatch] = []
        resolved: list[PossibleMatch] = []
        key = key or self.party_key(name, country)
        for hit in self.index.search(name, country=country, entity_type=None, limit=10):
            if not hit.match:
                continue
            entry = hit.entry
            code = LIST_CODES.get(entry.source, entry.source.lower())
            remembered = self.dispositions.latest(
                key, entry.source, entry.entry_id, entry.content_hash
            )
            if remembered is not None and remembered.content_hash == entry.content_hash:
                match = self._possible(
                    hit, code, subject, key, remembered.status, remembered.to_dict()
                )
                resolved.append(match)
                if remembered.status == "confirmed":
                    lists.add(code)
                continue
            if _exact(hit, country, self.index.normalizer.form(name).tokens):
                by = {"status": "confirmed", "actor": "chipwatch", "reason": EXACT}
                resolved.append(self._possible(hit, code, subject, key, "confirmed", by))
                lists.add(code)
                continue
            details = {} if remembered is None else {"previous_disposition": remembered.to_dict()}
            open_.append(self._possible(hit, code, subject, key, "open", None, details))
        return lists, open_, resolved

    def _possible(
        self,
        hit: Hit,
        code: str,
        subject: str,
        key: str,
        status: str,
        disposition: Mapping[str, Any] | None,
        extra: Mapping[str, Any] | None = None,
    ) -> PossibleMatch:
        exp = hit.explanation
        summary = (
            f"'{exp['query']}' matched '{exp['matched_alias']}' ({exp['alias_kind']}) of "
            f"{hit.entry.source} entry {hit.entry.entry_id} with score {hit.score:.2f} "
            f"(threshold {exp['threshold']:.2f})"
        )
        if extra and "previous_disposition" in extra:
            summary += "; the list entry changed since it was last resolved"
        return PossibleMatch(
            list_code=code,
            entry_name=hit.entry.name,
            score=hit.score,
            explanation=summary,
            source=hit.entry.source,
            entry_id=hit.entry.entry_id,
            content_hash=hit.entry.content_hash,
            subject=subject,
            status=status,
            disposition=disposition,
            details={**exp, **(extra or {})},
            key=key,
        )


EXACT = "exact name match with the same country: treated as listed until an officer clears it"


def _exact(hit: Hit, country: str | None, as_written: tuple[str, ...]) -> bool:
    """The name as written (not a translation or transliteration of it) equals a strong alias,
    and the party's country is one of the entry's."""
    exp = hit.explanation
    same_country = bool(country) and (country or "").upper() in hit.entry.countries
    return (
        tuple(exp["query_tokens"]) == as_written
        and exp["features"]["name"] >= 1.0
        and exp["alias_kind"] != "weak_alias"
        and not exp["unmatched_query_tokens"]
        and not exp["unmatched_alias_tokens"]
        and all(p["similarity"] >= 1.0 for p in exp["token_pairs"])
        and same_country
    )


def _bounded(key: str) -> str:
    """Keys fit their 500-character column: a long one keeps a digest of its tail."""
    if len(key) <= 400:
        return key
    return key[:380] + "#" + hashlib.sha256(key.encode()).hexdigest()[:16]
