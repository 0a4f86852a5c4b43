"""The feasible region: where on the sphere every landmark's disk allows the chip to be.

Method (documented in docs/location.md): candidate points are each circle's boundary sampled
at ``samples`` bearings plus the exact pairwise crossings of the circles; the candidates inside
every disk are the region's boundary, ordered by azimuth around their centroid and measured in
a Lambert azimuthal equal-area projection centred there. Exact up to the sampling for disks
under a quarter of the Earth's circumference (their intersection is spherically convex): the
polygon is inscribed in the true boundary, at most ``r·(1 − cos(π/samples))`` inside it
(0.04 km for a 1,000 km disk at 360 samples) and its area low by about (2π/samples)²/6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from chipwatch.location.geometry import (
    EARTH_RADIUS_KM,
    HALF_CIRCUMFERENCE_KM,
    FloatArray,
    as_float,
    destination,
    to_lat_lon,
    to_unit_vectors,
)

RegionStatus = Literal["polygon", "empty", "unbounded"]
DEFAULT_SAMPLES = 360
_INSIDE_SLACK_KM = 1e-3  # crossings computed in floating point sit on the boundary


@dataclass(frozen=True)
class FeasibleRegion:
    """``polygon`` with its ring (lon, lat) and area; ``empty`` (no point satisfies every
    disk); or ``unbounded`` (no disk smaller than a hemisphere: not drawn)."""

    status: RegionStatus
    ring: tuple[tuple[float, float], ...] = ()
    area_km2: float | None = None

    def geojson(self) -> dict[str, Any] | None:
        """A GeoJSON Polygon (counter-clockwise exterior ring, closed), or None."""
        if self.status != "polygon":
            return None
        ring = [[lon, lat] for lon, lat in self.ring]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def feasible_region(
    lat: FloatArray, lon: FloatArray, radius_km: FloatArray, *, samples: int = DEFAULT_SAMPLES
) -> FeasibleRegion:
    """The intersection of the disks (centre lat/lon in degrees, radius in km)."""
    lat, lon, radius = (np.asarray(a, np.float64).ravel() for a in (lat, lon, radius_km))
    binding = radius < HALF_CIRCUMFERENCE_KM  # a larger disk covers the whole sphere
    lat, lon, radius = lat[binding], lon[binding], radius[binding]
    if radius.size == 0 or radius.min() >= HALF_CIRCUMFERENCE_KM / 2:
        return FeasibleRegion("unbounded")
    if np.any(radius < 0):
        return FeasibleRegion("empty")
    centres = to_unit_vectors(lat, lon)
    candidates = np.concatenate(
        [_boundary_samples(lat, lon, radius, samples), _crossings(centres, radius)]
    )
    slack = np.cos(np.minimum(radius + _INSIDE_SLACK_KM, HALF_CIRCUMFERENCE_KM) / EARTH_RADIUS_KM)
    inside = np.all(candidates @ centres.T >= slack, axis=1)
    points = candidates[inside]
    if len(points) < 3:
        return FeasibleRegion("empty")
    return _polygon(points)


def _boundary_samples(
    lat: FloatArray, lon: FloatArray, radius: FloatArray, samples: int
) -> FloatArray:
    bearings = np.linspace(0.0, 360.0, samples, endpoint=False)
    blat, blon = destination(lat[:, None], lon[:, None], bearings[None, :], radius[:, None])
    return to_unit_vectors(blat, blon).reshape(-1, 3)


def _crossings(centres: FloatArray, radius: FloatArray) -> FloatArray:
    """Where each pair of circles crosses (0 or 2 points per pair), as unit vectors."""
    i, j = np.triu_indices(len(centres), k=1)
    a, b = centres[i], centres[j]
    ca, cb = np.cos(radius[i] / EARTH_RADIUS_KM), np.cos(radius[j] / EARTH_RADIUS_KM)
    d = np.einsum("ij,ij->i", a, b)
    apart = np.abs(d) < 1 - 1e-12  # same or antipodal centres never cross at isolated points
    a, b, ca, cb, d = a[apart], b[apart], ca[apart], cb[apart], d[apart]
    alpha = (ca - cb * d) / (1 - d**2)
    beta = (cb - ca * d) / (1 - d**2)
    base = alpha[:, None] * a + beta[:, None] * b
    normal = np.cross(a, b)
    t2 = (1 - np.einsum("ij,ij->i", base, base)) / np.einsum("ij,ij->i", normal, normal)
    cross = t2 >= 0
    t = np.sqrt(t2[cross])[:, None]
    return np.concatenate([base[cross] + t * normal[cross], base[cross] - t * normal[cross]])


def _polygon(points: FloatArray) -> FeasibleRegion:
    centre = points.mean(axis=0)
    centre /= np.linalg.norm(centre)
    east = np.cross([0.0, 0.0, 1.0], centre)
    if np.linalg.norm(east) < 1e-12:  # centred on a pole: any east will do
        east = np.array([0.0, 1.0, 0.0])
    east /= np.linalg.norm(east)
    north = np.cross(centre, east)
    # Lambert azimuthal equal-area around the centre: areas in the plane are areas on the sphere.
    scale = EARTH_RADIUS_KM * np.sqrt(2 / np.maximum(1 + points @ centre, 1e-12))
    x, y = scale * (points @ east), scale * (points @ north)
    order = np.argsort(np.arctan2(y, x))
    x, y, ordered = x[order], y[order], points[order]
    keep = np.ones(len(x), dtype=bool)
    keep[1:] = np.hypot(np.diff(x), np.diff(y)) > 1e-6  # drop duplicate vertices
    x, y, ordered = x[keep], y[keep], ordered[keep]
    if len(x) < 3:
        return FeasibleRegion("empty")
    area = 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    lat, lon = to_lat_lon(ordered)
    lon = np.degrees(np.unwrap(np.radians(lon)))  # continuous across the antimeridian
    ring = tuple((round(float(o), 5), round(float(a), 5)) for o, a in zip(lon, lat, strict=True))
    return FeasibleRegion("polygon", ring, as_float(area))
