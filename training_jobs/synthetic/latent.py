"""A second, differently shaped generator: latent factors, power-law popularity, heavy users.

So that the model and its defaults are not tuned to one hand-written world
(:mod:`~training_jobs.synthetic.population`), this generator shares nothing of its tastes:

* every attribute value (a priority group, an age band, a county, a course's occupation, level,
  institution …) gets a random vector of ``dim`` dimensions; a worker's taste vector is the mean
  of their attributes' vectors plus a *personal* vector (what history reveals and the profile does
  not), a course's the mean of its attributes' plus its own; utility is their dot product;
* course popularity follows a power law (Zipf, exponent 1): a few courses draw most of the
  traffic, unlike the mild N(0, 0.5) quality of the tastes generator;
* activity is Pareto-distributed (a few heavy users, many with one or two sessions) and there is
  no re-engagement, but the same distance penalty and the same rules
  (:mod:`~training_jobs.synthetic.sessions`).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import date

import numpy as np

from policy.profile import WorkerProfile
from recommender.features import item_attribute_features, user_attribute_features
from recommender.items import CourseItem, Interaction
from training_jobs.synthetic.sessions import (
    Behaviour,
    CatalogColumns,
    allowed_courses,
    distances_km,
    simulate_worker,
)
from training_jobs.synthetic.workers import generate_worker


def _vector(name: str, seed: int, dim: int) -> np.ndarray:
    # One fixed random vector per attribute value: crc32 of the name, not hash() (salted per process).
    return np.random.default_rng([seed, 9, zlib.crc32(name.encode())]).normal(0.0, 1.0, dim)


def generate_latent_population(courses: Sequence[CourseItem], n_workers: int, seed: int, today: date,
                               dim: int = 8, personal: float = 1.0, behaviour: Behaviour | None = None,
                               ) -> tuple[dict[int, WorkerProfile], dict[int, str | None], list[Interaction]]:
    """Workers and events under the latent-factor world (same signature as ``generate_population``).

    Parameters
    ----------
    courses, n_workers, seed, today
        As for :func:`training_jobs.synthetic.population.generate_population`.
    dim
        Dimension of the taste vectors.
    personal
        Scale of the personal (history-only) part of a worker's taste next to the attribute part.
    behaviour
        Browsing parameters; default: 5 sessions on average, no re-engagement.
    """
    behaviour = behaviour or Behaviour(sessions_mean=5.0, temperature=1.0, reengage_occupation=0.0,
                                       reengage_institution=0.0)
    rng = np.random.default_rng([seed, 5])
    cat = CatalogColumns.of(courses)
    course_vecs = np.array([np.mean([_vector(n, seed, dim) for n in item_attribute_features(c)], axis=0)
                            + 0.5 * rng.normal(0.0, 1.0, dim) for c in courses])
    popularity = np.log(1.0 / (1.0 + rng.permutation(len(courses))))  # Zipf: log(1/rank)
    workers: dict[int, WorkerProfile] = {}
    job_center: dict[int, str | None] = {}
    events: list[Interaction] = []
    for wid in range(1, n_workers + 1):
        w = generate_worker(rng, today)
        workers[wid] = w.profile
        job_center[wid] = w.job_center
        names = user_attribute_features(w.profile, today)
        taste = np.mean([_vector(n, seed, dim) for n in names], axis=0) + personal * rng.normal(0.0, 1.0, dim)
        dist = distances_km(w.profile, cat)
        offline = np.where(cat.mode == "offline", 0.08, np.where(cat.mode == "hybrid", 0.04, 0.0))
        utility = course_vecs @ taste / np.sqrt(dim) * 2.0 + 0.5 * popularity - offline * np.maximum(dist - 3.0, 0.0)
        activity = float(rng.pareto(1.5) + 0.2)
        allowed = allowed_courses(w.profile, cat, dist, today)
        events.extend(simulate_worker(rng, wid, utility, allowed, activity, cat, today, behaviour))
    events.sort(key=lambda e: (e.at, e.worker_id, e.course_id))
    return workers, job_center, events
