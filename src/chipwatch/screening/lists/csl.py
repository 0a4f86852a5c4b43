"""The trade.gov Consolidated Screening List: ``consolidated.csv`` and ``consolidated.json``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from chipwatch.errors import InvalidInput
from chipwatch.screening.entries import Address, ListEntry
from chipwatch.screening.lists.countries import (
    country_code,
    country_or_written,
    is_code,
    is_region,
)
from chipwatch.screening.lists.reading import (
    Problems,
    UniqueIds,
    check_width,
    csv_rows,
    decode,
    distinct_aliases,
    read_header,
    short_hash,
    split_list,
)

# The older layout; the current one adds a leading ``_id`` (trade.gov's, not stable).
CSV_COLUMNS = (
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
)

# The abbreviation in brackets in the CSL's source names, e.g.
# "Military End User (MEU) List - Bureau of Industry and Security" -> MEU.
ABBREVIATIONS = {
    "EL": "EL",
    "MEU": "MEU",
    "UVL": "UVL",
    "DPL": "DPL",
    "SDN": "SDN",
    "SSI": "SSI",
    "FSE": "FSE",
    "PLC": "PLC",
    "CAP": "CAP",
    "CMIC": "CMIC",
    "NS-MBS": "MBS",
    "MBS": "MBS",
    "ISN": "ISN",
    "DTC": "DTC",
    "NS-ISA": "NONSDN",  # Non-SDN Iranian Sanctions Act list, in older files
}
_LONE_CODE = re.compile(r"[A-Z]{2}")  # a code ISO withdrew or never had, e.g. AN
_ABBREVIATION = re.compile(r"\(([A-Z][A-Z-]*)(?: List)?\)")

ENTITY_TYPES = {
    "": "unknown",
    "entity": "entity",
    "individual": "individual",
    "vessel": "vessel",
    "aircraft": "aircraft",
}


@lru_cache(maxsize=256)
def source_code(long_name: str) -> str | None:
    """The SOURCES code for a CSL source name, or None if it names no list we know."""
    found = _ABBREVIATION.search(long_name)
    return ABBREVIATIONS.get(found.group(1)) if found else None


def parse_csv(data: bytes, source: str) -> tuple[ListEntry, ...]:
    problems = Problems(source)
    rows = csv_rows(decode(data, source), source)
    header = read_header(rows, CSV_COLUMNS, problems, optional=("_id",))
    at = {column: i for i, column in enumerate(header)}
    unique = UniqueIds()
    entries: list[ListEntry] = []
    for line, row in rows:
        if not check_width(line, row, len(header), problems):
            continue
        record = dict(zip(header, row, strict=True))
        where = f"line {line}"
        code = _source(where, row[at["source"]], problems)
        entity_type = _entity_type(where, row[at["type"]], problems)
        name = row[at["name"]].strip()
        if not name:
            problems.add(f"{where}: name", "the name is empty")
        if code is None or entity_type is None or not name:
            continue
        address_text = row[at["addresses"]].strip()
        addresses = tuple(_address(text) for text in split_list(address_text))
        people = (*split_list(row[at["citizenships"]]), *split_list(row[at["nationalities"]]))
        number = row[at["entity_number"]].strip()
        entry_id = number or short_hash(name)  # an address amendment is a change, not a new entry
        entries.append(
            ListEntry(
                source=code,
                entry_id=unique(code, entry_id),
                name=name,
                entity_type=entity_type,
                aliases=distinct_aliases(name, split_list(row[at["alt_names"]])),
                addresses=addresses,
                countries=_countries(addresses, people),
                programs=split_list(row[at["programs"]]),
                license_requirement=row[at["license_requirement"]].strip(),
                license_policy=row[at["license_policy"]].strip(),
                federal_register_notice=row[at["federal_register_notice"]].strip(),
                start_date=row[at["start_date"]].strip(),
                source_url=(
                    row[at["source_list_url"]] or row[at["source_information_url"]]
                ).strip(),
                raw=record,
            )
        )
    problems.check()
    return tuple(entries)


def parse_json(data: bytes, source: str) -> tuple[ListEntry, ...]:
    text = decode(data, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"invalid JSON: {exc.msg} (column {exc.colno})",
            field=f"line {exc.lineno}",
            source=source,
        ) from None
    results = document.get("results") if isinstance(document, dict) else document
    if not isinstance(results, list):
        raise InvalidInput('expected {"results": [...]}', field="results", source=source)
    problems = Problems(source)
    unique = UniqueIds()
    entries: list[ListEntry] = []
    for i, record in enumerate(results):
        where = f"results[{i}]"
        if not isinstance(record, dict):
            problems.add(where, "expected an object")
            continue
        entry = _json_entry(where, record, problems, unique)
        if entry is not None:
            entries.append(entry)
    problems.check()
    return tuple(entries)


def _json_entry(
    where: str, record: dict[str, Any], problems: Problems, unique: UniqueIds
) -> ListEntry | None:
    code = _source(where, _text(record.get("source")), problems)
    entity_type = _entity_type(where, _text(record.get("type")), problems)
    name = _text(record.get("name"))
    if not name:
        problems.add(f"{where}: name", "the name is empty")
    raw_addresses = record.get("addresses") or []
    if not isinstance(raw_addresses, list):
        raw_addresses = [raw_addresses]
    if code is None or entity_type is None or not name:
        return None
    addresses = tuple(_json_address(each) for each in raw_addresses)
    people = (*_items(record.get("citizenships")), *_items(record.get("nationalities")))
    entry_id = _text(record.get("entity_number")) or short_hash(name)
    return ListEntry(
        source=code,
        entry_id=unique(code, entry_id),
        name=name,
        entity_type=entity_type,
        aliases=distinct_aliases(name, _items(record.get("alt_names"))),
        addresses=addresses,
        countries=_countries(addresses, people),
        programs=_items(record.get("programs")),
        license_requirement=_text(record.get("license_requirement")),
        license_policy=_text(record.get("license_policy")),
        federal_register_notice=_text(record.get("federal_register_notice")),
        start_date=_text(record.get("start_date")),
        source_url=_text(record.get("source_list_url") or record.get("source_information_url")),
        raw=record,
    )


def _source(where: str, text: str, problems: Problems) -> str | None:
    code = source_code(text.strip())
    if code is None:
        problems.add(f"{where}: source", f"unknown list source {text.strip()!r}")
    return code


def _entity_type(where: str, text: str, problems: Problems) -> str | None:
    entity_type = ENTITY_TYPES.get(text.strip().casefold())
    if entity_type is None:
        known = ", ".join(t.title() for t in ENTITY_TYPES if t)
        problems.add(f"{where}: type", f"unknown type {text.strip()!r} (known: {known})")
    return entity_type


def _address(text: str) -> Address:
    """One CSL address, "street, city, state, postal code, CC" with blanks left out."""
    text = text.strip()
    # a lone country (code, name or region), as in files that keep only countries
    if country_code(text) or is_region(text) or _LONE_CODE.fullmatch(text):
        return Address(country=country_or_written(text))
    head, _, last = text.rpartition(",")
    if head and is_code(last.strip()):
        return Address(address=head.strip(), country=last.strip())
    return Address(address=text)


def _json_address(value: Any) -> Address:
    if not isinstance(value, dict):
        return _address(_text(value))
    return Address(
        address=_text(value.get("address")),
        city=_text(value.get("city")),
        state=_text(value.get("state")),
        postal_code=_text(value.get("postal_code") or value.get("postalCode")),
        country=country_or_written(_text(value.get("country"))),
    )


def _address_text(address: Address) -> str:
    parts = (address.address, address.city, address.state, address.postal_code, address.country)
    return ", ".join(part for part in parts if part)


def _countries(addresses: Iterable[Address], people: Iterable[str]) -> tuple[str, ...]:
    codes = [code for a in addresses if (code := country_code(a.country))]
    for text in people:  # a code or name each; some files put several in one, comma-separated
        found = country_code(text)
        parts = [found] if found else [country_code(part) for part in text.split(",")]
        codes += [code for code in parts if code]
    return tuple(dict.fromkeys(codes))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value if v is not None)
    return str(value).strip()


def _items(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(dict.fromkeys(t for v in value if (t := _text(v))))
    return split_list(_text(value))
