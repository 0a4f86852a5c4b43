"""OFAC's legacy CSV files: ``sdn.csv`` / ``cons_prim.csv`` with their ``alt`` and ``add`` files.

No header; ``-0-`` means null; the official files end with a 0x1A (Ctrl-Z) line. Weak AKAs
are quoted in the Remarks field (``a.k.a. 'BNC'.``) rather than listed in alt.csv.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping

from chipwatch.screening.entries import Address, ListEntry
from chipwatch.screening.lists.countries import country_code, country_or_written
from chipwatch.screening.lists.reading import (
    Problems,
    check_width,
    csv_rows,
    decode,
    distinct_aliases,
    squash,
)

PRIMARY_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "Address", "City/State/Zip", "Country", "Add_remarks")
EXTRA_FILES = ("alt", "add")
NULL = "-0-"

SDN_TYPES = {"": "entity", "individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
ALT_TYPES = frozenset({"aka", "fka", "nka"})
SDN_LIST_URL = "https://sanctionslist.ofac.treas.gov/Home/SdnList"
CONSOLIDATED_LIST_URL = "https://sanctionslist.ofac.treas.gov/Home/ConsolidatedList"

# Non-SDN consolidated list: which list an entry is on, told by its programs (first match).
# The menu-based programs are those the NS-MBS entries carry; an entry with none of these
# programs stays NONSDN.
CONS_PROGRAM_SOURCES = (
    ("UKRAINE-EO13662", "SSI"),
    ("NS-PLC", "PLC"),
    ("CMIC-EO13959", "CMIC"),
    ("561-Related", "CAP"),
    ("HKAA", "MBS"),
    ("CAATSA - RUSSIA", "MBS"),
    ("BURMA-EO14014", "MBS"),
    ("ILLICIT-DRUGS-EO14059", "MBS"),
    ("RUSSIA-EO14024", "MBS"),
)

_QUOTED_AKA = re.compile(r"\b[afn]\.k\.a\.,?\s+'(.+?)'(?=\s*[;.,]|\s*$)")
_NATIONALITY = re.compile(r"\b(?:nationality|citizen)\s+([^;]+)", re.IGNORECASE)
_WEAK = re.compile(r"\bweak\b", re.IGNORECASE)

Row = tuple[int, dict[str, str]]


def parse(
    data: bytes, source: str, extra: Mapping[str, bytes], *, consolidated: bool
) -> tuple[tuple[ListEntry, ...], dict[str, int]]:
    """The entries, and how many alt/add rows named an ent_num with no primary row."""
    problems = Problems(source)
    primaries: dict[str, Row] = {}
    for line, record in _records(data, source, PRIMARY_COLUMNS, problems):
        ent_num = record["ent_num"].strip()
        if not ent_num.isdigit():
            problems.add(f"line {line}: ent_num", f"not a number: {ent_num!r}")
        elif ent_num in primaries:
            problems.add(f"line {line}: ent_num", f"{ent_num} repeats line {primaries[ent_num][0]}")
        else:
            primaries[ent_num] = (line, record)
        if not _value(record["SDN_Name"]):
            problems.add(f"line {line}: SDN_Name", "the name is empty")
        if _value(record["SDN_Type"]).casefold() not in SDN_TYPES:
            problems.add(f"line {line}: SDN_Type", f"unknown type {record['SDN_Type'].strip()!r}")
    problems.check()

    ignored: Counter[str] = Counter()
    alts: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    adds: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for key, columns, rows in (("alt", ALT_COLUMNS, alts), ("add", ADD_COLUMNS, adds)):
        if key not in extra:
            continue
        extra_source = f"{source} ({key})"
        extra_problems = Problems(extra_source)
        for line, record in _records(extra[key], extra_source, columns, extra_problems):
            if record["ent_num"].strip() not in primaries:
                ignored[key] += 1
            elif key == "alt" and not _alt_ok(line, record, extra_problems):
                continue
            else:
                rows[record["ent_num"].strip()].append(record)
        extra_problems.check()

    url = CONSOLIDATED_LIST_URL if consolidated else SDN_LIST_URL
    entries = tuple(
        _entry(record, alts[ent_num], adds[ent_num], consolidated, url)
        for ent_num, (_, record) in primaries.items()
    )
    return entries, dict(ignored)


def _records(data: bytes, source: str, columns: tuple[str, ...], problems: Problems) -> list[Row]:
    text = decode(data, source, cp1252_fallback=True).rstrip("\r\n\x1a")
    records: list[Row] = []
    for line, row in csv_rows(text, source):
        if check_width(line, row, len(columns), problems):
            records.append((line, dict(zip(columns, (cell.strip() for cell in row), strict=True))))
    if not records:
        problems.add("file", "no records")
    problems.check()
    return records


def _alt_ok(line: int, record: dict[str, str], problems: Problems) -> bool:
    if _value(record["alt_type"]).casefold() not in ALT_TYPES:
        problems.add(f"line {line}: alt_type", f"unknown alias type {record['alt_type']!r}")
    elif not _value(record["alt_name"]):
        problems.add(f"line {line}: alt_name", "the alias is empty")
    else:
        return True
    return False


def _entry(
    record: dict[str, str],
    alts: list[dict[str, str]],
    adds: list[dict[str, str]],
    consolidated: bool,
    url: str,
) -> ListEntry:
    name = _value(record["SDN_Name"])
    remarks = _value(record["Remarks"])
    quoted = [m.strip() for m in _QUOTED_AKA.findall(remarks)]
    weak_keys = {squash(q) for q in quoted}
    strong: list[str] = []
    weak: list[str] = list(quoted)
    for alt in alts:
        alias = _value(alt["alt_name"])
        is_weak = squash(alias) in weak_keys or _WEAK.search(alt["alt_remarks"]) is not None
        (weak if is_weak else strong).append(alias)
    addresses = tuple(a for a in (_address(row) for row in adds) if a != Address())
    countries = [code for a in addresses if (code := country_code(a.country))]
    for found in _NATIONALITY.findall(remarks):
        if code := country_code(found.strip().rstrip(".")):
            countries.append(code)
    programs = _programs(record["Program"])
    return ListEntry(
        source=_cons_source(programs) if consolidated else "SDN",
        entry_id=record["ent_num"],
        name=name,
        entity_type=SDN_TYPES[_value(record["SDN_Type"]).casefold()],
        aliases=distinct_aliases(name, strong),
        weak_aliases=distinct_aliases(name, weak),
        addresses=addresses,
        countries=tuple(dict.fromkeys(countries)),
        programs=programs,
        source_url=url,
        raw=record,
    )


def _address(row: dict[str, str]) -> Address:
    return Address(
        address=_value(row["Address"]),
        city=_value(row["City/State/Zip"]),
        country=country_or_written(_value(row["Country"])),
    )


def _programs(text: str) -> tuple[str, ...]:
    """``NPWMD] [IFSR`` (the file's way of writing two programs) -> (NPWMD, IFSR)."""
    parts = (part.strip(" []") for part in re.split(r"\]\s*\[", _value(text)))
    return tuple(dict.fromkeys(part for part in parts if part))


def _cons_source(programs: tuple[str, ...]) -> str:
    if any(p.startswith("FSE-") for p in programs):
        return "FSE"
    for program, code in CONS_PROGRAM_SOURCES:
        if program in programs:
            return code
    return "NONSDN"


def _value(cell: str) -> str:
    cell = cell.strip()
    return "" if cell == NULL else cell
