"""The verdict table with hand-computed numbers (site at 0°N 0°E, radius 500 km; one degree of
longitude on the equator is 111.195 km; 1 ms of RTT bounds 99.931 km)."""

from __future__ import annotations

import pytest

from chipwatch.location.verdicts import VERDICTS, verify_batch

ONE_DEGREE_KM = 111.195
KM_PER_MS = 99.931


@pytest.mark.parametrize(
    ("landmarks", "verdict", "deciding", "proof_km", "excess_km"),
    [
        # 111.195 + 199.862 = 311.06 <= 500: proven.
        ([(1.0, 2.0)], "proven", 0, 311.06, -88.67),
        # 5° = 555.97 km; 6 ms = 599.59 km: the site is inside, the proof 1155.6 km > 500.
        ([(5.0, 6.0)], "consistent", 0, 1155.56, -43.62),
        # 4 ms = 399.72 km < 555.97 km: the site is 156.25 km outside the disk.
        ([(5.0, 4.0)], "inconsistent", 0, 955.70, 156.25),
        # 5.5 ms = 549.62 km: 6.35 km outside, within the 10 km tolerance.
        ([(5.0, 5.5)], "consistent", 0, 1105.59, 6.35),
        # A proof and an exclusion: the exclusion wins (the chip is not at the site).
        ([(1.0, 2.0), (5.0, 4.0)], "inconsistent", 1, 311.06, 156.25),
        # The best proof decides among several.
        ([(5.0, 6.0), (1.0, 2.0), (2.0, 3.0)], "proven", 1, 311.06, -43.62),
        ([(1.0, 0.0)], "invalid", -1, float("inf"), float("-inf")),
        ([(1.0, 2.0), (1.0, -1.0)], "invalid", -1, 311.06, -88.67),
    ],
)
def test_verdict_table(
    landmarks: list[tuple[float, float]],
    verdict: str,
    deciding: int,
    proof_km: float,
    excess_km: float,
) -> None:
    lon = [[degrees for degrees, _ in landmarks]]
    rtt = [[ms for _, ms in landmarks]]
    result = verify_batch([[0.0] * len(landmarks)], lon, rtt, [0.0], [0.0], [500.0])
    assert result.names() == [verdict]
    assert int(result.deciding[0]) == deciding
    assert float(result.proven_radius_km[0]) == pytest.approx(proof_km, abs=0.05)
    assert float(result.excess_km[0]) == pytest.approx(excess_km, abs=0.05)


def test_refused_reports_and_padding() -> None:
    result = verify_batch(
        [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
        [[1.0, 99.0], [1.0, 5.0], [1.0, 5.0]],
        [[2.0, -5.0], [2.0, 4.0], [2.0, 4.0]],
        [0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0],
        [500.0, 500.0, 500.0],
        present=[[True, False], [True, True], [False, False]],
        refused=[False, True, False],
    )
    # Padding hides the bad second measurement; a refused report and an empty one are invalid.
    assert result.names() == ["proven", "invalid", "invalid"]
    assert VERDICTS == ("invalid", "inconsistent", "consistent", "proven")


def test_tolerance_is_configurable() -> None:
    args = ([[0.0]], [[5.0]], [[5.5]], [0.0], [0.0], [500.0])
    assert verify_batch(*args).names() == ["consistent"]
    assert verify_batch(*args, tolerance_km=0.0).names() == ["inconsistent"]
