"""The "tastes" generator: hand-written group tastes, personal favourites, re-engagement.

Utility of a course for a worker is a sum of:

* group taste for the occupation *category* and *training type* (:data:`~.workers.TASTES`):
  two-after youth → employment skills in modern services and digital; unemployed graduates →
  digital; enterprise employees → skill upgrade in manufacturing, strongly preferring *their own
  occupation at the next level* above the certificate they hold; high-risk workers → safety
  training in *their* special operation class; returning migrants and entrepreneurs →
  entrepreneurship and e-commerce; farmers → agriculture; rural migrants, laid-off, poverty groups →
  modern services, transport; veterans → security, auto repair, driving, entrepreneurship; disabled →
  handicraft, e-commerce, online courses; community correction → construction, auto repair, cooking;
* a course aimed at one of the worker's groups: +0.8;
* shortage occupations: +0.3 (level 1) … +0.1 (level 3);
* distance: −0.08 per km for offline courses beyond 3 km (−0.04 for hybrid), halved for a
  favourite occupation (people travel for what they really want);
* a *personal* affinity not visible in the profile: one or two favourite occupations, for a third
  of people from anywhere (+2.0), declared in ``interests`` only half of the time. This is what a
  collaborative model can learn from the history and a content model cannot;
* re-engagement after a click (:class:`~.sessions.Behaviour`);
* a hidden per-course quality N(0, 0.5): popular courses stay popular.

Sessions and the funnel, and how the rules are obeyed: :mod:`~training_jobs.synthetic.sessions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from policy.profile import WorkerProfile
from recommender.items import CourseItem, Interaction
from training_jobs.synthetic.sessions import (
    Behaviour,
    CatalogColumns,
    allowed_courses,
    distances_km,
    simulate_worker,
)
from training_jobs.synthetic.workers import TASTES, SyntheticWorker, generate_worker


def taste_utility(worker: SyntheticWorker, cat: CatalogColumns, dist: np.ndarray) -> np.ndarray:
    """Utility of every course for one worker under the hand-written tastes."""
    profile = worker.profile
    groups = profile.priority_groups
    short_bonus = np.where(cat.shortage > 0, (4 - np.clip(cat.shortage, 1, 3)) * 0.1, 0.0)
    u = cat.quality + short_bonus
    for g in sorted(groups):
        t = TASTES.get(g, {})
        for c, v in t.get("cat", {}).items():
            u = u + v * (cat.category == c)
        for ty, v in t.get("type", {}).items():
            u = u + v * (cat.training_type == ty)
        if "online" in t:
            u = u + t["online"] * (cat.mode == "online")
    u = u + 0.8 * np.array([bool(tg & groups) for tg in cat.targets])
    fav = np.isin(cat.occupation, list(worker.favourites))
    u = u + 2.0 * fav
    current = profile.current_occupation_code
    if current is not None:
        same = cat.occupation == current
        held = max((5 - (c.level or 5) for c in profile.certificates if c.occupation_code == current), default=-1)
        next_level = 5 - (held + 1)  # level numbers fall as skill rises
        u = u + 1.0 * same + 1.2 * (same & (cat.level == next_level))
        if current.startswith("SO-"):
            u = u + 1.5 * np.char.startswith(cat.occupation.astype(str), current.split(".")[0])
    dpen = np.where(cat.mode == "offline", 0.08, np.where(cat.mode == "hybrid", 0.04, 0.0))
    u = u - dpen * np.where(fav, 0.5, 1.0) * np.maximum(dist - 3.0, 0.0)
    if not profile.online_ok:
        u = u - 3.0 * (cat.mode == "online")
    return np.asarray(u, dtype=np.float64)


def generate_population(courses: Sequence[CourseItem], n_workers: int, seed: int, today: date,
                        months: int = 18, sessions_mean: float = 7.0, behaviour: Behaviour | None = None,
                        ) -> tuple[dict[int, WorkerProfile], dict[int, str | None], list[Interaction]]:
    """Generate workers and their interactions with the given courses.

    Parameters
    ----------
    courses
        The catalog (e.g. from :func:`~training_jobs.synthetic.courses.generate_courses`; any
        CourseItems work, hidden quality and publication date default to 0 and 120 days before
        the deadline).
    n_workers
        Number of workers (ids ``1..n_workers``).
    seed
        Random seed; the same seed gives the same output.
    today
        Last day of the history (eligibility is judged as of this day).
    months, sessions_mean
        Length of the history and mean sessions per worker (ignored when ``behaviour`` is given).
    behaviour
        All browsing parameters.

    Returns
    -------
    tuple
        ``(workers, job_center, interactions)``; interactions sorted by time.
    """
    behaviour = behaviour or Behaviour(months=months, sessions_mean=sessions_mean)
    rng = np.random.default_rng([seed, 2])
    cat = CatalogColumns.of(courses)
    workers: dict[int, WorkerProfile] = {}
    job_center: dict[int, str | None] = {}
    events: list[Interaction] = []
    for wid in range(1, n_workers + 1):
        w = generate_worker(rng, today)
        workers[wid] = w.profile
        job_center[wid] = w.job_center
        dist = distances_km(w.profile, cat)
        allowed = allowed_courses(w.profile, cat, dist, today)
        events.extend(simulate_worker(rng, wid, taste_utility(w, cat, dist), allowed, w.activity, cat, today,
                                      behaviour))
    events.sort(key=lambda e: (e.at, e.worker_id, e.course_id))
    return workers, job_center, events
