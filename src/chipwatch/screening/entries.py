"""One restricted-party list entry, as every list parser produces it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

# Short codes of the list sources chipwatch knows. The CSL's long source names map to these.
SOURCES: dict[str, str] = {
    "EL": "Entity List (BIS)",
    "MEU": "Military End-User List (BIS)",
    "UVL": "Unverified List (BIS)",
    "DPL": "Denied Persons List (BIS)",
    "SDN": "Specially Designated Nationals (OFAC)",
    "NONSDN": "OFAC non-SDN consolidated lists",
    "SSI": "Sectoral Sanctions Identifications (OFAC)",
    "FSE": "Foreign Sanctions Evaders (OFAC)",
    "PLC": "Palestinian Legislative Council (OFAC)",
    "CAP": "Correspondent Account or Payable-Through Account Sanctions (OFAC)",
    "CMIC": "Non-SDN Chinese Military-Industrial Complex Companies (OFAC)",
    "MBS": "Non-SDN Menu-Based Sanctions (OFAC)",
    "ISN": "Nonproliferation Sanctions (State)",
    "DTC": "ITAR Debarred (State)",
}

ENTITY_TYPES = ("entity", "individual", "vessel", "aircraft", "unknown")


@dataclass(frozen=True, slots=True)
class Address:
    address: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 where known, else as written


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A list entry with everything screening and the officer need, plus the raw record.

    ``entry_id`` is stable within its source (CSL entity_number / OFAC ent_num / a hash of the
    name for lists that number nothing). ``weak_aliases`` (OFAC "weak AKAs") are kept and shown
    but never make a match on their own.
    """

    source: str  # a key of SOURCES
    entry_id: str
    name: str
    entity_type: str = "unknown"  # one of ENTITY_TYPES
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    countries: tuple[str, ...] = ()  # ISO alpha-2, from addresses, citizenships, nationalities
    programs: tuple[str, ...] = ()
    license_requirement: str = ""
    license_policy: str = ""
    federal_register_notice: str = ""
    start_date: str = ""
    source_url: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.entry_id}"

    def content(self) -> dict[str, Any]:
        """Everything but the raw record, as plain JSON values."""
        return {
            "source": self.source,
            "entry_id": self.entry_id,
            "name": self.name,
            "entity_type": self.entity_type,
            "aliases": list(self.aliases),
            "weak_aliases": list(self.weak_aliases),
            "addresses": [
                {
                    "address": a.address,
                    "city": a.city,
                    "state": a.state,
                    "postal_code": a.postal_code,
                    "country": a.country,
                }
                for a in self.addresses
            ],
            "countries": list(self.countries),
            "programs": list(self.programs),
            "license_requirement": self.license_requirement,
            "license_policy": self.license_policy,
            "federal_register_notice": self.federal_register_notice,
            "start_date": self.start_date,
            "source_url": self.source_url,
        }

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical content: equal hashes mean an unchanged entry."""
        blob = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    @classmethod
    def from_content(cls, data: dict[str, Any], raw: dict[str, Any] | None = None) -> ListEntry:
        return cls(
            source=data["source"],
            entry_id=data["entry_id"],
            name=data["name"],
            entity_type=data.get("entity_type", "unknown"),
            aliases=tuple(data.get("aliases", ())),
            weak_aliases=tuple(data.get("weak_aliases", ())),
            addresses=tuple(Address(**a) for a in data.get("addresses", ())),
            countries=tuple(data.get("countries", ())),
            programs=tuple(data.get("programs", ())),
            license_requirement=data.get("license_requirement", ""),
            license_policy=data.get("license_policy", ""),
            federal_register_notice=data.get("federal_register_notice", ""),
            start_date=data.get("start_date", ""),
            source_url=data.get("source_url", ""),
            raw=dict(raw or {}),
        )
