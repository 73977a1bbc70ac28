"""Planning pushes: which opted-in workers a course suits, as a batch job.

The plan's "automated push of training services" (强化培训服务自动化推送): when a course is
published, tell the workers it suits. A worker is in a course's audience when the course is among
their own top-``k`` recommendations: the same rules, filters, model and diversity caps as the
recommendation endpoint, so a push never says something the app would not show.

A push line carries only what a notification may show: worker id, course id, title, start date
and reason codes, which never name a priority group. No profile field leaves this job. A notification
shows on a lock screen: the title of a course aimed at a sensitive group (a disability training
base's course, a course for dibao families) would tell anyone who sees the phone that its owner is
in that group, so such courses are pushed with a generic title and opened in the app.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS
from policy import PolicySettings
from policy.profile import WorkerProfile
from recommender.ranking import RankingWeights
from serving.models import ModelServing
from serving.recommend import recommend
from serving.snapshot import CatalogSnapshot

GENERIC_TITLE = ("有一门新的补贴培训课程适合您", "A new subsidized course suits you")


@dataclass
class PushSummary:
    scanned: int = 0
    held_back: int = 0  # suited the worker, but the course's push budget was spent on better fits
    by_course: Counter[int] = field(default_factory=Counter)  # pushes planned per course

    @property
    def pushes(self) -> int:
        return sum(self.by_course.values())


def cap_per_course(lines: Iterable[dict[str, Any]], budget: dict[int, int],
                   summary: PushSummary | None = None) -> list[dict[str, Any]]:
    """Keep, per course, the ``budget[course]`` lines where it ranks highest for the worker.

    A course with 9 open seats pushed to 545 people disappoints 536 of them; the budget (e.g. ten
    pushes per open seat) goes to the workers for whom the course is the best fit."""
    by_course: dict[int, list[dict[str, Any]]] = {}
    for line in lines:
        by_course.setdefault(line["course_id"], []).append(line)
    kept: list[dict[str, Any]] = []
    for course_id, group in by_course.items():
        group.sort(key=lambda line: (line["rank"], line["worker_id"]))
        n = budget.get(course_id, len(group))
        kept.extend(group[:n])
        if summary is not None:
            summary.held_back += len(group) - min(n, len(group))
            summary.by_course[course_id] = min(n, len(group))
    kept.sort(key=lambda line: (line["worker_id"], line["course_id"]))
    return kept


def plan_pushes(snapshot: CatalogSnapshot, serving: ModelServing, workers: Iterable[tuple[int, WorkerProfile]],
                course_ids: set[int], *, today: date, settings: PolicySettings, weights: RankingWeights,
                top_k: int = 20, default_max_km: float | None = 50.0,
                summary: PushSummary | None = None) -> Iterator[dict[str, Any]]:
    """Yield one push line per (worker, course) where the course is in the worker's top ``k``."""
    summary = summary if summary is not None else PushSummary()
    for worker_id, profile in workers:
        summary.scanned += 1
        result = recommend(snapshot, serving, profile, worker_id=worker_id, today=today, settings=settings,
                           weights=weights, k=top_k, default_max_km=default_max_km)
        for rec in result.items:
            if rec.course.id not in course_ids:
                continue
            summary.by_course[rec.course.id] += 1
            generic = bool(rec.course.facts.target_groups & SENSITIVE_PRIORITY_GROUPS)
            title_zh, title_en = GENERIC_TITLE if generic else (rec.course.title_zh, rec.course.title_en)
            yield {"worker_id": worker_id, "course_id": rec.course.id, "rank": rec.rank,
                   "title_zh": title_zh, "title_en": title_en, "generic_title": generic,
                   "start_date": rec.course.facts.start_date.isoformat(), "reasons": list(rec.reasons)}
