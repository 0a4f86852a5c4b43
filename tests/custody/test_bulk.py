"""Bulk import: a thousand chips in one transaction with one audit record; a bad file is
rejected whole, each problem naming its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from chipwatch.custody import bulk, chips
from chipwatch.custody.model import Chip, ChipEvent
from chipwatch.errors import InvalidInput
from chipwatch.store import Database, audit
from tests.custody.custody_fixture import TESTED, chip_at, setup

HEADER = "serial,model,licence,order,state,site\n"


def _count(db: Database, model: type[Chip] | type[ChipEvent]) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_thousand_chips_in_one_go(database: Database, tmp_path: Path) -> None:
    setup(database)
    rows = [
        f"H200-{n:05d},{'NVIDIA H200' if n % 2 else 'nvidia-h200-sxm-141gb'},{TESTED},"
        f"PO-{n // 100},{'installed' if n % 3 else ''},{'kul-1' if n % 3 else ''}\n"
        for n in range(1000)
    ]
    path = tmp_path / "chips.csv"
    path.write_text(HEADER + "".join(rows))
    seen: list[tuple[int, int]] = []
    result = bulk.import_chips(database, path, "alice", progress=lambda d, t: seen.append((d, t)))
    assert result.count == 1000 and seen[-1] == (1000, 1000)
    assert _count(database, Chip) == 1000 and _count(database, ChipEvent) == 1000
    with database.session() as session:
        chip = chips.get_chip(session, "H200-00001")
        assert (chip.state, chip.site_id, chip.model) == (
            "installed",
            "kul-1",
            "nvidia-h200-sxm-141gb",
        )
        assert chip.licence_number == TESTED and chip.order_id == "PO-0"
        assert chips.get_chip(session, "H200-00000").state == "manufactured"
        timeline = chips.timeline(session, "H200-00001")["timeline"]
        assert [(e["event"], e["evidence"]) for e in timeline] == [("imported", {"line": 3})]
        records = audit.list_records(session, action="custody.import")
        assert len(records) == 1 and records[0].payload["sha256"] == result.sha256
        assert records[0].payload["count"] == 1000
        assert audit.verify(session).ok


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ("H-1,NVIDIA H200,,,,\nH-2,Nope 9000,,,,\n", ["line 4: model"]),
        ("H-1,NVIDIA H200,,,lost,\n", ["line 3: state"]),
        ("H-1,NVIDIA H200,X-9,,,mars\n", ["line 3: site", "line 3: licence"]),
        ("H-1,NVIDIA H200,,,,\nH-1,NVIDIA H200,,,,\n", ["line 4: serial"]),
        ("H 1,NVIDIA H200,,,,\nH-2,NVIDIA H200,,\n", ["line 3: serial", "line 4: row"]),
        ("H-0,NVIDIA H200,,,,\n", ["line 3: serial"]),  # already registered
    ],
)
def test_a_bad_file_is_rejected_whole(
    sqlite_database: Database, tmp_path: Path, body: str, fields: list[str]
) -> None:
    setup(sqlite_database)
    chip_at(sqlite_database, "H-0", "manufactured")
    path = tmp_path / "chips.csv"
    path.write_text(HEADER + "H-OK,NVIDIA H200,,,,\n" + body)
    with pytest.raises(InvalidInput) as bad:
        bulk.import_chips(sqlite_database, path, "alice")
    assert [e["field"] for e in bad.value.errors] == fields
    assert bad.value.source == str(path)
    assert _count(sqlite_database, Chip) == 1


def test_a_wrong_header_is_named(sqlite_database: Database, tmp_path: Path) -> None:
    path = tmp_path / "chips.csv"
    path.write_text("serial,colour\nH-1,red\n")
    with pytest.raises(InvalidInput, match="missing model; unknown colour") as bad:
        bulk.import_chips(sqlite_database, path, "alice")
    assert bad.value.field == "line 1"
