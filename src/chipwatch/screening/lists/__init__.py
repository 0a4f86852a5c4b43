"""Official restricted-party list files -> ``ListEntry`` objects (pure functions, no I/O).

``parse_list(data, fmt)`` reads one list file (plus, for OFAC, its alias and address files)
and returns every entry, or rejects the file whole with ``InvalidInput`` naming the line and
field. ``sniff_format`` guesses the format from the first line and the file name.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from chipwatch.errors import InvalidInput
from chipwatch.screening.entries import SOURCES, ListEntry
from chipwatch.screening.lists import bis, csl, ofac

FORMATS: dict[str, str] = {
    "csl-csv": "trade.gov Consolidated Screening List, consolidated.csv (all 12 source lists)",
    "csl-json": 'trade.gov Consolidated Screening List, consolidated.json ({"results": [...]})',
    "ofac-sdn": "OFAC SDN list, sdn.csv (extra files: alt = alt.csv, add = add.csv)",
    "ofac-cons": "OFAC non-SDN consolidated list, cons_prim.csv (extra: alt, add)",
    "bis-dpl": "BIS Denied Persons List, tab-separated dpl.txt",
    "bis-el-ecfr": "BIS Entity List (Supp. 4 to Part 744) as CSV taken from the eCFR",
    "bis-meu-ecfr": "BIS Military End-User List (Supp. 7 to Part 744) as CSV from the eCFR",
}
EXTRA_FILES: dict[str, tuple[str, ...]] = {
    "ofac-sdn": ofac.EXTRA_FILES,
    "ofac-cons": ofac.EXTRA_FILES,
}


@dataclass(frozen=True, slots=True)
class ParsedList:
    """One parsed list file. ``ignored_rows``: rows of extra files that name no entry."""

    fmt: str
    sources: tuple[str, ...]
    entries: tuple[ListEntry, ...]
    sha256: str
    ignored_rows: dict[str, int] = field(default_factory=dict)


Parser = Callable[[bytes, str, Mapping[str, bytes]], tuple[tuple[ListEntry, ...], dict[str, int]]]

_PARSERS: dict[str, Parser] = {
    "csl-csv": lambda data, name, extra: (csl.parse_csv(data, name), {}),
    "csl-json": lambda data, name, extra: (csl.parse_json(data, name), {}),
    "ofac-sdn": lambda data, name, extra: ofac.parse(data, name, extra, consolidated=False),
    "ofac-cons": lambda data, name, extra: ofac.parse(data, name, extra, consolidated=True),
    "bis-dpl": lambda data, name, extra: (bis.parse_dpl(data, name), {}),
    "bis-el-ecfr": lambda data, name, extra: (bis.parse_ecfr(data, name, "EL"), {}),
    "bis-meu-ecfr": lambda data, name, extra: (bis.parse_ecfr(data, name, "MEU"), {}),
}


def parse_list(
    data: bytes, fmt: str, *, name: str = "<file>", extra: dict[str, bytes] | None = None
) -> ParsedList:
    """Every entry of one list file, or InvalidInput for the whole file."""
    if fmt not in FORMATS:
        known = ", ".join(FORMATS)
        raise InvalidInput(f"unknown list format {fmt!r} (known: {known})", field="format")
    extra = dict(extra or {})
    allowed = EXTRA_FILES.get(fmt, ())
    unknown = sorted(set(extra) - set(allowed))
    if unknown:
        expected = f"expected only {', '.join(allowed)}" if allowed else f"{fmt} takes none"
        raise InvalidInput(
            f"unexpected extra file(s) {', '.join(unknown)}; {expected}", field="extra", source=name
        )
    entries, ignored = _PARSERS[fmt](data, name, extra)
    if not entries:
        raise InvalidInput("the file holds no list entries", field="file", source=name)
    present = {entry.source for entry in entries}
    return ParsedList(
        fmt=fmt,
        sources=tuple(code for code in SOURCES if code in present),
        entries=entries,
        sha256=input_sha256(data, extra),
        ignored_rows=ignored,
    )


def input_sha256(data: bytes, extra: Mapping[str, bytes] | None = None) -> str:
    """SHA-256 of the file; with extra files, of ``name:sha256`` lines, main file first."""
    digest = hashlib.sha256(data).hexdigest()
    if not extra:
        return digest
    lines = [f"main:{digest}"]
    lines += [f"{key}:{hashlib.sha256(extra[key]).hexdigest()}" for key in sorted(extra)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def sniff_format(data: bytes, filename: str) -> str | None:
    """The format a file looks like, from its first line (and name where content can't tell)."""
    start = data[: 1 << 16].removeprefix(b"\xef\xbb\xbf").lstrip()
    if start[:1] in (b"{", b"["):
        return "csl-json"
    first = start.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip()
    lowered = filename.lower()
    if "\t" in first:
        cells = [c.strip() for c in next(csv.reader([first], delimiter="\t"))]
        return "bis-dpl" if cells == list(bis.DPL_COLUMNS) else None
    cells = [c.strip() for c in next(csv.reader([first]), [])]
    if set(csl.CSV_COLUMNS) <= set(cells):
        return "csl-csv"
    if cells == list(bis.ECFR_COLUMNS):
        return "bis-meu-ecfr" if "meu" in lowered or "military" in lowered else "bis-el-ecfr"
    if len(cells) == len(ofac.PRIMARY_COLUMNS) and cells[0].isdigit():
        return "ofac-cons" if "cons" in lowered else "ofac-sdn"
    return None
