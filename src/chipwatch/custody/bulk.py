"""Bulk import of chip inventories from CSV (``serial,model,licence,order,state,site``).

One transaction: every row is checked first (a bad file is rejected whole, each problem
naming its line and column), then chips and one ``imported`` event each are inserted in
batches, with ONE audit record for the file (its SHA-256 and the count).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from chipwatch import service
from chipwatch.custody.chips import MAX_SERIAL
from chipwatch.custody.model import Chip, ChipEvent, Site
from chipwatch.custody.states import STATES
from chipwatch.errors import InvalidInput
from chipwatch.licensing.model import Licence
from chipwatch.store import Database, audit

COLUMNS = ("serial", "model", "licence", "order", "state", "site")
REQUIRED = ("serial", "model")
BATCH = 20_000
MAX_ERRORS = 20
_SPACE = re.compile(r"\s")
Progress = Callable[[int, int], None]  # (rows done, rows in all)
# Core tables: every row with the same keys is one executemany (the ORM bulk path splits them).
CHIPS = cast(Table, Chip.__table__)
EVENTS = cast(Table, ChipEvent.__table__)


@dataclass(frozen=True, slots=True)
class ImportResult:
    count: int
    sha256: str
    audit_seq: int

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "sha256": self.sha256, "audit_seq": self.audit_seq}


Row = tuple[int, str, str, str | None, str | None, str, str | None]  # line, serial, model id, …


def import_chips(
    db: Database, path: Path, actor: str, *, progress: Progress | None = None
) -> ImportResult:
    """Register every chip of the file, or none (``InvalidInput`` naming lines and columns)."""
    if not actor.strip():
        raise InvalidInput("an actor is required", field="actor")
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", source=source) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", source=source) from None
    digest = hashlib.sha256(data).hexdigest()
    with db.transaction() as session:
        checker = _Checker(session, source)
        total = checker.check_all(text)
        record = audit.append(
            session,
            actor=actor,
            action="custody.import",
            subject=path.name,
            payload={"file": path.name, "sha256": digest, "count": total},
            versions={"catalog": service.default().catalog.version},
        )
        now = dt.datetime.now(dt.UTC)
        done = 0
        for batch in _batches(checker.rows(text), BATCH):
            _insert(session, batch, actor, now, record.seq)
            done += len(batch)
            if progress is not None:
                progress(done, total)
    return ImportResult(total, digest, record.seq)


class _Checker:
    """Checks every row against the catalog, the recorded sites, licences and chips."""

    def __init__(self, session: Session, source: str):
        self.session = session
        self.source = source
        self.sites = set(session.scalars(select(Site.id)))
        self.licences = set(session.scalars(select(Licence.number)))
        self.catalog = service.default().catalog
        self.models: dict[str, str | None] = {}
        self.errors: list[dict[str, str]] = []

    def check_all(self, text: str) -> int:
        seen: dict[str, int] = {}
        pending: list[tuple[int, str]] = []
        count = 0
        for row in self.rows(text, check=True):
            count += 1
            line, serial = row[0], row[1]
            if serial in seen:
                self._error(line, "serial", f"'{serial}' is also on line {seen[serial]}")
            seen.setdefault(serial, line)
            pending.append((line, serial))
            if len(pending) >= 5_000:
                self._known(pending)
                pending = []
        self._known(pending)
        if not count and not self.errors:
            self.errors.append({"field": "line 2", "problem": "the file has no chips"})
        self._raise()
        return count

    def rows(self, text: str, *, check: bool = False) -> Iterator[Row]:
        reader = csv.reader(io.StringIO(text))
        header = [h.strip().lower() for h in next(reader, [])]
        if check:
            self._header(header)
        index = {name: header.index(name) for name in COLUMNS if name in header}
        width = len(header)
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if check and len(fields) != width:
                self._error(line, "row", f"has {len(fields)} columns, the header {width}")
                continue
            values = {n: (fields[i].strip() or None) for n, i in index.items()}
            row = self._row(line, values) if check else self._fast(line, values)
            if row is not None:
                yield row

    def _header(self, header: list[str]) -> None:
        unknown = [h for h in header if h not in COLUMNS]
        missing = [c for c in REQUIRED if c not in header]
        if unknown or missing:
            problem = f"columns are {', '.join(COLUMNS)} (serial and model required)"
            if missing:
                problem += f"; missing {', '.join(missing)}"
            if unknown:
                problem += f"; unknown {', '.join(unknown)}"
            self.errors.append({"field": "line 1", "problem": problem})
            self._raise()

    def _row(self, line: int, v: dict[str, str | None]) -> Row | None:
        ok = True
        serial = v.get("serial") or ""
        if not serial or len(serial) > MAX_SERIAL or _SPACE.search(serial):
            ok = self._error(line, "serial", f"1–{MAX_SERIAL} characters without spaces")
        model = self._model(v.get("model"))
        if model is None:
            ok = self._error(line, "model", f"unknown accelerator model {v.get('model')!r}")
        state = v.get("state") or "manufactured"
        if state not in STATES:
            ok = self._error(line, "state", f"'{state}' is not one of {', '.join(STATES)}")
        site, licence = v.get("site"), v.get("licence")
        if site is not None and site not in self.sites:
            ok = self._error(line, "site", f"no site '{site}' is recorded")
        if licence is not None and licence not in self.licences:
            ok = self._error(line, "licence", f"no licence '{licence}' is recorded")
        if not ok or model is None:
            return None
        return (line, serial, model, licence, v.get("order"), state, site)

    def _fast(self, line: int, v: dict[str, str | None]) -> Row:
        model = self.models[v["model"] or ""]
        assert model is not None and v["serial"] is not None
        state = v.get("state") or "manufactured"
        return (line, v["serial"], model, v.get("licence"), v.get("order"), state, v.get("site"))

    def _model(self, name: str | None) -> str | None:
        key = name or ""
        if key not in self.models:
            found = self.catalog.find(key) if key else None
            self.models[key] = None if found is None else found.id
        return self.models[key]

    def _known(self, pending: list[tuple[int, str]]) -> None:
        if not pending:
            return
        lines = dict((serial, line) for line, serial in pending)
        for serial in self.session.scalars(select(Chip.serial).where(Chip.serial.in_(lines))):
            self._error(lines[serial], "serial", f"chip {serial} is already registered")

    def _error(self, line: int, column: str, problem: str) -> bool:
        self.errors.append({"field": f"line {line}: {column}", "problem": problem})
        if len(self.errors) >= MAX_ERRORS:
            self._raise()
        return False

    def _raise(self) -> None:
        if self.errors:
            errors = self.errors
            if len(errors) >= MAX_ERRORS:
                errors = [*errors, {"field": "file", "problem": "stopped after 20 problems"}]
            raise InvalidInput.from_errors(errors, source=self.source)


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(
    session: Session, batch: list[Row], actor: str, now: dt.datetime, audit_seq: int
) -> None:
    connection = session.connection()
    chips = _Writer(connection, CHIPS)
    chips.write(
        (serial, model, licence, order, None, site, state, None, None, None, 1, now)
        for _, serial, model, licence, order, state, site in batch
    )
    events = _Writer(connection, EVENTS)
    events.write(
        (serial, 1, "imported", None, state, actor, now, None, {"line": line}, None, audit_seq)
        for line, serial, _, _, _, state, _ in batch
    )


class _Writer:
    """A plain DBAPI executemany of pre-converted rows: SQLAlchemy's per-row parameter work
    is most of the cost of a million-row insert. Rows list the columns after ``id``."""

    def __init__(self, connection: Connection, table: Table):
        self.connection = connection
        dialect = connection.dialect
        columns = [c for c in table.columns if c.name != "id"]
        self.processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(c.name for c in columns)
        self.sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([mark] * len(columns))})"

    def write(self, rows: Iterable[tuple[Any, ...]]) -> None:
        active = [(i, p) for i, p in enumerate(self.processors) if p is not None]
        memo: dict[tuple[int, Any], Any] = {}  # the same instant is converted once
        converted = []
        for row in rows:
            values = list(row)
            for i, process in active:
                value = values[i]
                if value is None:
                    continue
                if isinstance(value, dict):
                    values[i] = process(value)
                    continue
                key = (i, value)
                if key not in memo:
                    memo[key] = process(value)
                values[i] = memo[key]
            converted.append(tuple(values))
        self.connection.exec_driver_sql(self.sql, converted)
