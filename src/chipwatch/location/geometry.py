"""Distances on the sphere and speed-of-light bounds, vectorised with numpy.

The Earth is the sphere of the WGS-84 mean radius (R1 = 6371.0088 km). A round trip of ``rtt``
ms through fibre (2/3 c) covers at most ``rtt / 2 × c_fibre`` km each way: that is the hard
bound. No processing time is subtracted (that could only shrink the bound unsoundly).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088
SPEED_OF_LIGHT_KM_S = 299_792.458
FIBRE_KM_PER_MS = SPEED_OF_LIGHT_KM_S * 2 / 3 / 1000  # one way: ≈ 199.86 km per ms
BOUND_KM_PER_RTT_MS = FIBRE_KM_PER_MS / 2  # ≈ 99.93 km of distance per ms of round trip
#: The "speed of internet" (4/9 c) of the literature: an empirical figure, reported as info only.
LIKELY_KM_PER_RTT_MS = SPEED_OF_LIGHT_KM_S * 4 / 9 / 1000 / 2
HALF_CIRCUMFERENCE_KM = np.pi * EARTH_RADIUS_KM

FloatArray = NDArray[np.float64]


def bound_km(rtt_ms: ArrayLike) -> FloatArray:
    """The farthest (km) a chip can be from a landmark that timed this round trip."""
    return np.asarray(rtt_ms, dtype=np.float64) * BOUND_KM_PER_RTT_MS


def distance_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> FloatArray:
    """Great-circle distance (km) between points in degrees; broadcasts like numpy."""
    p1, p2 = np.radians(np.asarray(lat1, np.float64)), np.radians(np.asarray(lat2, np.float64))
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2, np.float64) - np.asarray(lon1, np.float64))
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def destination(
    lat: ArrayLike, lon: ArrayLike, bearing_deg: ArrayLike, km: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The point ``km`` away from (lat, lon) along the initial bearing (degrees from north)."""
    phi, lam = np.radians(np.asarray(lat, np.float64)), np.radians(np.asarray(lon, np.float64))
    theta = np.radians(np.asarray(bearing_deg, np.float64))
    delta = np.asarray(km, np.float64) / EARTH_RADIUS_KM
    sin_phi2 = np.sin(phi) * np.cos(delta) + np.cos(phi) * np.sin(delta) * np.cos(theta)
    phi2 = np.arcsin(np.clip(sin_phi2, -1.0, 1.0))
    lam2 = lam + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(phi), np.cos(delta) - np.sin(phi) * sin_phi2
    )
    lon2 = (np.degrees(lam2) + 540.0) % 360.0 - 180.0
    return np.asarray(np.degrees(phi2)), np.asarray(lon2)


def to_unit_vectors(lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Points (degrees) as unit vectors, shape (..., 3)."""
    phi, lam = np.radians(np.asarray(lat, np.float64)), np.radians(np.asarray(lon, np.float64))
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=-1)


def to_lat_lon(vectors: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Unit vectors (..., 3) back to latitude and longitude in degrees."""
    v = vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)
    lat = np.degrees(np.arcsin(np.clip(v[..., 2], -1.0, 1.0)))
    lon = np.degrees(np.arctan2(v[..., 1], v[..., 0]))
    return np.asarray(lat), np.asarray(lon)


def as_float(value: Any) -> float:
    """A numpy scalar as a plain float, rounded to the metre (for JSON documents)."""
    return round(float(value), 3)
