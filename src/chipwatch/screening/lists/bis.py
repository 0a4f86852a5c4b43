"""BIS lists: the Denied Persons List file, and Entity / MEU lists taken from the eCFR text."""

from __future__ import annotations

import datetime as dt

from chipwatch.screening.entries import Address, ListEntry
from chipwatch.screening.lists.countries import country_code, country_or_written
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

DPL_COLUMNS = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)
ECFR_COLUMNS = (
    "name",
    "aliases",
    "country",
    "address",
    "federal_register",
    "license_requirement_or_note_trunc200",
)
DPL_URL = "https://www.bis.gov/licensing/end-user-guidance/denied-persons-list-dpl"
ECFR_URLS = {
    "EL": "https://www.bis.gov/regulations/ear/744#supplement-4-744",
    "MEU": "https://www.bis.gov/regulations/ear/744#supplement-7-744",
}


def parse_dpl(data: bytes, source: str) -> tuple[ListEntry, ...]:
    """Tab-separated, one row per (person, address); the list numbers nothing."""
    problems = Problems(source)
    rows = csv_rows(decode(data, source), source, delimiter="\t")
    header = read_header(rows, DPL_COLUMNS, problems)
    unique = UniqueIds()
    entries: list[ListEntry] = []
    for line, row in rows:
        if not check_width(line, row, len(header), problems):
            continue
        record = {column: cell.strip() for column, cell in zip(header, row, strict=True)}
        name = record["Name"]
        if not name:
            problems.add(f"line {line}: Name", "the name is empty")
            continue
        address = Address(
            address=record["Street_Address"],
            city=record["City"],
            state=record["State"],
            postal_code=record["Postal_Code"],
            country=country_or_written(record["Country"]),
        )
        code = country_code(record["Country"])
        entries.append(
            ListEntry(
                source="DPL",
                entry_id=unique("DPL", short_hash(name)),
                name=name,
                addresses=(address,) if address != Address() else (),
                countries=(code,) if code else (),
                federal_register_notice=record["FR_Citation"],
                start_date=_iso_date(record["Effective_Date"]),
                source_url=DPL_URL,
                raw=record,
            )
        )
    problems.check()
    return tuple(entries)


def parse_ecfr(data: bytes, source: str, list_code: str) -> tuple[ListEntry, ...]:
    """Entity List (Supp. 4 to Part 744) or MEU list (Supp. 7) rows taken from the eCFR."""
    problems = Problems(source)
    rows = csv_rows(decode(data, source), source)
    header = read_header(rows, ECFR_COLUMNS, problems)
    unique = UniqueIds()
    entries: list[ListEntry] = []
    for line, row in rows:
        if not check_width(line, row, len(header), problems):
            continue
        record = {column: cell.strip() for column, cell in zip(header, row, strict=True)}
        name = record["name"]
        if not name:
            problems.add(f"line {line}: name", "the name is empty")
            continue
        country = record["country"]
        code = country_code(country)
        address = Address(address=record["address"], country=country_or_written(country))
        # In the MEU file the last column holds notes ("Subordinate institution of ...").
        requirement = record[ECFR_COLUMNS[-1]] if list_code == "EL" else ""
        entries.append(
            ListEntry(
                source=list_code,
                entry_id=unique(list_code, short_hash(name)),
                name=name,
                aliases=distinct_aliases(name, split_list(record["aliases"])),
                addresses=(address,) if address != Address() else (),
                countries=(code,) if code else (),
                license_requirement=requirement,
                federal_register_notice=record["federal_register"],
                source_url=ECFR_URLS[list_code],
                raw=record,
            )
        )
    problems.check()
    return tuple(entries)


def _iso_date(text: str) -> str:
    """``06/19/2003`` -> ``2003-06-19``; anything else as written."""
    try:
        return dt.datetime.strptime(text, "%m/%d/%Y").date().isoformat()
    except ValueError:
        return text
