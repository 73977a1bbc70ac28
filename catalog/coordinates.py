"""Coordinates in the reference systems Chinese map SDKs expect: WGS-84, GCJ-02, BD-09.

We store and compute in WGS-84 (GPS, RFC 7946 GeoJSON). AMap and Tencent maps draw in GCJ-02
and Baidu maps in BD-09; a WGS-84 point drawn on them lands a few hundred metres off. The
conversions are PRCoords' (``prcoords``, public domain): the forward transforms are the published
formulas, the inverses are its iterative ("bored") solutions, accurate to well under a metre, so a
position the app sends in its map's system is turned back into WGS-84 for the query. Outside
mainland China GCJ-02 is WGS-84: such points pass unchanged (checked here, because PRCoords warns).
"""

from __future__ import annotations

from typing import Final, Literal

import prcoords

Crs = Literal["wgs84", "gcj02", "bd09"]
CRS_NAMES: Final[tuple[Crs, ...]] = ("wgs84", "gcj02", "bd09")


def from_wgs84(lat: float, lon: float, crs: Crs) -> tuple[float, float]:
    """A WGS-84 point in ``crs``, as (lat, lon)."""
    point = prcoords.Coords(lat, lon)
    if crs == "wgs84" or not prcoords.sanity_in_china_p(point):
        return lat, lon
    out = prcoords.wgs_gcj(point) if crs == "gcj02" else prcoords.wgs_bd(point)
    return float(out.lat), float(out.lon)


def to_wgs84(lat: float, lon: float, crs: Crs) -> tuple[float, float]:
    """A point given in ``crs`` back in WGS-84, as (lat, lon)."""
    point = prcoords.Coords(lat, lon)
    if crs == "wgs84" or not prcoords.sanity_in_china_p(point):
        return lat, lon
    out = prcoords.gcj_wgs_bored(point) if crs == "gcj02" else prcoords.bd_wgs_bored(point)
    return float(out.lat), float(out.lon)
