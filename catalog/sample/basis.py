"""Seed, reference date and the small formatting rules every sample file shares."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from catalog.import_schemas import CATEGORIES

__all__ = ["CATEGORIES"]

T = TypeVar("T")

SEED = 20261129
TODAY = dt.date(2026, 11, 29)  # the reference "today" the sample data is built around
FIRST_MONTH = (2026, 9)
LAST_MONTH = (2027, 12)

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "catalog" / "data"
DEFAULT_OCC_DIR = REPO_ROOT / "catalog" / "reference"  # copies of the shared reference CSVs

# Key groups for free training (R10 default reading), in the order the README lists them.
KEY_GROUPS = (
    "two_after_youth", "unemployed_graduate", "laid_off_unemployed", "veteran",
    "employment_difficulty", "disabled", "low_income_household", "dibao",
    "zero_employment_family", "poor_labor", "community_correction",
)

Row = dict[str, str]  # one CSV row as written


def sub_rng(*key: object) -> random.Random:
    """A deterministic RNG for one key (string seeding is hash-randomisation independent)."""
    return random.Random(f"{SEED}:" + ":".join(str(k) for k in key))

def weighted(rng: random.Random, items: Sequence[tuple[T, float]]) -> T:
    """items: list of (value, weight)."""
    total = sum(w for _, w in items)
    x = rng.uniform(0, total)
    acc = 0.0
    for v, w in items:
        acc += w
        if x <= acc:
            return v
    return items[-1][0]

def round10(x: float) -> int:
    return round(x / 10.0) * 10


def round_hours(h: float) -> int:
    return max(16, min(200, round(h / 8.0) * 8))

def fmt_bool(b: bool) -> str:
    return "true" if b else "false"

def fmt_list(xs: Iterable[object]) -> str:
    return "|".join(str(x) for x in xs)

def months_range() -> list[tuple[int, int]]:
    y, m = FIRST_MONTH
    out = []
    while (y, m) <= LAST_MONTH:
        out.append((y, m))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out
