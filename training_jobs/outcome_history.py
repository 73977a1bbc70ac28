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
* trainees are demo workers the rules let take the class (R1–R12 via :func:`policy.decide_many`,
  so a class reserved for a group (专班) is filled from that group only), of the course's target
  groups when there are such, never more than three subsidized trainings a year (R3) or twice the
  same occupation and level (R4); the subsidy paid is the course's standard when the certificate
  was earned (R2);
* the history agrees with the browsing events it is added to, and so with the tastes behind them:
  a class is filled first with the workers whose events enrolled them in it, then those who looked
  at it, then those whose events show interest in its occupation's category, and only then anyone
  else the rules allow; no one is put in a class of an occupation and level they show interest in
  elsewhere in their events (a past training would make that later interest one the rules forbid,
  R4, and the evaluation would grade the recommender on it).

Measured on the 20,000-worker demo (issue 12): with trainees drawn from the target groups only,
regardless of the rules and the events, 42.8% of the holdout's test positives were courses the
rules forbid (their own archive counted as of today; 5.6% as of the cutoff); drawn as above, 3.3%
as of the cutoff (the training report's "test positives the rules forbid the worker"). Filled
classes still give the demo's most targeted groups (disabled, dibao, laid-off ...) 60-80% of their
test positives from this history alone, with no app event behind them: the report's group table
shows that share and the groups' recall over app-event positives.

Deterministic for a seed: the same catalog and population give the same history.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from catalog.tables import Course, Institution
from policy import CourseTable, PolicySettings, decide_many
from serving.snapshot import build_snapshot
from training_jobs.demo_population import DEMO_PREFIX
from workers.profiles import to_profile
from workers.tables import Event, FamilyLink, TrainingRecord, Worker

# Events that show a worker wants a course (the kinds the evaluation grades on).
_INTEREST_KINDS: Final[tuple[str, ...]] = ("click", "save", "enrol", "complete")

PAST_CLASS_MARK: Final[str] = "-P"
HISTORY_START: Final[date] = date(2025, 1, 6)
RATING_QUALITY: Final[dict[str, float]] = {"AAA": 1.0, "AA": 0.6, "A": 0.3, "B": -0.4, "C": -1.0}
_COURSE_COLUMNS: Final[tuple[str, ...]] = (
    "title_zh", "title_en", "institution_id", "occupation_code", "level", "training_type", "certificate_type",
    "hours", "online_hours", "seats", "county", "address", "lat", "lon", "delivery_mode", "subsidy_cny",
    "target_groups", "reserved_for", "stage", "free_for_key_groups", "accessible", "project_based")
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
    wanted: set[tuple[str, int | None]] = field(default_factory=set)  # (occupation, level) of their events


def _retitle(text: str, start: date) -> str:
    text = re.sub(r"\d{4}年\d{1,2}月", f"{start.year}年{start.month}月", text)
    return re.sub(r"\b[A-Z][a-z]{2} \d{4}\b", f"{_MONTHS_EN[start.month - 1]} {start.year}", text)


def history_present(session: Session) -> bool:
    return session.scalar(select(Course.id).where(Course.code.like(f"%{PAST_CLASS_MARK}1")).limit(1)) is not None


def _eligible(session: Session, today: date, classes: Sequence[Course], worker_ids: Sequence[int],
              settings: PolicySettings | None) -> np.ndarray:
    """(workers, classes) bool: the rules allow the worker the class, before any of this history.

    R3/R4 depend on the history being written, so they are checked as trainees are picked; here
    the archive is empty (the demo population has none before this job).
    """
    facts = {it.id: it.facts for it in build_snapshot(session, today).items}
    table = CourseTable.from_courses([facts[c.id] for c in classes])
    index = {wid: r for r, wid in enumerate(worker_ids)}
    out = np.zeros((len(worker_ids), len(classes)), dtype=bool)
    stmt = (select(Worker).where(Worker.id.in_(list(worker_ids)))
            .options(selectinload(Worker.certificates), selectinload(Worker.family_links)
                     .selectinload(FamilyLink.relative)).execution_options(yield_per=2000))
    for worker in session.scalars(stmt):
        profile = replace(to_profile(worker), trainings=())
        out[index[worker.id]] = np.asarray(decide_many(profile, table, today, settings).eligible, dtype=bool)
    return out


def write_history(session: Session, today: date, seed: int = 2019,
                  settings: PolicySettings | None = None) -> dict[str, int]:
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
    session.flush()
    allowed = _eligible(session, today, started, [w.id for w in workers], settings)
    row_of = {w.id: i for i, w in enumerate(workers)}
    course_key = {c.id: (c.occupation_code, c.level) for c in courses}
    category = {c.id: c.occupation.category for c in started}
    enrolled_in: dict[int, list[int]] = {}
    interested_in: dict[int, list[int]] = {}
    by_category: dict[str, set[int]] = {}
    for wid, cid, kind in session.execute(
            select(Event.worker_id, Event.course_id, Event.kind)
            .where(Event.kind.in_(_INTEREST_KINDS), Event.worker_id.in_(list(row_of)))
            .order_by(Event.at, Event.id)):
        i = row_of[wid]
        if cid in course_key:
            workers[i].wanted.add(course_key[cid])
        if cid in category:
            by_category.setdefault(category[cid], set()).add(i)
        bucket = enrolled_in if kind in ("enrol", "complete") else interested_in
        if i not in bucket.setdefault(cid, []):
            bucket[cid].append(i)
    records: list[dict[str, Any]] = []
    for j, c in enumerate(started):
        q = offering_q[(c.institution_id, c.occupation_code, c.level, c.training_type)]
        is_past = c.code in past
        # A catalog class that has started is as full as the catalog says; a past class was
        # filled to between half and all of its seats.
        size = c.seats_taken if not is_past else max(3, round(c.seats * float(rng.uniform(0.45, 0.95))))
        ok = allowed[:, j]
        pool = sorted({i for g in c.target_groups for i in by_group.get(g, ()) if ok[i]}) \
            or [int(i) for i in np.flatnonzero(ok)]
        # Who takes a class follows taste, as the browsing events do: first those whose events
        # enrolled them in it, then those who looked at it, then those drawn to its occupation's
        # category, and only then anyone else the rules allow.
        own = [i for i in enrolled_in.get(c.id, ()) if ok[i]]
        own += [i for i in interested_in.get(c.id, ()) if ok[i] and i not in own]
        fans = by_category.get(category[c.id], set())
        drawn = [i for i in pool if i in fans]
        rest = [i for i in pool if i not in fans]
        enrolled_on = c.start_date - timedelta(days=int(rng.integers(1, 15)))
        takers = _pick_trainees(rng, workers, own, (drawn, rest), size, c, enrolled_on)
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


def _pick_trainees(rng: np.random.Generator, workers: Sequence[_Worker], first: Sequence[int],
                   tiers: Sequence[Sequence[int]], size: int, c: Course, on: date) -> list[_Worker]:
    chosen: list[_Worker] = []
    year = c.end_date.year
    key = (c.occupation_code, c.level)
    own = set(first)
    order = list(first)
    for tier in tiers:
        order += [int(i) for i in rng.permutation(np.asarray(tier, dtype=np.int64))[: size * 4]]
    for i in order:
        w = workers[int(i)]
        # R3 (three subsidized trainings a year) and R4 (never the same occupation and level twice).
        if w.per_year.get(year, 0) >= 3 or (c.level is not None and key in w.done) or w in chosen:
            continue
        # Someone whose events show interest in this occupation and level elsewhere has not done it yet.
        if int(i) not in own and key in w.wanted:
            continue
        w.per_year[year] = w.per_year.get(year, 0) + 1
        w.done.add(key)
        chosen.append(w)
        if len(chosen) >= size:
            break
    return chosen
