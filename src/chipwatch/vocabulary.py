"""The closed vocabularies of an order, shared by the order schema and the rule facts."""

from __future__ import annotations

from typing import Literal, get_args

EndUse = Literal[
    "commercial_training",
    "commercial_inference",
    "research",
    "military",
    "public_sector",
    "supercomputer",
    "advanced_ic_production",
    "unknown",
]
Role = Literal["buyer", "consignee", "end_user", "intermediate_consignee", "forwarder"]
Sector = Literal["private", "state_owned", "public", "military", "university", "cloud_provider"]
# Restricted-party list codes, as the Consolidated Screening List names its sources.
ListCode = Literal[
    "entity_list",
    "meu",
    "sdn",
    "dpl",
    "uvl",
    "isn",
    "ssi",
    "cmic",
    "dtc",
    "plc",
    "mbs",
    "fse",
    "cap",
    "nonsdn",
]
Transaction = Literal["export_from_us", "reexport", "in_country_transfer"]

END_USES: frozenset[str] = frozenset(get_args(EndUse))
ROLES: frozenset[str] = frozenset(get_args(Role))
SECTORS: frozenset[str] = frozenset(get_args(Sector))
LIST_CODES: frozenset[str] = frozenset(get_args(ListCode))
TRANSACTIONS: frozenset[str] = frozenset(get_args(Transaction))
