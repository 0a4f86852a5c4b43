"""trade.gov Consolidated Screening List: consolidated.csv (both layouts) and consolidated.json."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.screening.entries import SOURCES, Address
from chipwatch.screening.lists import parse_list, sniff_format
from chipwatch.screening.lists.csl import CSV_COLUMNS, source_code
from tests.screening.lists import fixture, shared


@pytest.mark.parametrize(
    ("long_name", "code"),
    [
        ("Entity List (EL) - Bureau of Industry and Security", "EL"),
        ("Military End User (MEU) List - Bureau of Industry and Security", "MEU"),
        ("Unverified List (UVL) - Bureau of Industry and Security", "UVL"),
        ("Denied Persons List (DPL) - Bureau of Industry and Security", "DPL"),
        ("Specially Designated Nationals (SDN) - Treasury Department", "SDN"),
        ("Sectoral Sanctions Identifications List (SSI) - Treasury Department", "SSI"),
        ("Foreign Sanctions Evaders (FSE) - Treasury Department", "FSE"),
        ("Palestinian Legislative Council List (PLC) - Treasury Department", "PLC"),
        ("Capta List (CAP) - Treasury Department", "CAP"),
        (
            "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC)"
            " - Treasury Department",
            "CMIC",
        ),
        ("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department", "MBS"),
        ("Nonproliferation Sanctions (ISN) - State Department", "ISN"),
        ("ITAR Debarred (DTC) - State Department", "DTC"),
        ("Non-SDN Iranian Sanctions Act List (NS-ISA) - Treasury Department", "NONSDN"),
        ("Entity List", None),
        ("Some New List (XYZ) - Department", None),
    ],
)
def test_source_names_map_to_codes(long_name: str, code: str | None) -> None:
    assert source_code(long_name) == code


def test_current_layout_covers_every_source() -> None:
    parsed = parse_list(fixture("csl_current.csv"), "csl-csv", name="consolidated.csv")
    assert parsed.fmt == "csl-csv"
    assert set(parsed.sources) == set(SOURCES) - {"NONSDN"}
    assert list(parsed.sources) == [code for code in SOURCES if code in parsed.sources]
    assert len(parsed.entries) == 15
    assert parsed.ignored_rows == {}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Nimbus Photonics Co., Ltd.",
            {
                "source": "EL",
                "entity_type": "unknown",
                "aliases": ("Nimbus Photonics", "Hefei Nimbus Guangdian"),  # main name dropped
                "countries": ("CN", "HK"),
                "addresses": (
                    Address(
                        address="Building 5, 88 Science Road, Hefei, Anhui, 230088", country="CN"
                    ),
                    Address(address="12 Harbour Road, Wan Chai", country="HK"),
                ),
                "license_requirement": "For all items subject to the EAR. (See §744.11 of the EAR)",
                "license_policy": "Presumption of denial.",
                "federal_register_notice": "89 FR 12345",
                "start_date": "2024-02-20",
                "source_url": "https://www.bis.gov/regulations/ear/744#supplement-4-744",
            },
        ),
        (
            "TESTOV, Ivan Petrovich",
            {
                "source": "SDN",
                "entry_id": "99001",
                "entity_type": "individual",
                "aliases": ("TESTOV, Ivan", "TESTOFF, Ivan"),
                "countries": ("RU", "BY"),  # address, then citizenship and nationality
                "programs": ("RUSSIA-EO14024", "UKRAINE-EO13662"),
            },
        ),
        ("SEA TESTER", {"entity_type": "vessel", "addresses": (), "countries": ()}),
        ("EXAMPLE AIR 1", {"entity_type": "aircraft"}),
        (
            "JOHN Q. EXAMPLE",  # leading space trimmed; no country in the address
            {
                "source": "DPL",
                "addresses": (Address(address="100 MAIN STREET, SPRINGFIELD, IL, 62701"),),
                "countries": (),
                "source_url": "https://www.bis.gov/licensing/end-user-guidance/denied-persons-list-dpl",
            },
        ),
        ("Example Missile Works", {"addresses": (Address(country="REGION: KASHMIR"),)}),
        ("TEST ENERGY PJSC", {"source": "SSI", "countries": ("CN",)}),  # "PRC"
        ("Ali EXAMPLEZADEH", {"source": "FSE", "countries": ("TR", "IR")}),
        ("Example OFFICIAL", {"source": "MBS", "programs": ("HKAA",)}),
    ],
)
def test_current_layout_entries(name: str, expected: dict[str, object]) -> None:
    parsed = parse_list(fixture("csl_current.csv"), "csl-csv")
    [entry] = [e for e in parsed.entries if e.name == name]
    assert {key: getattr(entry, key) for key in expected} == expected


def test_raw_keeps_the_whole_row() -> None:
    entry = parse_list(fixture("csl_current.csv"), "csl-csv").entries[3]
    assert entry.raw["_id"] == "a4"
    assert entry.raw["call_sign"] == "9XTS1"
    assert len(entry.raw) == 29


def test_older_layout_gives_the_same_entries() -> None:
    older = parse_list(fixture("csl_older.csv"), "csl-csv").entries
    current = parse_list(fixture("csl_current.csv"), "csl-csv").entries[:3]
    assert older == current
    assert [e.content_hash for e in older] == [e.content_hash for e in current]


def test_unnumbered_entries_get_stable_hashed_ids() -> None:
    first = parse_list(fixture("csl_current.csv"), "csl-csv").entries
    again = parse_list(fixture("csl_current.csv"), "csl-csv").entries
    assert [e.key for e in first] == [e.key for e in again]
    el = first[0]
    assert len(el.entry_id) == 16 and el.entry_id.isalnum()


def test_repeated_name_and_address_get_suffixed_ids() -> None:
    text = fixture("csl_older.csv").decode()
    header, el_row = text.splitlines()[:2]
    data = f"{header}\n{el_row}\n{el_row}\n".encode()
    first, second = parse_list(data, "csl-csv").entries
    assert second.entry_id == f"{first.entry_id}-2"


def test_json_matches_csv() -> None:
    parsed = parse_list(fixture("csl.json"), "csl-json", name="consolidated.json")
    by_name = {e.name: e for e in parsed.entries}
    from_csv = {e.name: e for e in parse_list(fixture("csl_current.csv"), "csl-csv").entries}
    el = by_name["Nimbus Photonics Co., Ltd."]
    assert el.key == from_csv[el.name].key  # same hashed id from either file
    assert el.addresses[0] == Address(
        "Building 5, 88 Science Road", "Hefei", "Anhui", "230088", "CN"
    )
    assert el.aliases == ("Nimbus Photonics",)
    sdn = by_name["TESTOV, Ivan Petrovich"]
    assert (sdn.key, sdn.entity_type, sdn.countries) == ("SDN:99001", "individual", ("RU", "BY"))
    assert sdn.raw["ids"][0]["type"] == "Passport"
    meu = by_name["Red Valley Aero Institute"]
    assert meu.source_url == "https://www.bis.gov/regulations/ear/744#supplement-7-744"
    assert meu.programs == () and meu.aliases == ()


def test_json_accepts_a_bare_list() -> None:
    results = json.loads(fixture("csl.json"))["results"]
    parsed = parse_list(json.dumps(results).encode(), "csl-json")
    assert len(parsed.entries) == 3


EL = "Entity List (EL) - Bureau of Industry and Security"


def _csl(*rows: dict[str, str]) -> bytes:
    """An older-layout consolidated.csv with these rows (unnamed columns empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


ACME = {"source": EL, "name": "Acme"}


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        (b"", "file", "empty"),
        (b"\n\n", "file", "empty"),
        (_csl(), "file", "no list entries"),
        (_csl(ACME).replace(b",name,", b",nmae,", 1), "line 1: header", "missing column(s): name"),
        (b"name,source\nX,Y\n", "line 1: header", "missing column(s): entity_number"),
        (_csl(ACME).replace(b"Acme,", b"Acme", 1), "line 2", "expected 28 columns, found 27"),
        (_csl(ACME) + b"x,y\n", "line 3", "expected 28 columns, found 2"),
        (_csl({**ACME, "name": "  "}), "line 2: name", "the name is empty"),
        (_csl({**ACME, "source": "Entity List"}), "line 2: source", "unknown list source"),
        (_csl({**ACME, "type": "Company"}), "line 2: type", "unknown type 'Company'"),
        (_csl(ACME).replace(b"Acme", b"Acme\xff"), "line 2", "byte offset"),
        (
            _csl({**ACME, "name": "Two\nLines"}, {**ACME, "source": "Nowhere (XX)"}),
            "line 4: source",
            "unknown list source 'Nowhere (XX)'",
        ),
        (_csl(ACME) + b'"a', "line 3", "malformed CSV"),
    ],
    ids=[
        "empty",
        "blank",
        "header only",
        "misspelt column",
        "wrong file",
        "short row",
        "short last row",
        "empty name",
        "unknown source",
        "unknown type",
        "invalid utf-8",
        "line numbers after a two-line field",
        "unterminated quote",
    ],
)
def test_malformed_csv_is_rejected_whole(data: bytes, field: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_list(data, "csl-csv", name="bad.csv")
    fields = [e["field"] for e in caught.value.errors] or [caught.value.field or ""]
    assert field in fields, caught.value.errors
    assert problem in str(caught.value)
    assert caught.value.source == "bad.csv"


def test_every_problem_is_reported() -> None:
    data = _csl({**ACME, "name": ""}, ACME, {**ACME, "source": "X"})
    with pytest.raises(InvalidInput) as caught:
        parse_list(data, "csl-csv")
    assert [e["field"] for e in caught.value.errors] == ["line 2: name", "line 4: source"]


def test_a_hopeless_file_stops_after_twenty_problems() -> None:
    data = _csl(*[{**ACME, "name": ""}] * 30)
    with pytest.raises(InvalidInput) as caught:
        parse_list(data, "csl-csv")
    assert len(caught.value.errors) == 21
    assert caught.value.errors[-1] == {"field": "file", "problem": "stopped after 20"}


@pytest.mark.parametrize(
    ("document", "field", "problem"),
    [
        (b"", "file", "empty"),
        (b'{"results": [\n{"name": }', "line 2", "invalid JSON"),
        (b'{"data": []}', "results", "expected"),
        (b'{"results": []}', "file", "no list entries"),
        (b'{"results": ["x"]}', "results[0]", "expected an object"),
        (b'{"results": [{"name": "A", "source": "Nowhere"}]}', "results[0]: source", "unknown"),
        (
            b'{"results": [{"name": " ", "source": "' + EL.encode() + b'"}]}',
            "results[0]: name",
            "empty",
        ),
        (b'{"results": [{"name": "\xc3"}]}', "line 1", "byte offset 23"),
    ],
)
def test_malformed_json_is_rejected_whole(document: bytes, field: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_list(document, "csl-json", name="bad.json")
    fields = [e["field"] for e in caught.value.errors] or [caught.value.field or ""]
    assert field in fields, caught.value.errors
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("fixture_name", "filename", "fmt"),
    [
        ("csl_current.csv", "consolidated.csv", "csl-csv"),
        ("csl_older.csv", "whatever.txt", "csl-csv"),
        ("csl.json", "consolidated.json", "csl-json"),
    ],
)
def test_sniff_csl(fixture_name: str, filename: str, fmt: str) -> None:
    assert sniff_format(fixture(fixture_name), filename) == fmt


# --- integration: the real files in ../shared/data/lists --------------------------------


@pytest.mark.integration
def test_real_csl_2026() -> None:
    parsed = parse_list(shared("csl_consolidated_2026-07-31.csv"), "csl-csv")
    counts = Counter(e.source for e in parsed.entries)
    assert len(parsed.entries) == 25_921
    assert counts == {
        "SDN": 19_181,
        "EL": 3_420,
        "DPL": 1_596,
        "DTC": 787,
        "SSI": 286,
        "UVL": 222,
        "ISN": 161,
        "PLC": 78,
        "MEU": 70,
        "CMIC": 68,
        "MBS": 51,
        "CAP": 1,
    }
    assert len({e.key for e in parsed.entries}) == len(parsed.entries)
    el_china = [e for e in parsed.entries if e.source == "EL" and "CN" in e.countries]
    assert 1_000 < len(el_china) < 1_300


@pytest.mark.integration
@pytest.mark.parametrize(
    ("name", "rows"), [("csl_sample_2019-12.csv", 115), ("csl_sample_2025-06.csv", 13)]
)
def test_real_csl_samples(name: str, rows: int) -> None:
    data = shared(name)
    assert sniff_format(data, name) == "csl-csv"
    parsed = parse_list(data, "csl-csv", name=name)
    assert len(parsed.entries) == rows
    assert all(e.name and e.source in SOURCES for e in parsed.entries)
