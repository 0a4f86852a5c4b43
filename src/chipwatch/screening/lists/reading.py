"""What every list parser shares: decoding, CSV rows with line numbers, errors, stable ids."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from chipwatch.errors import InvalidInput

MAX_PROBLEMS = 20  # a file this broken is the wrong file; listing more does not help


class Problems:
    """Collects problems in one file; ``check`` raises them all as one InvalidInput."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[dict[str, str]] = []

    def add(self, field: str, problem: str) -> None:
        self.errors.append({"field": field, "problem": problem})
        if len(self.errors) >= MAX_PROBLEMS:
            self.errors.append({"field": "file", "problem": f"stopped after {MAX_PROBLEMS}"})
            self.check()

    def check(self) -> None:
        if self.errors:
            raise InvalidInput.from_errors(self.errors, source=self.source)


def decode(data: bytes, source: str, *, cp1252_fallback: bool = False) -> str:
    """UTF-8 (a BOM is dropped); with ``cp1252_fallback`` (OFAC files) Windows-1252 next."""
    if not data.strip(b" \t\r\n\x1a"):
        raise InvalidInput("the file is empty", field="file", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if cp1252_fallback:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                pass
        line = data.count(b"\n", 0, exc.start) + 1
        how = "neither UTF-8 nor Windows-1252" if cp1252_fallback else "not valid UTF-8"
        raise InvalidInput(
            f"{how}: byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
            field=f"line {line}",
            source=source,
        ) from None


def csv_rows(text: str, source: str, *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Each non-blank CSV record with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(f"malformed CSV: {exc}", field=f"line {start}", source=source) from None


def read_header(
    rows: Iterator[tuple[int, list[str]]],
    required: Sequence[str],
    problems: Problems,
    *,
    optional: Iterable[str] = (),
    allow_extra: bool = False,
) -> list[str]:
    """The header row, checked: every required column present, no unknown ones."""
    first = next(rows, None)
    if first is None:
        raise InvalidInput("the file is empty", field="file", source=problems.source)
    line, header = first
    header = [column.strip() for column in header]
    missing = [column for column in required if column not in header]
    known = {*required, *optional}
    unknown = [] if allow_extra else [column for column in header if column not in known]
    duplicated = sorted(column for column, n in Counter(header).items() if n > 1)
    for what, columns in (("missing", missing), ("unknown", unknown), ("repeated", duplicated)):
        if columns:
            problems.add(f"line {line}: header", f"{what} column(s): {', '.join(columns)}")
    problems.check()
    return header


def check_width(line: int, row: list[str], width: int, problems: Problems) -> bool:
    if len(row) == width:
        return True
    problems.add(f"line {line}", f"expected {width} columns, found {len(row)}")
    return False


def split_list(text: str, separator: str = ";") -> tuple[str, ...]:
    """Split a ``; ``-separated cell; blanks and repeats dropped, order kept."""
    if not text:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in text.split(separator) if part.strip()))


def distinct_aliases(name: str, aliases: Iterable[str]) -> tuple[str, ...]:
    """Aliases without blanks, repeats, or spellings of the main name (case aside)."""
    seen = {squash(name)}
    kept: list[str] = []
    for alias in aliases:
        key = squash(alias)
        if key and key not in seen:
            seen.add(key)
            kept.append(alias.strip())
    return tuple(kept)


def squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def short_hash(*parts: str) -> str:
    """A short stable id for lists that number nothing (case and spacing ignored)."""
    blob = "\x1f".join(squash(part) for part in parts)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class UniqueIds:
    """Makes hashed ids unique within a source: a repeat gets ``-2``, ``-3``... in file order."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def __call__(self, source: str, entry_id: str) -> str:
        self._seen[f"{source}:{entry_id}"] += 1
        n = self._seen[f"{source}:{entry_id}"]
        return entry_id if n == 1 else f"{entry_id}-{n}"
