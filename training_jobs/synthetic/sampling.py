"""Random draws shared by the synthetic catalog and population."""

from __future__ import annotations

import math

import numpy as np

#: Rough population weights of Yancheng's counties (where people live, where institutions are).
COUNTY_WEIGHTS: dict[str, float] = {"tinghu": 8, "yandu": 8, "dafeng": 7, "dongtai": 10, "jianhu": 7, "sheyang": 9,
                                    "funing": 9, "binhai": 9, "xiangshui": 5, "etdz": 4, "yannan": 4}


def jitter(rng: np.random.Generator, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point uniformly within ``km`` of (lat, lon)."""
    r = km * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return lat + r * math.cos(a) / 111.0, lon + r * math.sin(a) / (111.0 * math.cos(math.radians(lat)))


def pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    """One key drawn with probability proportional to its weight."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]
