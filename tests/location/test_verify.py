"""Trust checks of a report: forged, wrong key, replayed, stale; and the verdict document."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.location.demo import DEMO_SERIAL, demo_reference, demo_report, signed_measurement
from chipwatch.location.nonces import MemoryNonceStore
from chipwatch.location.reference import Landmark, Reference
from chipwatch.location.report import parse_report
from chipwatch.location.signatures import chip_message, demo_private_key, landmark_message, sign_hex
from chipwatch.location.verify import Policy, verify_report

AT = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
NOW = AT + dt.timedelta(minutes=2)


def judge(
    data: dict[str, Any],
    *,
    reference: Reference | None = None,
    now: dt.datetime = NOW,
    nonces: MemoryNonceStore | None = None,
    check_signatures: bool = True,
) -> tuple[str, dict[str, Any]]:
    policy = Policy(now=now, check_signatures=check_signatures)
    result = verify_report(parse_report(data), reference or demo_reference(), policy, nonces)
    return result.verdict, result.document


def test_honest_report_is_proven_with_its_numbers() -> None:
    verdict, doc = judge(demo_report("honest", at=AT))
    assert verdict == "proven"
    assert doc["deciding_landmark"] == "kul-lm-1"
    assert doc["distance_km"] + doc["bound_km"] == pytest.approx(doc["proven_radius_km"], abs=0.01)
    assert doc["margin_km"] == pytest.approx(1000.0 - doc["proven_radius_km"], abs=0.01)
    assert doc["feasible_region"]["type"] == "Polygon"
    assert doc["problems"] == [] and doc["signatures_checked"] is True
    assert [m["status"] for m in doc["measurements"]] == ["ok"] * 5


def test_diverted_chip_is_inconsistent_and_names_hong_kong() -> None:
    verdict, doc = judge(demo_report("diverted", at=AT))
    assert verdict == "inconsistent"
    assert doc["deciding_landmark"] == "hkg-1"
    assert doc["distance_km"] - doc["bound_km"] > 2000
    assert "cannot be at kul-1" in doc["reason"]


def tamper(data: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    measurements = [dict(m) for m in data["measurements"]]
    measurements[index].update(changes)
    return {**data, "measurements": measurements}


def other_signature(message: bytes) -> str:
    return sign_hex(demo_private_key("someone else"), message)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: tamper(d, 1, rtt_ms=1.1), "landmark_signature does not verify"),
        (lambda d: demo_report("forged", at=AT), "landmark_signature does not verify"),
        (
            lambda d: tamper(
                d, 0, chip_signature=other_signature(chip_message("00" * 16, DEMO_SERIAL))
            ),
            "chip_signature does not verify",
        ),
        (lambda d: tamper(d, 0, chip_signature=None), "chip_signature missing"),
        (lambda d: tamper(d, 0, landmark_signature="ab" * 10), "landmark_signature has 10 bytes"),
        (lambda d: tamper(d, 2, nonce=d["measurements"][1]["nonce"]), "more than once"),
        (lambda d: tamper(d, 0, landmark="nowhere-1"), "unknown landmark 'nowhere-1'"),
        (lambda d: {**d, "serial": "H200-9999999"}, "no enrolled key for chip"),
        (lambda d: {**d, "claimed_site": "atlantis"}, "unknown site 'atlantis'"),
    ],
)
def test_invalid_reports(change: Any, problem: str) -> None:
    verdict, doc = judge(change(demo_report("honest", at=AT)))
    assert verdict == "invalid"
    assert any(problem in p for p in doc["problems"]), doc["problems"]
    assert doc["deciding_landmark"] is None and problem in doc["reason"]


def test_signature_by_the_wrong_landmark_key() -> None:
    data = demo_report("honest", at=AT)
    wrong = parse_report(data).measurements[0]
    forged = other_signature(landmark_message(DEMO_SERIAL, wrong))
    verdict, doc = judge(tamper(data, 0, landmark_signature=forged))
    assert verdict == "invalid" and doc["measurements"][0]["problems"] == [
        "landmark_signature does not verify"
    ]


def test_replayed_nonces_are_invalid_the_second_time() -> None:
    store = MemoryNonceStore()
    data = demo_report("honest", at=AT)
    assert judge(data, nonces=store)[0] == "proven"
    verdict, doc = judge(data, nonces=store)
    assert verdict == "invalid"
    assert all("already used (replayed)" in " ".join(m["problems"]) for m in doc["measurements"])


def test_forged_reports_do_not_burn_nonces() -> None:
    store = MemoryNonceStore()
    data = demo_report("honest", at=AT)
    forged = tamper(data, 0, chip_signature=None)
    assert judge(forged, nonces=store)[0] == "invalid"
    assert len(store.uses) == 4  # the four genuine measurements
    assert judge(data, nonces=store)[0] == "invalid"  # ... which are now used


@pytest.mark.parametrize(
    ("now", "problem"),
    [
        (AT + dt.timedelta(minutes=11), "old (max 10.0 min)"),
        (AT - dt.timedelta(minutes=5), "in the future"),
    ],
)
def test_stale_or_future_measurements(now: dt.datetime, problem: str) -> None:
    verdict, doc = judge(demo_report("honest", at=AT), now=now)
    assert verdict == "invalid" and problem in doc["reason"]


def test_short_nonce_and_non_positive_rtt() -> None:
    data = demo_report("honest", at=AT)
    short = signed_measurement(DEMO_SERIAL, "sin-1", 5.0, AT)
    short["nonce"] = short["nonce"][:16]
    verdict, doc = judge({**data, "measurements": [*data["measurements"][:1], short]})
    assert verdict == "invalid" and "nonce has 8 bytes, at least 16 needed" in doc["reason"]
    verdict, doc = judge(tamper(data, 0, rtt_ms=0.0), check_signatures=False)
    assert verdict == "invalid" and "rtt_ms is 0" in doc["reason"]


def test_revoked_landmark_is_invalid_and_provisional_is_ignored() -> None:
    reference = demo_reference()
    landmarks = dict(reference.landmarks)
    landmarks["hkg-1"] = replace(landmarks["hkg-1"], status="revoked")
    verdict, doc = judge(
        demo_report("honest", at=AT), reference=replace(reference, landmarks=landmarks)
    )
    assert verdict == "invalid" and "landmark 'hkg-1' is revoked" in doc["reason"]
    landmarks["hkg-1"] = replace(landmarks["hkg-1"], status="provisional")
    verdict, doc = judge(
        demo_report("diverted", at=AT), reference=replace(reference, landmarks=landmarks)
    )
    # Without Hong Kong's measurement nothing excludes KL, and nothing proves it either.
    assert verdict == "consistent"
    assert doc["measurements"][4]["status"] == "ignored"


def test_skip_signatures_judges_geometry_only() -> None:
    data = demo_report("honest", at=AT)
    stripped = {
        **data,
        "measurements": [
            {k: v for k, v in m.items() if not k.endswith("signature")}
            for m in data["measurements"]
        ],
    }
    reference = Reference(demo_reference().landmarks, demo_reference().sites)
    verdict, doc = judge(
        stripped, reference=reference, now=AT + dt.timedelta(days=400), check_signatures=False
    )
    assert verdict == "proven" and doc["signatures_checked"] is False


def test_landmark_without_key_is_invalid() -> None:
    reference = demo_reference()
    landmarks = {**reference.landmarks, "sin-1": Landmark("sin-1", 1.2897, 103.8501)}
    verdict, doc = judge(
        demo_report("honest", at=AT), reference=replace(reference, landmarks=landmarks)
    )
    assert verdict == "invalid" and "no enrolled key" in doc["reason"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: {k: v for k, v in d.items() if k != "serial"}, "serial"),
        (lambda d: {**d, "measurements": []}, "measurements"),
        (lambda d: tamper(d, 0, nonce="xyz"), "measurements.0.nonce"),
        (lambda d: tamper(d, 1, rtt_ms="fast"), "measurements.1.rtt_ms"),
        (lambda d: tamper(d, 2, measured_at="2026-03-01T10:00:00"), "measurements.2.measured_at"),
        (lambda d: tamper(d, 0, rtt=3.0), "measurements.0.rtt"),
    ],
)
def test_malformed_reports_name_the_field(change: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_report(change(demo_report("honest", at=AT)))
    assert caught.value.status == 422
    assert field in [e["field"] for e in caught.value.errors]
