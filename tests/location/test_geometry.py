"""Great-circle distances, fibre bounds and the feasible region on the sphere."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chipwatch.location.geometry import (
    BOUND_KM_PER_RTT_MS,
    EARTH_RADIUS_KM,
    bound_km,
    destination,
    distance_km,
)
from chipwatch.location.region import feasible_region

LONDON, PARIS = (51.5074, -0.1278), (48.8566, 2.3522)
KUALA_LUMPUR, SINGAPORE = (3.1390, 101.6869), (1.2897, 103.8501)


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        (LONDON, PARIS, 344.0),
        (KUALA_LUMPUR, SINGAPORE, 316.0),
        ((0.0, 0.0), (0.0, 1.0), 111.195),
        ((0.0, 0.0), (0.0, 180.0), math.pi * EARTH_RADIUS_KM),
        ((90.0, 0.0), (-90.0, 0.0), math.pi * EARTH_RADIUS_KM),
    ],
)
def test_great_circle_distances(a: tuple[float, float], b: tuple[float, float], km: float) -> None:
    assert float(distance_km(*a, *b)) == pytest.approx(km, abs=1.5)
    assert float(distance_km(*b, *a)) == pytest.approx(float(distance_km(*a, *b)))


def test_bound_is_a_third_of_light_per_ms_of_round_trip() -> None:
    assert abs(BOUND_KM_PER_RTT_MS - 99.93) < 0.005
    assert bound_km([1.0, 6.9, 10.0]).tolist() == pytest.approx([99.931, 689.52, 999.31], abs=0.01)


def test_destination_is_the_given_distance_away() -> None:
    bearings = np.arange(0, 360, 30.0)
    lat, lon = destination(KUALA_LUMPUR[0], KUALA_LUMPUR[1], bearings, 1000.0)
    assert distance_km(*KUALA_LUMPUR, lat, lon) == pytest.approx(np.full(12, 1000.0))


def cap_area(radius_km: float) -> float:
    return 2 * math.pi * EARTH_RADIUS_KM**2 * (1 - math.cos(radius_km / EARTH_RADIUS_KM))


def test_one_disk_is_a_cap_with_its_area() -> None:
    region = feasible_region(np.array([10.0]), np.array([20.0]), np.array([500.0]))
    assert region.status == "polygon"
    assert region.area_km2 == pytest.approx(cap_area(500.0), rel=1e-3)
    ring = region.geojson()["coordinates"][0]  # type: ignore[index]
    assert ring[0] == ring[-1]
    lon, lat = np.array(ring).T
    assert distance_km(10.0, 20.0, lat, lon) == pytest.approx(np.full(len(ring), 500.0), abs=0.5)


def test_two_disks_keep_only_their_lens() -> None:
    # Two 200 km disks 300 km apart on the equator: the lens is inside both.
    lon2 = 300.0 / 111.195
    region = feasible_region(np.array([0.0, 0.0]), np.array([0.0, lon2]), np.array([200.0, 200.0]))
    assert region.status == "polygon"
    ring = np.array(region.geojson()["coordinates"][0])  # type: ignore[index]
    lon, lat = ring.T
    assert np.all(distance_km(0.0, 0.0, lat, lon) <= 200.01)
    assert np.all(distance_km(0.0, lon2, lat, lon) <= 200.01)
    assert 0 < region.area_km2 < cap_area(200.0)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("radii", "status"),
    [((100.0, 100.0), "empty"), ((15_000.0, 16_000.0), "unbounded"), ((30_000.0, 50.0), "polygon")],
)
def test_region_status(radii: tuple[float, float], status: str) -> None:
    region = feasible_region(np.array([0.0, 0.0]), np.array([0.0, 3.0]), np.array(radii))
    assert region.status == status
    assert (region.geojson() is None) == (status != "polygon")


def test_a_small_disk_inside_a_big_one_is_the_region() -> None:
    region = feasible_region(np.array([0.0, 0.5]), np.array([0.0, 0.5]), np.array([2000.0, 50.0]))
    assert region.area_km2 == pytest.approx(cap_area(50.0), rel=1e-3)
