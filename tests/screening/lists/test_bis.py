"""BIS lists: Denied Persons List (dpl.txt) and Entity / MEU lists taken from the eCFR."""

from __future__ import annotations

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.screening.entries import Address
from chipwatch.screening.lists import parse_list, sniff_format
from tests.screening.lists import fixture, shared


def test_dpl_entries() -> None:
    parsed = parse_list(fixture("dpl.txt"), "bis-dpl", name="dpl.txt")
    first, second, third, fourth = parsed.entries
    assert parsed.sources == ("DPL",)
    assert first.name == "JOHN Q. EXAMPLE"
    assert first.addresses == (
        Address(address="100 MAIN STREET", city="SPRINGFIELD", state="IL", postal_code="62701"),
    )
    assert first.countries == ()  # the file leaves Country empty; we don't guess
    assert second.countries == ("US",)
    assert first.entry_id != second.entry_id  # one entry per (name, address)
    assert (first.start_date, first.federal_register_notice) == (
        "2023-01-03",
        "88 F.R. 1000 1/3/2023",
    )
    assert first.raw["Expiration_Date"] == "01/03/2033"
    assert fourth.entry_id == f"{third.entry_id}-2"  # same name and address twice


def test_dpl_id_matches_the_csl_copy_of_the_same_row() -> None:
    dpl = parse_list(fixture("dpl.txt"), "bis-dpl").entries[0]
    csl = parse_list(fixture("csl_current.csv"), "csl-csv").entries
    [same] = [e for e in csl if e.source == "DPL"]
    assert same.key == dpl.key


@pytest.mark.parametrize(
    ("fixture_name", "fmt", "expected"),
    [
        (
            "el_ecfr.csv",
            "bis-el-ecfr",
            [
                ("EL", "Nimbus Photonics Co. Ltd.", ("CN",), 2),
                ("EL", "Nimbus Photonics Co. Ltd.", ("HK",), 0),
                ("EL", "Sample Aviation Parts LLC", ("UA",), 0),  # Crimea Region of Ukraine
                ("EL", "Example Trading Co.", (), 1),  # unknown country kept, not coded
            ],
        ),
        (
            "meu_ecfr.csv",
            "bis-meu-ecfr",
            [
                ("MEU", "Red Valley Aero Institute", ("CN",), 0),
                ("MEU", "Blue River Engine Co., Ltd.", ("CN",), 1),
            ],
        ),
    ],
)
def test_ecfr_entries(
    fixture_name: str, fmt: str, expected: list[tuple[str, str, tuple[str, ...], int]]
) -> None:
    parsed = parse_list(fixture(fixture_name), fmt)
    got = [(e.source, e.name, e.countries, len(e.aliases)) for e in parsed.entries]
    assert got == expected
    assert len({e.entry_id for e in parsed.entries}) == len(parsed.entries)


def test_ecfr_fields() -> None:
    el = parse_list(fixture("el_ecfr.csv"), "bis-el-ecfr").entries
    assert (
        el[0].license_requirement == "For all items subject to the EAR. (See § 744.11 of the EAR)"
    )
    assert el[0].federal_register_notice == "89 FR 12345, 2/20/24"
    assert el[2].addresses[0].country == "Crimea Region of Ukraine"  # a region, as written
    assert el[3].addresses == (Address(country="Atlantis"),)
    meu = parse_list(fixture("meu_ecfr.csv"), "bis-meu-ecfr").entries
    assert meu[0].license_requirement == ""  # the MEU file's last column is a note
    assert meu[0].raw["license_requirement_or_note_trunc200"].startswith("Subordinate")


DPL_HEADER = fixture("dpl.txt").split(b"\n", 1)[0]
DPL_ROW = fixture("dpl.txt").split(b"\n")[1]


@pytest.mark.parametrize(
    ("fmt", "data", "field", "problem"),
    [
        ("bis-dpl", b"", "file", "empty"),
        ("bis-dpl", DPL_HEADER + b"\n", "file", "no list entries"),
        ("bis-dpl", DPL_HEADER.replace(b'"City"', b'"Town"') + b"\n", "line 1: header", "City"),
        ("bis-dpl", DPL_HEADER + b'\t"Extra"\n', "line 1: header", "unknown column(s): Extra"),
        ("bis-dpl", DPL_HEADER + b"\n" + DPL_ROW.rsplit(b"\t", 1)[0], "line 2", "found 11"),
        (
            "bis-dpl",
            DPL_HEADER + b"\n" + DPL_ROW.replace(b'" JOHN Q. EXAMPLE"', b'" "'),
            "line 2: Name",
            "empty",
        ),
        ("bis-dpl", DPL_HEADER + b"\n" + DPL_ROW.replace(b"JOHN", b"J\xe9HN"), "line 2", "UTF-8"),
        ("bis-el-ecfr", b"name,aliases,country\nA,,China\n", "line 1: header", "missing"),
        ("bis-el-ecfr", fixture("el_ecfr.csv") + b",,China,,,\n", "line 6: name", "empty"),
        ("bis-meu-ecfr", fixture("meu_ecfr.csv") + b"X,,China\n", "line 4", "found 3"),
    ],
    ids=[
        "dpl empty",
        "dpl header only",
        "dpl renamed column",
        "dpl unknown column",
        "dpl short row",
        "dpl empty name",
        "dpl not utf-8 (no cp1252 fallback)",
        "ecfr missing columns",
        "ecfr empty name",
        "ecfr short row",
    ],
)
def test_malformed_files_are_rejected_whole(
    fmt: str, data: bytes, field: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_list(data, fmt, name="bad")
    fields = [e["field"] for e in caught.value.errors] or [caught.value.field or ""]
    assert field in fields, caught.value.errors
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("fixture_name", "filename", "fmt"),
    [
        ("dpl.txt", "dpl.txt", "bis-dpl"),
        ("el_ecfr.csv", "entity_list.csv", "bis-el-ecfr"),
        ("meu_ecfr.csv", "bis_meu_list.csv", "bis-meu-ecfr"),
        ("meu_ecfr.csv", "MILITARY-end-users.csv", "bis-meu-ecfr"),
    ],
)
def test_sniff_bis(fixture_name: str, filename: str, fmt: str) -> None:
    assert sniff_format(fixture(fixture_name), filename) == fmt


def test_sniff_unknown() -> None:
    assert sniff_format(b"hello,world\n1,2\n", "x.csv") is None
    assert sniff_format(b"a\tb\n", "x.txt") is None
    assert sniff_format(b"", "x.txt") is None


def test_unknown_format_and_unexpected_extra() -> None:
    with pytest.raises(InvalidInput, match="unknown list format 'dpl'") as caught:
        parse_list(fixture("dpl.txt"), "dpl")
    assert caught.value.field == "format"
    with pytest.raises(InvalidInput, match="bis-dpl takes none") as caught:
        parse_list(fixture("dpl.txt"), "bis-dpl", extra={"alt": b""})
    assert caught.value.field == "extra"


# --- integration: the real files in ../shared/data/lists --------------------------------


@pytest.mark.integration
@pytest.mark.parametrize(
    ("name", "fmt", "rows"),
    [
        ("bis_dpl_2022-09.txt", "bis-dpl", 581),
        ("bis_entity_list_ecfr_2026-07.csv", "bis-el-ecfr", 3_409),
        ("bis_meu_list_ecfr_2026-07.csv", "bis-meu-ecfr", 70),
    ],
)
def test_real_bis_files(name: str, fmt: str, rows: int) -> None:
    data = shared(name)
    assert sniff_format(data, name) == fmt
    parsed = parse_list(data, fmt, name=name)
    assert len(parsed.entries) == rows
    assert len({e.key for e in parsed.entries}) == rows


@pytest.mark.integration
def test_real_entity_list_china() -> None:
    parsed = parse_list(shared("bis_entity_list_ecfr_2026-07.csv"), "bis-el-ecfr")
    assert sum("CN" in e.countries for e in parsed.entries) == 1_106
    assert all(
        e.countries == ("CN",)
        for e in parse_list(shared("bis_meu_list_ecfr_2026-07.csv"), "bis-meu-ecfr").entries
    )
