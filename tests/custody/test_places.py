"""Sites and landmarks from YAML, JSON and CSV files; a bad file is rejected whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chipwatch.custody import places
from chipwatch.errors import InvalidInput
from chipwatch.store import Database
from tests.custody.custody_fixture import SITES, public_key

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "custody"


def test_the_example_files_load(database: Database) -> None:
    sites = places.read_sites(EXAMPLES / "sites.yaml")
    yaml_marks = places.read_landmarks(EXAMPLES / "landmarks.yaml")
    csv_marks = places.read_landmarks(EXAMPLES / "landmarks.csv")
    assert [s.id for s in sites] == ["kul-1", "jhb-1"] and sites[0].radius_km == 1000
    assert yaml_marks == csv_marks
    assert {m.country for m in yaml_marks} == {"SG", "MY", "CN"}
    with database.transaction() as session:
        assert places.put_sites(session, sites, "alice") == (["kul-1", "jhb-1"], [])
        places.put_landmarks(session, yaml_marks, "alice")
    with database.transaction() as session:
        assert places.put_sites(session, sites[:1], "alice") == ([], ["kul-1"])
    with database.session() as session:
        assert [m.id for m in places.list_landmarks(session, vetting="vetted")] == [
            "kul-lm-1",
            "sin-1",
        ]
        assert places.get_site(session, "jhb-1").country == "MY"


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"lat": 91}, "sites[0]: lat", "less than or equal to 90"),
        ({"lon": -181}, "sites[0]: lon", "greater than or equal to -180"),
        ({"country": "XX"}, "sites[0]: country", "not an ISO 3166-1 alpha-2"),
        ({"radius_km": 0}, "sites[0]: radius_km", "greater than 0"),
        ({"id": "KUL 1"}, "sites[0]: id", "lower-case letters"),
        ({"colour": "red"}, "sites[0]: colour", "Extra inputs"),
    ],
)
def test_bad_sites_name_the_record_and_field(
    tmp_path: Path, change: dict[str, object], field: str, problem: str
) -> None:
    path = tmp_path / "sites.json"
    path.write_text(json.dumps({"sites": [{**SITES[1], **change}, SITES[0]]}))
    with pytest.raises(InvalidInput) as bad:
        places.read_sites(path)
    assert bad.value.field == field and problem in bad.value.problem


def test_a_bad_csv_names_lines_and_nothing_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "landmarks.csv"
    path.write_text(
        "id,name,lat,lon,country,public_key\n"
        f"sin-1,Singapore,1.35,103.82,SG,{public_key(1)}\n"
        "kul-1,KL,3.1,101.7,MY,deadbeef\n"
        f"sin-1,Singapore again,1.35,103.82,SG,{public_key(2)}\n"
    )
    with pytest.raises(InvalidInput) as bad:
        places.read_landmarks(path)
    fields = [e["field"] for e in bad.value.errors]
    assert fields == ["line 3: public_key", "id"]
