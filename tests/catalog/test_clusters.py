"""Grid clustering of map pins: every point in exactly one cluster, fewer clusters when zoomed out."""

from __future__ import annotations

import numpy as np

from catalog.clusters import cluster_points, mercator_px


def test_every_point_is_in_exactly_one_cluster_and_zooming_in_splits_them() -> None:
    rng = np.random.default_rng(3)
    lat = 33.39 + rng.normal(0, 0.25, 5000)
    lon = 120.14 + rng.normal(0, 0.25, 5000)
    counts = []
    for zoom in (7, 9, 12, 14, 18):
        clusters = cluster_points(lat, lon, zoom)
        members = np.sort(np.concatenate([c.members for c in clusters]))
        assert np.array_equal(members, np.arange(5000))
        for c in clusters:
            assert c.bbox[0] <= c.lon <= c.bbox[2] and c.bbox[1] <= c.lat <= c.bbox[3]
            assert np.isclose(c.lat, lat[c.members].mean()) and np.isclose(c.lon, lon[c.members].mean())
        counts.append(len(clusters))
    assert counts == sorted(counts) and counts[-1] > 4900
    # A city-wide view (zoom 9: Yancheng's 150 km across one phone screen) is dozens of clusters,
    # not 5,000 pins.
    assert counts[0] < 20 and counts[1] < 120


def test_a_cluster_holds_points_of_one_64_pixel_cell() -> None:
    rng = np.random.default_rng(4)
    lat = 33.39 + rng.normal(0, 0.1, 400)
    lon = 120.14 + rng.normal(0, 0.1, 400)
    for c in cluster_points(lat, lon, 11):
        x, y = mercator_px(lat[c.members], lon[c.members], 11)
        assert np.unique(np.floor(x / 64)).size == 1 and np.unique(np.floor(y / 64)).size == 1


def test_no_points_no_clusters() -> None:
    assert cluster_points([], [], 12) == []
