"""Map pins grouped by screen cell, so a city-wide view is dozens of clusters, not 5,000 pins.

Grid clustering in Web Mercator pixels (the projection every web and app map uses): at zoom ``z``
the world is ``256 * 2**z`` pixels wide, and points falling in the same ``cell_px`` square form
one cluster, drawn at their centroid. Deterministic and a single numpy pass; a pin-level view
(zoom 15 and more in a town) has cells small enough that nearly every point is its own pin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

TILE_PX = 256
MAX_LAT = 85.05112878  # Web Mercator's limit


@dataclass(frozen=True)
class Cluster:
    """Points sharing a cell: their indices into the input, count and centroid (WGS-84)."""

    members: npt.NDArray[np.int64]
    lat: float
    lon: float
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def mercator_px(lat: npt.ArrayLike, lon: npt.ArrayLike, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates of WGS-84 points at ``zoom``."""
    size = TILE_PX * 2.0 ** zoom
    la = np.radians(np.clip(np.asarray(lat, dtype=np.float64), -MAX_LAT, MAX_LAT))
    x = (np.asarray(lon, dtype=np.float64) + 180.0) / 360.0 * size
    y = (1.0 - np.log(np.tan(la) + 1.0 / np.cos(la)) / math.pi) / 2.0 * size
    return x, y


def cluster_points(lat: npt.ArrayLike, lon: npt.ArrayLike, zoom: int, cell_px: int = 64) -> list[Cluster]:
    """Group points by ``cell_px`` cells at ``zoom``; clusters ordered by size, then position."""
    la = np.asarray(lat, dtype=np.float64)
    lo = np.asarray(lon, dtype=np.float64)
    if la.size == 0:
        return []
    x, y = mercator_px(la, lo, zoom)
    cells = np.stack([np.floor(x / cell_px), np.floor(y / cell_px)], axis=1).astype(np.int64)
    _, group, counts = np.unique(cells, axis=0, return_inverse=True, return_counts=True)
    group = group.ravel()
    order = np.argsort(group, kind="stable")
    bounds = np.r_[0, np.cumsum(counts)]
    out = []
    for g in range(counts.size):
        members = order[bounds[g]:bounds[g + 1]]
        out.append(Cluster(members=members, lat=float(la[members].mean()), lon=float(lo[members].mean()),
                           bbox=(float(lo[members].min()), float(la[members].min()),
                                 float(lo[members].max()), float(la[members].max()))))
    out.sort(key=lambda c: (-c.members.size, c.lat, c.lon))
    return out
