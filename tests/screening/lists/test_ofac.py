"""OFAC legacy CSV files: sdn.csv / cons_prim.csv with alt.csv and add.csv."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.screening.entries import Address, ListEntry
from chipwatch.screening.lists import input_sha256, parse_list, sniff_format
from chipwatch.screening.lists.countries import country_code, country_or_written
from tests.screening.lists import fixture, shared

SDN_EXTRA = {"alt": fixture("ofac_alt.csv"), "add": fixture("ofac_add.csv")}


def _sdn() -> dict[str, ListEntry]:
    parsed = parse_list(fixture("ofac_sdn.csv"), "ofac-sdn", name="sdn.csv", extra=SDN_EXTRA)
    return {e.entry_id: e for e in parsed.entries}


@pytest.mark.parametrize(
    ("ent_num", "expected"),
    [
        (
            "10001",
            {
                "name": "ACME TEST TRADING LLC",
                "entity_type": "entity",  # SDN_Type -0-
                "programs": ("SDGT", "IFSR"),
                "aliases": ("ACME TEST TRADING COMPANY", "ACME TRADERS FZE"),  # aka, fka
                "weak_aliases": ("ACME", "A.T.T."),  # quoted in Remarks, also in alt.csv
                "addresses": (
                    Address(address="Office 12, Test Tower", city="Dubai", country="AE"),
                    Address(city="Tehran", country="IR"),
                ),
                "countries": ("AE", "IR"),
            },
        ),
        (
            "10002",
            {
                "name": "EXAMPLOV, Pyotr",  # "LAST, First" kept as written
                "entity_type": "individual",
                "aliases": ("EKSAMPLOV, Petr",),  # the alias equal to the name dropped
                "countries": ("RU", "BY"),  # address Russia, then "citizen Belarus"
            },
        ),
        (
            "10003",
            {
                "entity_type": "vessel",
                "aliases": ("NEW CARRIER",),  # nka
                "weak_aliases": ("OLD CARRIER",),  # f.k.a. in Remarks
                "addresses": (),  # the all -0- address row is no address
            },
        ),
        ("10004", {"entity_type": "aircraft", "weak_aliases": ("EA-'ONE",), "countries": ("KP",)}),
        (
            "10005",
            {
                "aliases": ("BP",),
                "weak_aliases": ("PRUEBA",),  # alt_remarks says weak
                "countries": ("CU",),
                "addresses": (
                    Address(city="Havana", country="CU"),
                    Address(city="Kafia Kingi", country="Region: Kafia Kingi"),  # unmapped
                ),
            },
        ),
    ],
)
def test_sdn_entries(ent_num: str, expected: dict[str, object]) -> None:
    entry = _sdn()[ent_num]
    assert {key: getattr(entry, key) for key in expected} == expected
    assert entry.source == "SDN"
    assert entry.source_url == "https://sanctionslist.ofac.treas.gov/Home/SdnList"


def test_sdn_counts_orphan_rows_and_keeps_raw() -> None:
    parsed = parse_list(fixture("ofac_sdn.csv"), "ofac-sdn", extra=SDN_EXTRA)
    assert len(parsed.entries) == 5  # the trailing 0x1A line is no entry
    assert parsed.sources == ("SDN",)
    assert parsed.ignored_rows == {"alt": 1, "add": 2}
    assert parsed.entries[2].raw["Call_Sign"] == "9XYZ1"
    assert parsed.entries[4].raw["Remarks"] == "-0-"


def test_sdn_alone_parses() -> None:
    parsed = parse_list(fixture("ofac_sdn.csv"), "ofac-sdn")
    assert parsed.entries[0].aliases == ()
    assert parsed.entries[0].weak_aliases == ("ACME", "A.T.T.")
    assert parsed.sha256 == hashlib.sha256(fixture("ofac_sdn.csv")).hexdigest()


def test_sha256_covers_the_extra_files_in_a_stable_order() -> None:
    one = parse_list(fixture("ofac_sdn.csv"), "ofac-sdn", extra=SDN_EXTRA).sha256
    two = parse_list(
        fixture("ofac_sdn.csv"), "ofac-sdn", extra=dict(reversed(SDN_EXTRA.items()))
    ).sha256
    alt_only = parse_list(fixture("ofac_sdn.csv"), "ofac-sdn", extra={"alt": SDN_EXTRA["alt"]})
    assert one == two == input_sha256(fixture("ofac_sdn.csv"), SDN_EXTRA)
    assert alt_only.sha256 != one


@pytest.mark.parametrize(
    ("ent_num", "source"),
    [
        ("20001", "SSI"),
        ("20002", "PLC"),
        ("20003", "CMIC"),
        ("20004", "CAP"),
        ("20005", "FSE"),
        ("20006", "MBS"),
        ("20007", "NONSDN"),
    ],
)
def test_consolidated_source_from_program(ent_num: str, source: str) -> None:
    parsed = parse_list(
        fixture("ofac_cons_prim.csv"), "ofac-cons", extra={"alt": fixture("ofac_cons_alt.csv")}
    )
    [entry] = [e for e in parsed.entries if e.entry_id == ent_num]
    assert entry.source == source
    assert entry.source_url == "https://sanctionslist.ofac.treas.gov/Home/ConsolidatedList"


@pytest.mark.parametrize(
    ("written", "code", "address_country"),
    [
        ("Burma", "MM", "MM"),
        ("Korea, North", "KP", "KP"),
        ("Korea, South", "KR", "KR"),
        ("Russia", "RU", "RU"),
        ("Iran", "IR", "IR"),
        ("Syria", "SY", "SY"),
        ("Vietnam", "VN", "VN"),
        ("Turkey", "TR", "TR"),
        ("China", "CN", "CN"),
        ("united kingdom", "GB", "GB"),
        ("People's Republic of China", "CN", "CN"),  # official name
        ("Congo, Democratic Republic of the", "CD", "CD"),
        ("Kosovo", "XK", "XK"),
        ("Region: Crimea", "UA", "Region: Crimea"),
        ("Region: West Bank", "PS", "Region: West Bank"),
        ("Region: Kafia Kingi", None, "Region: Kafia Kingi"),
        ("undetermined", None, "undetermined"),
        ("Chin", None, "Chin"),  # no fuzzy matching
        ("", None, ""),
    ],
)
def test_country_spellings(written: str, code: str | None, address_country: str) -> None:
    assert country_code(written) == code
    assert country_or_written(written) == address_country


def test_cp1252_falls_back() -> None:
    data = fixture("ofac_sdn.csv").replace(b"BANCO DE PRUEBA", b"CAF\xc9 DE PRUEBA")
    parsed = parse_list(data, "ofac-sdn")
    assert parsed.entries[-1].name == "CAFÉ DE PRUEBA"


def _first_row(replace: bytes, by: bytes) -> bytes:
    return fixture("ofac_sdn.csv").replace(replace, by, 1)


@pytest.mark.parametrize(
    ("data", "extra", "source", "field", "problem"),
    [
        (b"", {}, "sdn.csv", "file", "empty"),
        (b"\x1a", {}, "sdn.csv", "file", "empty"),
        (_first_row(b"10001,", b"X1,"), {}, "sdn.csv", "line 1: ent_num", "not a number"),
        (_first_row(b"10002,", b"10001,"), {}, "sdn.csv", "line 2: ent_num", "repeats line 1"),
        (
            _first_row(b'"ACME TEST TRADING LLC"', b"-0- "),
            {},
            "sdn.csv",
            "line 1: SDN_Name",
            "empty",
        ),
        (_first_row(b"individual", b"person"), {}, "sdn.csv", "line 2: SDN_Type", "unknown"),
        (_first_row(b',"IRAN"', b""), {}, "sdn.csv", "line 3", "expected 12 columns, found 11"),
        (_first_row(b"LLC", b"LLC\x81"), {}, "sdn.csv", "line 1", "neither UTF-8 nor"),
        (
            fixture("ofac_sdn.csv"),
            {"alt": SDN_EXTRA["alt"].replace(b'"fka"', b'"xka"')},
            "sdn.csv (alt)",
            "line 2: alt_type",
            "unknown alias type",
        ),
        (
            fixture("ofac_sdn.csv"),
            {"alt": SDN_EXTRA["alt"].replace(b',"ACME"', b",-0- ")},
            "sdn.csv (alt)",
            "line 3: alt_name",
            "the alias is empty",
        ),
        (
            fixture("ofac_sdn.csv"),
            {"add": SDN_EXTRA["add"].replace(b'"Dubai",', b"")},
            "sdn.csv (add)",
            "line 1",
            "expected 6 columns, found 5",
        ),
        (fixture("ofac_sdn.csv"), {"add": b""}, "sdn.csv (add)", "file", "empty"),
        (fixture("ofac_sdn.csv"), {"comments": b"x"}, "sdn.csv", "extra", "unexpected extra"),
    ],
    ids=[
        "empty",
        "only ctrl-z",
        "ent_num not a number",
        "ent_num repeated",
        "empty name",
        "unknown SDN_Type",
        "short row",
        "neither utf-8 nor cp1252",
        "unknown alt_type",
        "empty alias",
        "short add row",
        "empty add file",
        "unknown extra file",
    ],
)
def test_malformed_files_are_rejected_whole(
    data: bytes, extra: dict[str, bytes], source: str, field: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_list(data, "ofac-sdn", name="sdn.csv", extra=extra)
    fields = [e["field"] for e in caught.value.errors] or [caught.value.field or ""]
    assert field in fields, caught.value.errors
    assert problem in str(caught.value)
    assert caught.value.source == source


@pytest.mark.parametrize(
    ("fixture_name", "filename", "fmt"),
    [
        ("ofac_sdn.csv", "SDN.CSV", "ofac-sdn"),
        ("ofac_cons_prim.csv", "CONS_PRIM.CSV", "ofac-cons"),
        ("ofac_alt.csv", "ALT.CSV", None),  # an extra file, not a list on its own
        ("ofac_add.csv", "ADD.CSV", None),
    ],
)
def test_sniff_ofac(fixture_name: str, filename: str, fmt: str | None) -> None:
    assert sniff_format(fixture(fixture_name), filename) == fmt


# --- integration: the real files in ../shared/data/lists --------------------------------


@pytest.mark.integration
def test_real_2019_trio_is_consistent() -> None:
    extra = {"alt": shared("ofac-2019/alt.csv"), "add": shared("ofac-2019/add.csv")}
    parsed = parse_list(shared("ofac-2019/sdn.csv"), "ofac-sdn", extra=extra)
    assert len(parsed.entries) == 7_379
    assert parsed.ignored_rows == {}
    aliases = sum(len(e.aliases) + len(e.weak_aliases) for e in parsed.entries)
    assert aliases >= 9_000
    assert any(e.addresses for e in parsed.entries)


@pytest.mark.integration
def test_real_2024_sdn_with_newer_alt_and_add_counts_orphans() -> None:
    extra = {"alt": shared("ofac_alt_2026.csv"), "add": shared("ofac_add_2026.csv")}
    parsed = parse_list(shared("ofac_sdn_2024-05-03.csv"), "ofac-sdn", extra=extra)
    assert len(parsed.entries) == 14_965
    assert parsed.ignored_rows["alt"] > 0 and parsed.ignored_rows["add"] > 0
    types = Counter(e.entity_type for e in parsed.entries)
    assert set(types) == {"entity", "individual", "vessel", "aircraft"}
    bnc = {e.entry_id: e for e in parsed.entries}["306"]
    assert bnc.weak_aliases == ("BNC",)
    assert "CH" in bnc.countries


@pytest.mark.integration
def test_real_consolidated_list() -> None:
    extra = {"alt": shared("ofac_cons_alt_2025-12.csv")}
    parsed = parse_list(shared("ofac_cons_prim_2025-12.csv"), "ofac-cons", extra=extra)
    counts = Counter(e.source for e in parsed.entries)
    assert len(parsed.entries) == 442
    assert (counts["SSI"], counts["PLC"], counts["CMIC"], counts["CAP"]) == (286, 78, 68, 1)
    assert parsed.ignored_rows == {}
