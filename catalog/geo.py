"""Great-circle distances on the WGS84 mean sphere, vectorized over a whole catalog.

Within one city the haversine formula is accurate to about 0.3 % against the ellipsoid, well
under the noise of a course's geocoded address; a geodesy library would buy nothing here.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(lat: float, lon: float, lats: npt.ArrayLike, lons: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Distances in km from one point to many."""
    la1, lo1 = math.radians(lat), math.radians(lon)
    la2 = np.radians(np.asarray(lats, dtype=np.float64))
    lo2 = np.radians(np.asarray(lons, dtype=np.float64))
    a = np.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle; a cheap SQL prefilter."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    # The circle's widest longitude is asin(sin d / cos lat), reached north or south of the
    # centre; radius / cos(lat) falls short of it and would cut off the east and west edges.
    ratio = math.sin(radius_km / EARTH_RADIUS_KM) / max(math.cos(math.radians(lat)), 1e-12)
    dlon = math.degrees(math.asin(ratio)) if ratio < 1 else 180.0  # a circle around a pole
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
