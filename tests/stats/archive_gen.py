"""A seeded random training archive for statistics tests (plain rows, no database)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from catalog.vocabulary import COUNTIES, CREDIT_RATINGS, PRIORITY_GROUPS, TRAINING_TYPES
from stats.archive import TrainingFact

CATEGORIES = ("modern_services", "advanced_manufacturing", "digital", "agriculture", "safety", "healthcare",
              "business")
INSTITUTIONS = tuple(f"INST-{i:02d}" for i in range(12))
RATINGS = {code: CREDIT_RATINGS[i % len(CREDIT_RATINGS)] for i, code in enumerate(INSTITUTIONS)}


def random_archive(n: int, seed: int, first: date = date(2025, 1, 1), days: int = 700) -> list[TrainingFact]:
    rng = np.random.default_rng(seed)
    groups = list(PRIORITY_GROUPS)
    counties = list(COUNTIES)
    types = list(TRAINING_TYPES)
    out = []
    for _ in range(n):
        enrolled = first + timedelta(days=int(rng.integers(days)))
        length = int(rng.integers(5, 120))
        end = enrolled + timedelta(days=length)
        status = str(rng.choice(["enrolled", "completed", "dropped"], p=[0.2, 0.65, 0.15]))
        wg = frozenset(str(g) for g in rng.choice(groups, size=int(rng.integers(0, 3)), replace=False))
        targets = frozenset(str(g) for g in rng.choice(groups, size=int(rng.integers(0, 3)), replace=False))
        inst = str(rng.choice(INSTITUTIONS)) if rng.random() < 0.9 else None
        out.append(TrainingFact(
            job_center=f"JC-{rng.integers(3)}", county=str(rng.choice(counties)), worker_groups=wg,
            training_type=str(rng.choice(types)), occupation_code=f"4-10-01-0{rng.integers(1, 4)}",
            level=int(rng.choice([5, 4, 3])), status=status, enrolled_on=enrolled,
            completed_on=end if status == "completed" else None, end_date=end,
            certified=status == "completed" and rng.random() < 0.7, subsidized=bool(rng.random() < 0.85),
            subsidy_cny=int(rng.integers(0, 3000)) if status == "completed" else 0,
            course_id=int(rng.integers(1, 60)) if inst else None, course_targets=targets if inst else frozenset(),
            occupation_category=str(rng.choice(CATEGORIES)), institution_code=inst,
        ))
    return out
