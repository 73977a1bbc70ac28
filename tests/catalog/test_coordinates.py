"""GCJ-02 and BD-09 conversions against published reference points, and round trips within 1 m."""

from __future__ import annotations

import math

import numpy as np
import pytest

from catalog.coordinates import CRS_NAMES, from_wgs84, to_wgs84
from catalog.geo import haversine_km

# The reference pairs (WGS-84 -> GCJ-02) of the eviltransform project's test suite, which its
# implementations in Go, C, JavaScript, PHP, C# and Python all check against.
GCJ_REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]
X_PI = math.pi * 3000.0 / 180.0


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_km(a[0], a[1], [b[0]], [b[1]])[0]) * 1000.0


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_REFERENCE)
def test_gcj02_matches_the_published_reference_points(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    assert metres(from_wgs84(*wgs, "gcj02"), gcj) < 0.01
    assert metres(to_wgs84(*gcj, "gcj02"), wgs) < 0.5


def test_bd09_is_the_published_offset_of_gcj02() -> None:
    # Baidu's published transform on top of GCJ-02 (z, theta with the 3000/180 constant, then the
    # 0.0065/0.006 shift), written out here independently of the library.
    for wgs in [w for w, _ in GCJ_REFERENCE] + [(33.39, 120.14)]:
        g_lat, g_lon = from_wgs84(*wgs, "gcj02")
        z = math.sqrt(g_lon * g_lon + g_lat * g_lat) + 0.00002 * math.sin(g_lat * X_PI)
        theta = math.atan2(g_lat, g_lon) + 0.000003 * math.cos(g_lon * X_PI)
        expected = (z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065)
        assert metres(from_wgs84(*wgs, "bd09"), expected) < 0.01


def test_the_offsets_are_the_few_hundred_metres_the_app_would_see() -> None:
    tinghu = (33.39, 120.14)
    assert 300 < metres(from_wgs84(*tinghu, "gcj02"), tinghu) < 1000
    assert metres(from_wgs84(*tinghu, "bd09"), tinghu) > metres(from_wgs84(*tinghu, "gcj02"), tinghu)
    assert from_wgs84(*tinghu, "wgs84") == tinghu and to_wgs84(*tinghu, "wgs84") == tinghu


@pytest.mark.parametrize("crs", [c for c in CRS_NAMES if c != "wgs84"])
def test_round_trip_within_one_metre_across_the_city(crs: str) -> None:
    rng = np.random.default_rng(14)
    worst = 0.0
    for lat, lon in zip(rng.uniform(32.5, 34.5, 300), rng.uniform(119.3, 121.0, 300), strict=True):
        there = from_wgs84(float(lat), float(lon), crs)  # type: ignore[arg-type]
        back = to_wgs84(*there, crs)  # type: ignore[arg-type]
        worst = max(worst, metres((float(lat), float(lon)), back))
    assert worst < 1.0


def test_outside_china_nothing_moves() -> None:
    cape_town = (-33.9, 18.4)
    assert from_wgs84(*cape_town, "gcj02") == pytest.approx(cape_town)
