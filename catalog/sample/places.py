"""Counties, coordinates and postal addresses of the sample data."""

from __future__ import annotations

import math
import random

from catalog import vocabulary as V
from catalog.sample.basis import Row


def jitter(rng: random.Random, lat: float, lon: float, max_km: float, min_km: float = 0.3) -> tuple[float, float]:
    d = rng.uniform(min_km, max_km)
    theta = rng.uniform(0, 2 * math.pi)
    dlat = d * math.cos(theta) / 111.0
    dlon = d * math.sin(theta) / (111.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)

def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))

def county_prefix(county: str) -> str:
    zh = V.COUNTIES[county][0]
    if county == "dongtai":
        return "江苏省东台市"
    if county == "etdz":
        return "江苏省盐城市经济技术开发区"
    return "江苏省盐城市" + zh


def build_counties() -> list[Row]:
    rows = []
    for code, (zh, en, lat, lon) in V.COUNTIES.items():
        rows.append({"code": code, "name_zh": zh, "name_en": en, "lat": f"{lat:.2f}", "lon": f"{lon:.2f}"})
    return rows
