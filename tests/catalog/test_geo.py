"""Great-circle distance and the bounding-box prefilter of the nearby search."""

from __future__ import annotations

import math

import numpy as np
import pytest

from catalog.geo import EARTH_RADIUS_KM, bounding_box, haversine_km

# Rosetta Code's haversine task: Nashville BNA (36.12, -86.67) to Los Angeles LAX
# (33.94, -118.40) is 2887.2599506 km on a sphere of radius 6372.8 km; distance scales with R.
BNA, LAX = (36.12, -86.67), (33.94, -118.40)
BNA_LAX_KM = 2887.2599506071106 * EARTH_RADIUS_KM / 6372.8


def destination(lat: float, lon: float, bearing_deg: np.ndarray, km: float) -> tuple[np.ndarray, np.ndarray]:
    """The point ``km`` away along each bearing (direct problem on the sphere)."""
    d = km / EARTH_RADIUS_KM
    la1, lo1, th = math.radians(lat), math.radians(lon), np.radians(bearing_deg)
    la2 = np.arcsin(math.sin(la1) * math.cos(d) + math.cos(la1) * math.sin(d) * np.cos(th))
    lo2 = lo1 + np.arctan2(np.sin(th) * math.sin(d) * math.cos(la1), math.cos(d) - math.sin(la1) * np.sin(la2))
    return np.degrees(la2), (np.degrees(lo2) + 540) % 360 - 180


def test_haversine_known_distance() -> None:
    [d] = haversine_km(BNA[0], BNA[1], [LAX[0]], [LAX[1]])
    assert d == pytest.approx(BNA_LAX_KM, abs=0.01)


def test_haversine_exact_cases() -> None:
    quarter = math.pi / 2 * EARTH_RADIUS_KM
    d = haversine_km(0.0, 0.0, [0.0, 90.0, 0.0, 0.0, 1.0], [0.0, 0.0, 90.0, 180.0, 0.0])
    assert d == pytest.approx([0.0, quarter, quarter, 2 * quarter, quarter / 90], rel=1e-12, abs=1e-9)


def test_haversine_symmetric_and_vectorized() -> None:
    # Two division centres of Yancheng (domain brief §7): Tinghu and Dafeng.
    tinghu, dafeng = (33.39, 120.14), (33.20, 120.47)
    there = haversine_km(*tinghu, [dafeng[0]], [dafeng[1]])
    back = haversine_km(*dafeng, [tinghu[0]], [tinghu[1]])
    assert there.shape == (1,) and there[0] == pytest.approx(back[0], rel=1e-12)
    # Equirectangular approximation is good to well under 1 % at this scale.
    mean_lat = math.radians((tinghu[0] + dafeng[0]) / 2)
    dx = math.radians(dafeng[1] - tinghu[1]) * math.cos(mean_lat) * EARTH_RADIUS_KM
    dy = math.radians(dafeng[0] - tinghu[0]) * EARTH_RADIUS_KM
    assert there[0] == pytest.approx(math.hypot(dx, dy), rel=1e-3)
    assert 30 < there[0] < 40


@pytest.mark.parametrize("lat,lon,radius", [
    (33.35, 120.16, 20.0), (33.35, 120.16, 300.0), (0.0, 0.0, 50.0), (60.0, 10.0, 300.0),
    (-45.0, 170.0, 150.0), (80.0, -30.0, 250.0),
])
def test_bounding_box_contains_the_circle(lat: float, lon: float, radius: float) -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
    bearings = np.linspace(0, 360, 7201)
    lats, lons = destination(lat, lon, bearings, radius)
    assert haversine_km(lat, lon, lats, lons) == pytest.approx(np.full(len(bearings), radius), rel=1e-9)
    eps = 1e-9
    assert np.all((lats >= min_lat - eps) & (lats <= max_lat + eps))
    assert np.all((lons >= min_lon - eps) & (lons <= max_lon + eps))


def test_bounding_box_is_tight_in_latitude() -> None:
    lat, lon, radius = 33.35, 120.16, 20.0
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
    # The box's north and south edges are on the circle (due north/south of the centre).
    assert haversine_km(lat, lon, [max_lat, min_lat], [lon, lon]) == pytest.approx([radius, radius], rel=1e-9)
    # Its corners are outside: the box only prefilters, the exact distance decides.
    assert np.all(haversine_km(lat, lon, [max_lat, min_lat], [max_lon, min_lon]) > radius)
    assert min_lon < lon < max_lon
