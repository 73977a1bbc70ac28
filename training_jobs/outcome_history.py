"""A plausible training history for the demo population: past classes and how their trainees did.

The demo population (:mod:`training_jobs.synthetic`) has profiles and browsing events but no
archive, so the quarterly report would be empty and outcome-aware ranking would have nothing to
learn from. This job adds, for a seeded share of the catalog's course offerings (institution ×
occupation × level × type), up to three *past classes* of the same course (``<code>-P<k>``, dated
back from the earliest class in the catalog, from 2025 on), and fills them and the catalog's
classes that have already started with demo workers, as the archive would hold them.

Hidden outcome model (what the statistics should find again):

* each institution has a quality: its credit rating (AAA +1.0, AA +0.6, A +0.3, B −0.4, C −1.0)
  plus N(0, 0.35); each offering adds its own N(0, 0.35);
* a finished trainee completed with probability ``sigmoid(1.8 + q)`` (else dropped out), and a
  completer earned the certificate with probability ``sigmoid(1.0 + 1.2 q)`` (special-operation
  exams −0.4, a training-completion certificate +1.0);
* trainees are demo workers of the course's target groups, never more than three subsidized
  trainings a year (R3) or twice the same occupation and level (R4); the subsidy paid is the
  course's standard when the certificate was earned (R2).

Deterministic for a seed: the same catalog and population give the same history.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from catalog.tables import Course, Institution
from training_jobs.demo_population import DEMO_PREFIX
from workers.tables import TrainingRecord, Worker

PAST_CLASS_MARK: Final[str] = "-P"
HISTORY_START: Final[date] = date(2025, 1, 6)
RATING_QUALITY: Final[dict[str, float]] = {"AAA": 1.0, "AA": 0.6, "A": 0.3, "B": -0.4, "C": -1.0}
_COURSE_COLUMNS: Final[tuple[str, ...]] = (
    "title_zh", "title_en", "institution_id", "occupation_code", "level", "training_type", "certificate_type",
    "hours", "online_hours", "seats", "county", "address", "lat", "lon", "delivery_mode", "subsidy_cny",
    "target_groups", "free_for_key_groups", "accessible", "project_based")
_MONTHS_EN: Final[tuple[str, ...]] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass
class _Worker:
    id: int
    groups: frozenset[str]
    per_year: dict[int, int] = field(default_factory=dict)
    done: set[tuple[str, int | None]] = field(default_factory=set)


def _retitle(text: str, start: date) -> str:
    text = re.sub(r"\d{4}年\d{1,2}月", f"{start.year}年{start.month}月", text)
    return re.sub(r"\b[A-Z][a-z]{2} \d{4}\b", f"{_MONTHS_EN[start.month - 1]} {start.year}", text)


def history_present(session: Session) -> bool:
    return session.scalar(select(Course.id).where(Course.code.like(f"%{PAST_CLASS_MARK}1")).limit(1)) is not None


def write_history(session: Session, today: date, seed: int = 2019) -> dict[str, int]:
    """Add past classes and the archive of the demo population; returns counts of what was added."""
    rng = np.random.default_rng([seed, 15])
    courses = list(session.scalars(select(Course).order_by(Course.id)))
    ratings = dict(session.execute(select(Institution.id, Institution.credit_rating)).all())
    inst_q = {iid: RATING_QUALITY.get(r, 0.0) + float(rng.normal(0, 0.35)) for iid, r in sorted(ratings.items())}
    workers = [_Worker(wid, frozenset(groups or ())) for wid, groups in session.execute(
        select(Worker.id, Worker.priority_groups).where(Worker.external_ref.like(f"{DEMO_PREFIX}%"))
        .order_by(Worker.id))]
    if not workers or not courses:
        return {"classes": 0, "records": 0}
    by_group: dict[str, list[int]] = {}
    for i, w in enumerate(workers):
        for g in w.groups:
            by_group.setdefault(g, []).append(i)

    offerings: dict[tuple[Any, ...], list[Course]] = {}
    for c in courses:
        offerings.setdefault((c.institution_id, c.occupation_code, c.level, c.training_type), []).append(c)
    classes: list[dict[str, Any]] = []
    for key in sorted(offerings, key=lambda k: (k[0], k[1], k[2] or 0, k[3])):
        first = min(offerings[key], key=lambda c: (c.start_date, c.id))
        n_past = int(rng.choice([0, 1, 2, 3], p=[0.25, 0.35, 0.25, 0.15]))
        start = first.start_date
        for k in range(1, n_past + 1):
            start = start - timedelta(days=int(rng.integers(90, 200)))
            if start < HISTORY_START:
                break
            shift = first.start_date - start
            row = {col: getattr(first, col) for col in _COURSE_COLUMNS}
            row.update(code=f"{first.code}{PAST_CLASS_MARK}{k}", title_zh=_retitle(first.title_zh, start),
                       title_en=_retitle(first.title_en, start), start_date=start, end_date=first.end_date - shift,
                       enrol_deadline=first.enrol_deadline - shift, seats_taken=0)
            classes.append(row)
    offering_q = {key: inst_q.get(key[0], 0.0) + float(rng.normal(0, 0.35)) for key in sorted(
        offerings, key=lambda k: (k[0], k[1], k[2] or 0, k[3]))}

    if classes:
        session.execute(insert(Course), classes)
    past = {c.code: c for c in session.scalars(select(Course).where(Course.code.in_([r["code"] for r in classes])))}
    started = [c for c in courses if c.start_date <= today] + [past[r["code"]] for r in classes]
    started.sort(key=lambda c: (c.start_date, c.id))
    records: list[dict[str, Any]] = []
    for c in started:
        q = offering_q[(c.institution_id, c.occupation_code, c.level, c.training_type)]
        is_past = c.code in past
        # A catalog class that has started is as full as the catalog says; a past class was
        # filled to between half and all of its seats.
        size = c.seats_taken if not is_past else max(3, round(c.seats * float(rng.uniform(0.45, 0.95))))
        pool = sorted({i for g in c.target_groups for i in by_group.get(g, ())}) or list(range(len(workers)))
        enrolled_on = c.start_date - timedelta(days=int(rng.integers(1, 15)))
        takers = _pick_trainees(rng, workers, pool, size, c, enrolled_on)
        if is_past:
            c.seats_taken = min(len(takers), c.seats)
        p_complete = _sigmoid(1.8 + q)
        cert_shift = -0.4 if c.certificate_type == "special_operation" else 1.0 if \
            c.certificate_type == "training_completion" else 0.0
        p_cert = _sigmoid(1.0 + 1.2 * q + cert_shift)
        for w in takers:
            status = "enrolled"
            certified = False
            if c.end_date < today:
                status = "completed" if rng.random() < p_complete else "dropped"
                certified = status == "completed" and bool(rng.random() < p_cert)
            records.append({
                "worker_id": w.id, "course_id": c.id, "occupation_code": c.occupation_code, "level": c.level,
                "training_type": c.training_type, "status": status, "enrolled_on": enrolled_on,
                "end_date": c.end_date, "completed_on": c.end_date if status == "completed" else None,
                "certificate_type": c.certificate_type if certified else None,
                "certificate_level": c.level if certified else None, "subsidized": True,
                "subsidy_cny": c.subsidy_cny if certified else 0, "hours": c.hours, "online_hours": c.online_hours,
            })
    for chunk in range(0, len(records), 5000):
        session.execute(insert(TrainingRecord), records[chunk:chunk + 5000])
    session.flush()
    return {"classes": len(classes), "records": len(records)}


def _pick_trainees(rng: np.random.Generator, workers: Sequence[_Worker], pool: Sequence[int], size: int,
                   c: Course, on: date) -> list[_Worker]:
    chosen: list[_Worker] = []
    year = c.end_date.year
    key = (c.occupation_code, c.level)
    for i in rng.permutation(np.asarray(pool))[: size * 4]:
        w = workers[int(i)]
        # R3 (three subsidized trainings a year) and R4 (never the same occupation and level twice).
        if w.per_year.get(year, 0) >= 3 or (c.level is not None and key in w.done) or w in chosen:
            continue
        w.per_year[year] = w.per_year.get(year, 0) + 1
        w.done.add(key)
        chosen.append(w)
        if len(chosen) >= size:
            break
    return chosen
