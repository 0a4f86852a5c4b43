"""The geometric verdict, vectorised over reports × measurements (``verify_batch``).

For measurement i of a report: ``d_i`` = distance(landmark_i, claimed site), ``b_i`` = the
fibre bound of its RTT. In order of precedence:

* ``invalid``: the report was refused before geometry (signatures, nonces, keys: ``invalid``
  input), a measurement has ``rtt_ms <= 0``, or no measurement is usable;
* ``inconsistent``: some disk excludes the site, ``d_i - b_i > tolerance`` (the chip cannot be
  at the site); deciding landmark: the largest ``d_i - b_i``;
* ``proven``: ``min_i (d_i + b_i) <= radius`` (wherever the chip is inside that landmark's
  disk, it is within the site's radius); deciding landmark: the smallest ``d_i + b_i``;
* ``consistent``: otherwise; deciding landmark: the best (smallest) ``d_i + b_i``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from chipwatch.location.geometry import FloatArray, bound_km, distance_km

VERDICTS: Final = ("invalid", "inconsistent", "consistent", "proven")
INVALID, INCONSISTENT, CONSISTENT, PROVEN = range(4)
#: Coordinates of landmarks and sites are trusted to about this much (geocoding, campus size).
DEFAULT_TOLERANCE_KM = 10.0


@dataclass(frozen=True)
class BatchVerdicts:
    """Per report: ``code`` (index into VERDICTS), ``deciding`` (measurement index, -1 when
    none), ``proven_radius_km`` (min d+b, inf when none), ``excess_km`` (max d−b, -inf when
    none); per measurement: ``distance_km`` (landmark to site) and ``bound_km``."""

    code: NDArray[np.int8]
    deciding: NDArray[np.int64]
    proven_radius_km: FloatArray
    excess_km: FloatArray
    distance_km: FloatArray
    bound_km: FloatArray

    def names(self) -> list[str]:
        return [VERDICTS[c] for c in self.code.tolist()]


def verify_batch(
    landmark_lat: ArrayLike,
    landmark_lon: ArrayLike,
    rtt_ms: ArrayLike,
    site_lat: ArrayLike,
    site_lon: ArrayLike,
    radius_km: ArrayLike,
    *,
    present: ArrayLike | None = None,
    refused: ArrayLike | None = None,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
) -> BatchVerdicts:
    """Verdicts for n reports of up to m measurements (arrays n × m; site arrays length n).

    ``present`` (n × m) marks real measurements (False pads ragged reports); ``refused`` (n)
    marks reports already invalid for non-geometric reasons.
    """
    lat = np.atleast_2d(np.asarray(landmark_lat, np.float64))
    lon = np.atleast_2d(np.asarray(landmark_lon, np.float64))
    rtt = np.atleast_2d(np.asarray(rtt_ms, np.float64))
    s_lat, s_lon = np.asarray(site_lat, np.float64), np.asarray(site_lon, np.float64)
    radius = np.asarray(radius_km, np.float64)
    n = rtt.shape[0]
    real = np.ones(rtt.shape, bool) if present is None else np.asarray(present, bool)
    bad_rtt = real & ~(rtt > 0)  # also catches NaN
    usable = real & ~bad_rtt
    distance = distance_km(lat, lon, s_lat[:, None], s_lon[:, None])
    bound = bound_km(rtt)
    excess_each = np.where(usable, distance - bound, -np.inf)
    proof_each = np.where(usable, distance + bound, np.inf)
    worst = np.argmax(excess_each, axis=1)
    best = np.argmin(proof_each, axis=1)
    rows = np.arange(n)
    excess, proven_radius = excess_each[rows, worst], proof_each[rows, best]

    refused_rows = np.zeros(n, bool) if refused is None else np.asarray(refused, bool)
    invalid = refused_rows | bad_rtt.any(axis=1) | ~usable.any(axis=1)
    inconsistent = ~invalid & (excess > tolerance_km)
    proven = ~invalid & ~inconsistent & (proven_radius <= radius)
    code = np.full(n, CONSISTENT, np.int8)
    code[proven] = PROVEN
    code[inconsistent] = INCONSISTENT
    code[invalid] = INVALID
    deciding = np.where(inconsistent, worst, best).astype(np.int64)
    deciding[invalid] = -1
    return BatchVerdicts(code, deciding, proven_radius, excess, distance, bound)
