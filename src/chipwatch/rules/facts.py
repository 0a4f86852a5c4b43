"""Typed order facts: what a rule condition may test, and how they are derived from an order.

Set-valued ``*groups`` facts hold a country's ISO code, its EAR country groups and the
``transshipment_hub`` marker, so one test covers "China, Macau or any D:5 country".
Unknown values are left out of the mapping; conditions then answer "unknown".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chipwatch.catalog.classify import Classification
from chipwatch.catalog.model import ChipModel
from chipwatch.conditions import FactSpec
from chipwatch.countries import all_codes
from chipwatch.orders import Order, Party
from chipwatch.rules.groups import CountryGroups
from chipwatch.screening import ScreeningReport
from chipwatch.vocabulary import END_USES, LIST_CODES, ROLES, SECTORS, TRANSACTIONS

UNKNOWN_SECTOR = "unknown"
# Roles whose location and headquarters decide who the items are for.
RECIPIENT_ROLES = ("buyer", "consignee", "end_user")
DESTINATION_ROLES = ("consignee", "intermediate_consignee", "end_user")


def fact_schema(eccns: Iterable[str], group_names: Iterable[str]) -> dict[str, FactSpec]:
    """The facts rules may test; ``eccns`` and ``group_names`` close the vocabularies."""
    eccn = frozenset(eccns)
    country = all_codes()
    area = country | frozenset(group_names)
    sectors = SECTORS | {UNKNOWN_SECTOR}
    specs = {
        "order.date": FactSpec("date", "the order's date"),
        "order.ship_from": FactSpec("string", "ISO country the items leave from", country),
        "order.ship_to": FactSpec("string", "ISO country the items are shipped to", country),
        "order.transaction": FactSpec(
            "string", "export_from_us, reexport, in_country_transfer", TRANSACTIONS
        ),
        "order.end_use": FactSpec("string", "the stated end use", END_USES),
        "order.end_country": FactSpec(
            "string", "where the items end up: the end user's country, else the ship-to", country
        ),
        "order.ship_to_is_end_user_country": FactSpec(
            "bool", "the items are shipped to the end user's own country"
        ),
        "destination.groups": FactSpec(
            "set", "areas of the ship-to, (intermediate) consignee and end-user countries", area
        ),
        "ship_from.groups": FactSpec("set", "areas of the country the items leave from", area),
        "end_user.country": FactSpec("string", "the end user's country", country),
        "end_user.sector": FactSpec("string", "the end user's sector", sectors),
        "end_user.groups": FactSpec("set", "areas of the end user's country", area),
        "buyer.groups": FactSpec("set", "areas of the buyer's country (empty: no buyer)", area),
        "parties.sectors": FactSpec("set", "sectors of buyer, consignee and end user", sectors),
        "parties.hq_groups": FactSpec("set", "areas of recipients' headquarters", area),
        "parties.hq_groups_abroad": FactSpec(
            "set", "areas of the headquarters of recipients located outside that country", area
        ),
        "parties.lists": FactSpec("set", "restricted lists any party is on", LIST_CODES),
        "parties.owner_lists": FactSpec("set", "lists of any party's >= 50 % owners", LIST_CODES),
        "parties.roles": FactSpec("set", "roles named in the order", ROLES),
        "parties.possible_matches": FactSpec("bool", "screening left possible list matches open"),
        "parties.ownership_unknown": FactSpec(
            "bool", "screening ran and the buyer's or end user's ownership was not declared"
        ),
        "item.model": FactSpec("string", "catalog model id"),
        "item.vendor": FactSpec("string", "vendor"),
        "item.family": FactSpec("string", "product family (Hopper, Blackwell, Ascend ...)"),
        "item.kind": FactSpec("string", "chip or system", frozenset({"chip", "system"})),
        "item.market": FactSpec(
            "string", "datacenter or consumer", frozenset({"datacenter", "consumer"})
        ),
        "item.designer_country": FactSpec("string", "ISO country of the designer", country),
        "item.fab_country": FactSpec("string", "ISO country of the logic-die foundry", country),
        "item.us_available_2026_01_15": FactSpec(
            "bool", "commercially available in the US on 2026-01-15"
        ),
        "item.eccn": FactSpec("string", "control class on the order's date", eccn),
        "item.tpp": FactSpec("number", "Total Processing Performance (per chip)"),
        "item.pd": FactSpec("number", "performance density (per chip)"),
        "item.memory_bandwidth_gbs": FactSpec("number", "total DRAM bandwidth, GB/s (per chip)"),
        "item.interconnect_gbs": FactSpec("number", "chip-to-chip I/O, GB/s (per chip)"),
        "item.quantity": FactSpec("number", "units ordered"),
        "item.value_usd": FactSpec("number", "declared value of the line, USD"),
    }
    return specs


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """Everything ``decide`` needs besides the order and the rulebook, computed by the shell."""

    classifications: tuple[Classification, ...]
    screening: ScreeningReport
    items: tuple[dict[str, Any], ...]  # one fact mapping per order item


def build_facts(
    order: Order,
    models: list[ChipModel],
    classifications: list[Classification],
    screening: ScreeningReport,
    groups: CountryGroups,
) -> OrderFacts:
    recipients = [p for p in order.parties if p.role in RECIPIENT_ROLES] or list(order.parties)
    end_user = order.party("end_user")
    if order.ship_from == order.ship_to.country:
        transaction = "in_country_transfer"
    elif order.ship_from == "US":
        transaction = "export_from_us"
    else:
        transaction = "reexport"
    # Where the items go: the ship-to, consignees and the end user (not the buyer's seat).
    destination = {order.ship_to.country} | {
        p.country for p in order.parties if p.role in DESTINATION_ROLES
    }
    day = order.date
    common: dict[str, Any] = {
        "order.date": order.date,
        "order.ship_from": order.ship_from,
        "order.ship_to": order.ship_to.country,
        "order.transaction": transaction,
        "order.end_use": order.end_use,
        "order.end_country": end_user.country if end_user else order.ship_to.country,
        "destination.groups": _union(groups.areas(c, day) for c in destination),
        "ship_from.groups": groups.areas(order.ship_from, day),
        "parties.sectors": frozenset(p.sector or UNKNOWN_SECTOR for p in recipients),
        "parties.hq_groups": _union(groups.areas(_hq(p), day) for p in recipients),
        "parties.hq_groups_abroad": _union(
            groups.areas(_hq(p), day) for p in recipients if _hq(p) != p.country
        ),
        "parties.lists": _union(s.lists for s in screening.parties),
        "parties.owner_lists": _union(s.owner_lists for s in screening.parties),
        "parties.roles": frozenset(p.role for p in order.parties),
        "parties.possible_matches": any(s.possible_matches for s in screening.parties),
        "parties.ownership_unknown": screening.performed
        and any(
            s.role in ("buyer", "end_user") and s.ownership is not None and not s.ownership["known"]
            for s in screening.parties
        ),
    }
    buyer = order.party("buyer")  # no buyer named: an empty set, nothing to flag
    common["buyer.groups"] = frozenset() if buyer is None else groups.areas(buyer.country, day)
    if end_user is not None:
        common["end_user.country"] = end_user.country
        common["end_user.sector"] = end_user.sector or UNKNOWN_SECTOR
        common["end_user.groups"] = groups.areas(end_user.country, day)
        common["order.ship_to_is_end_user_country"] = end_user.country == order.ship_to.country
    items = tuple(
        {**common, **_item_facts(line.quantity, line.value_usd, model, cls)}
        for line, model, cls in zip(order.items, models, classifications, strict=True)
    )
    return OrderFacts(tuple(classifications), screening, items)


def _item_facts(
    quantity: int, value: float | None, model: ChipModel, cls: Classification
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "item.model": model.id,
        "item.vendor": model.vendor,
        "item.family": model.family,
        "item.kind": model.kind,
        "item.market": model.market,
        "item.designer_country": model.designer_country,
        "item.fab_country": model.fab_country,
        "item.us_available_2026_01_15": model.us_available_2026_01_15,
        "item.eccn": cls.eccn,
        "item.tpp": cls.metrics.tpp,
        "item.pd": cls.metrics.pd,
        "item.memory_bandwidth_gbs": cls.facts.get("chip.memory_bandwidth_gbs"),
        "item.interconnect_gbs": cls.facts.get("chip.interconnect_gbs"),
        "item.quantity": quantity,
        "item.value_usd": value,
    }
    return {key: value for key, value in facts.items() if value is not None}


def _hq(party: Party) -> str:
    return party.headquarters or party.country


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    out: set[str] = set()
    for each in sets:
        out |= each
    return frozenset(out)
