"""GeoJSON (RFC 7946) for the app's map: pins or clusters, in the coordinate system its SDK draws in.

Positions are WGS-84 everywhere inside the service; they are clustered in WGS-84 (the grid is in
Web Mercator pixels) and converted last, point by point, so a cluster's centroid and the pins
inside it move together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from catalog.clusters import cluster_points
from catalog.coordinates import Crs, from_wgs84


@dataclass(frozen=True)
class Pin:
    id: int
    lat: float  # WGS-84
    lon: float
    properties: dict[str, Any]


def _point(lat: float, lon: float, crs: Crs) -> dict[str, Any]:
    la, lo = from_wgs84(lat, lon, crs)
    return {"type": "Point", "coordinates": [round(lo, 7), round(la, 7)]}


def _bbox(lat0: float, lon0: float, lat1: float, lon1: float, crs: Crs) -> list[float]:
    a_lat, a_lon = from_wgs84(lat0, lon0, crs)
    b_lat, b_lon = from_wgs84(lat1, lon1, crs)
    return [round(min(a_lon, b_lon), 7), round(min(a_lat, b_lat), 7),
            round(max(a_lon, b_lon), 7), round(max(a_lat, b_lat), 7)]


def feature_collection(pins: Sequence[Pin], *, crs: Crs, zoom: int | None, truncated: bool) -> dict[str, Any]:
    """A FeatureCollection of ``pins``; with ``zoom``, pins sharing a 64-pixel cell become clusters."""
    features: list[dict[str, Any]] = []
    if zoom is None:
        groups = [[i] for i in range(len(pins))]
    else:
        groups = [c.members.tolist() for c in cluster_points([p.lat for p in pins], [p.lon for p in pins], zoom)]
    for n, members in enumerate(groups):
        if len(members) == 1:
            p = pins[members[0]]
            features.append({"type": "Feature", "id": p.id, "geometry": _point(p.lat, p.lon, crs),
                             "properties": {**p.properties, "cluster": False}})
            continue
        lats = [pins[i].lat for i in members]
        lons = [pins[i].lon for i in members]
        features.append({
            "type": "Feature", "id": f"cluster-{n}",
            "geometry": _point(sum(lats) / len(lats), sum(lons) / len(lons), crs),
            "properties": {"cluster": True, "point_count": len(members),
                           "bbox": _bbox(min(lats), min(lons), max(lats), max(lons), crs)},
        })
    body: dict[str, Any] = {"type": "FeatureCollection", "features": features, "truncated": truncated, "crs": crs}
    if features:
        lons_out = [f["geometry"]["coordinates"][0] for f in features]
        lats_out = [f["geometry"]["coordinates"][1] for f in features]
        body["bbox"] = [min(lons_out), min(lats_out), max(lons_out), max(lats_out)]
    return body
