"""The 50 % rule: a party owned 50 % or more by listed persons is treated as listed.

Ownership counts directly, indirectly and in aggregate, as OFAC and BIS read it: an owner
counts as listed when it is on a list itself or is in turn 50 %-or-more owned by listed
owners, and then its *whole* share counts (shares are not multiplied down the chain). The
result carries the chain that makes it so. Whether the rule applies on an order's date is
the rulebook's business (``parties.owner_lists`` facts), not this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from chipwatch.errors import InvalidData
from chipwatch.orders import Owner
from chipwatch.settings import PACKAGE_DATA
from chipwatch.yamlio import YAMLError, load_yaml

SOURCE = PACKAGE_DATA / "screening" / "ownership.yaml"


@lru_cache(maxsize=1)
def threshold() -> float:
    """The share (percent) at or above which listed owners make a party listed, from data."""
    try:
        raw = load_yaml(SOURCE.read_bytes())
    except (OSError, YAMLError) as exc:
        raise InvalidData(f"cannot read: {exc}", source=str(SOURCE)) from exc
    value = raw.get("threshold_percent") if isinstance(raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
        raise InvalidData(
            "must be a number in (0, 100]", field="threshold_percent", source=str(SOURCE)
        )
    return float(value)


#: For an owner, the lists it is on (declared or found by screening).
ListsOf = Callable[[Owner], frozenset[str]]


@dataclass(frozen=True, slots=True)
class OwnershipFinding:
    known: bool  # False when the party declared no ownership at all
    listed_share: float  # percent held by owners that count as listed
    lists: frozenset[str]  # lists of the owners that count, when listed_share >= 50 %
    chains: tuple[str, ...]  # one line per counting owner, e.g. "60 % X (entity_list)"

    @property
    def treated_as_listed(self) -> bool:
        return self.listed_share >= threshold()

    def to_dict(self) -> dict[str, object]:
        return {
            "known": self.known,
            "listed_share": self.listed_share,
            "treated_as_listed": self.treated_as_listed,
            "lists": sorted(self.lists),
            "chains": list(self.chains),
        }


def assess(owners: Sequence[Owner] | None, lists_of: ListsOf) -> OwnershipFinding:
    """How much of a party listed owners hold, with the chains behind it."""
    if owners is None:
        return OwnershipFinding(False, 0.0, frozenset(), ())
    share, lists, chains = _listed(owners, lists_of, depth=0)
    share = round(share, 6)  # 16.7 + 31.4 + 1.9 is 50, not 49.99999999999999
    return OwnershipFinding(True, share, lists if share >= threshold() else frozenset(), chains)


def _listed(
    owners: Sequence[Owner], lists_of: ListsOf, depth: int
) -> tuple[float, frozenset[str], tuple[str, ...]]:
    share = 0.0
    lists: set[str] = set()
    chains: list[str] = []
    for owner in owners:
        own = lists_of(owner)
        if own:
            share += owner.share
            lists |= own
            chains.append(f"{owner.share:g} % {owner.name} ({', '.join(sorted(own))})")
            continue
        if owner.owners and depth < 16:
            inner_share, inner_lists, inner_chains = _listed(owner.owners, lists_of, depth + 1)
            if round(inner_share, 6) >= threshold():
                share += owner.share
                lists |= inner_lists
                chains.extend(f"{owner.share:g} % {owner.name} ← {c}" for c in inner_chains)
    return share, frozenset(lists), tuple(chains)
