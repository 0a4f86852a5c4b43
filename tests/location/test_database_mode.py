"""Database mode: custody tables as reference; verdicts recorded as check-ins or flags;
nonces remembered across submissions; ``POST /v1/attestations``; the CLI without files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from chipwatch.api.app import create_app
from chipwatch.cli import app
from chipwatch.custody.chips import EventRequest, NewChip, add_chip, apply_event
from chipwatch.custody.documents import LandmarkDoc, SiteDoc
from chipwatch.custody.model import Chip, CustodyFlag
from chipwatch.custody.places import put_landmarks, put_sites
from chipwatch.location.custody_link import verify_and_record
from chipwatch.location.demo import DEMO_LANDMARKS, DEMO_SERIAL, demo_reference, demo_report
from chipwatch.location.nonce_model import AttestationNonce
from chipwatch.location.report import parse_report
from chipwatch.location.signatures import public_key_hex
from chipwatch.location.verify import Policy
from chipwatch.store import Database
from chipwatch.store.audit import list_records

AT = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)


def enrol(database: Database) -> None:
    reference = demo_reference()
    with database.transaction() as session:
        put_sites(
            session,
            [
                SiteDoc(
                    id="kul-1",
                    name="KL DC 1",
                    lat=3.139,
                    lon=101.6869,
                    country="MY",
                    operator="Example DC",
                    radius_km=1000,
                )
            ],
            "t",
        )
        put_landmarks(
            session,
            [
                LandmarkDoc(
                    id=ident,
                    name=ident,
                    lat=lat,
                    lon=lon,
                    country="MY",
                    public_key=public_key_hex(reference.landmarks[ident].public_key),  # type: ignore[arg-type]
                    vetting="vetted",
                )
                for ident, lat, lon in DEMO_LANDMARKS
            ],
            "t",
        )
        add_chip(session, NewChip(DEMO_SERIAL, "NVIDIA H200", site="kul-1", state="installed"), "t")
        chip = session.scalar(select(Chip).where(Chip.serial == DEMO_SERIAL))
        assert chip is not None
        chip.public_key = public_key_hex(reference.chip_keys[DEMO_SERIAL])


@pytest.fixture
def enrolled(database: Database) -> Iterator[Database]:
    enrol(database)
    yield database


def test_proven_report_is_a_check_in_and_its_replay_a_flag(enrolled: Database) -> None:
    report = parse_report(demo_report("honest", at=AT))
    first = verify_and_record(enrolled, report, Policy(), actor="agent")
    assert first.verdict == "proven"
    assert first.document["recorded"]["attestation_event"] is not None
    again = verify_and_record(enrolled, report, Policy(), actor="agent")  # a retry: same bytes
    assert again.verdict == "proven" and again.document["recorded"]["repeated"] is True
    with enrolled.session() as session:
        assert session.scalar(select(func.count()).select_from(AttestationNonce)) == 5
        chip = session.scalar(select(Chip).where(Chip.serial == DEMO_SERIAL))
        assert chip is not None and chip.state == "attested"
    # The same measurements in another report (a replay attempt) are refused and flagged.
    replay = parse_report(
        {
            **demo_report("honest", at=AT),
            "claimed_site": "kul-1",
            "measurements": demo_report("honest", at=AT)["measurements"][:4],
        }
    )
    result = verify_and_record(enrolled, replay, Policy(), actor="agent")
    assert result.verdict == "invalid" and "replayed" in result.reason
    with enrolled.session() as session:
        flag = session.scalar(select(CustodyFlag))
        assert flag is not None and flag.kind == "attestation_invalid"
        assert "replayed" in flag.detail["reason"]


def test_a_good_report_on_a_decommissioned_chip_is_a_flag_and_is_kept(
    enrolled: Database,
) -> None:
    with enrolled.transaction() as session:
        apply_event(session, EventRequest(DEMO_SERIAL, "decommissioned", "officer"))
    report = parse_report(demo_report("honest", at=AT))
    result = verify_and_record(enrolled, report, Policy(), actor="agent")
    assert result.verdict == "proven"
    recorded = result.document["recorded"]
    assert recorded["attestation_event"] is None and len(recorded["flags"]) == 1
    with enrolled.session() as session:
        flag = session.scalar(select(CustodyFlag))
        assert flag is not None and flag.kind == "attested_after_decommission"
        assert flag.detail["state"] == "decommissioned" and flag.detail["verdict"] == "proven"
        chip = session.scalar(select(Chip).where(Chip.serial == DEMO_SERIAL))
        assert chip is not None and chip.state == "decommissioned"
        assert session.scalar(select(func.count()).select_from(AttestationNonce)) == 5
        actions = [r.action for r in list_records(session, subject=DEMO_SERIAL)]
        assert {"custody.flag", "location.verify"} <= set(actions)


def test_api_diverted_report_opens_an_inconsistent_flag(enrolled: Database) -> None:
    with TestClient(create_app(enrolled)) as client:
        response = client.post("/v1/attestations", json=demo_report("diverted", at=AT))
        assert response.status_code == 200, response.text
        doc = response.json()
        assert doc["verdict"] == "inconsistent" and doc["deciding_landmark"] == "hkg-1"
        assert doc["recorded"]["flags"]
        bad = client.post("/v1/attestations", json={"serial": DEMO_SERIAL, "measurements": []})
        assert bad.status_code == 422
        fields = {e["field"] for e in bad.json()["errors"]}
        assert {"claimed_site", "measurements"} <= fields
    with enrolled.session() as session:
        flag = session.scalar(select(CustodyFlag))
        assert flag is not None and flag.kind == "attestation_inconsistent"
        assert flag.detail["deciding_landmark"] == "hkg-1"


def test_cli_database_mode(
    sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrol(sqlite_database)
    monkeypatch.setenv("CHIPWATCH_DATABASE_URL", sqlite_database.url)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(demo_report("honest", at=AT)))
    result = CliRunner().invoke(app, ["location", "verify", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["verdict"] == "proven" and doc["recorded"]["attestation_event"] is not None


def test_unknown_chip_is_invalid_and_not_recorded(enrolled: Database) -> None:
    report = parse_report({**demo_report("honest", at=AT), "serial": "H200-0000000"})
    result = verify_and_record(enrolled, report, Policy(), actor="agent")
    assert result.verdict == "invalid" and result.document["recorded"] is None
