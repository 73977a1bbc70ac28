"""Use case: a course's push audience, the opted-in workers whose own list holds the course.

The plan's "automated push of training services" (强化培训服务自动化推送): when a course is
published, tell the workers it suits. A worker is in a course's audience when the course is among
their own top-``k`` recommendations, computed by the very step the recommendation endpoint uses
(:func:`serving.recommendations.rank_stored_worker`: rules, archive, standing dismissals, travel
range, model, diversity caps), so a push never says something the worker's list would not show:
never a dismissed course, never one already enrolled in or completed.

A push line carries only what a notification may show: worker id, course id, title, start date
and reason codes, which never name a priority group. No profile field leaves this step. A
notification shows on a lock screen, so a course aimed at a sensitive group is pushed with a
generic title and opened in the app (:mod:`policy.disclosure`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from policy.disclosure import disclosable_reasons, reveals_sensitive_group
from serving.recommendations import StoredWorker, rank_stored_worker, stored_workers
from serving.root import Ranker, Services
from serving.snapshot import CatalogSnapshot
from workers.tables import FamilyLink, Worker

GENERIC_TITLE = ("有一门新的补贴培训课程适合您", "A new subsidized course suits you")


@dataclass
class PushSummary:
    scanned: int = 0
    held_back: int = 0  # suited the worker, but the course's push budget was spent on better fits
    by_course: Counter[int] = field(default_factory=Counter)  # pushes planned per course

    @property
    def pushes(self) -> int:
        return sum(self.by_course.values())


def plan_pushes(ranker: Ranker, snapshot: CatalogSnapshot, workers: Iterable[StoredWorker],
                course_ids: set[int], *, today: date, top_k: int = 20,
                summary: PushSummary | None = None) -> Iterator[dict[str, Any]]:
    """Yield one push line per (worker, course) where the course is in the worker's top ``k``."""
    summary = summary if summary is not None else PushSummary()
    for worker in workers:
        summary.scanned += 1
        result = rank_stored_worker(ranker, snapshot, worker, today=today, k=top_k)
        for rec in result.items:
            if rec.course.id not in course_ids:
                continue
            summary.by_course[rec.course.id] += 1
            generic = reveals_sensitive_group(rec.course.facts.target_groups)
            title_zh, title_en = GENERIC_TITLE if generic else (rec.course.title_zh, rec.course.title_en)
            yield {"worker_id": worker.id, "course_id": rec.course.id, "rank": rec.rank,
                   "title_zh": title_zh, "title_en": title_en, "generic_title": generic,
                   "start_date": rec.course.facts.start_date.isoformat(),
                   "reasons": list(disclosable_reasons(rec.reasons, rec.course.facts.target_groups))}


# A push chosen for a worker is targeted by their profile: it needs both consents. A worker who
# declined profiling (PIPL Art. 24) gets no targeted push; their list in the app is the plain one.
TARGETABLE = (Worker.push_opt_in.is_(True), Worker.personalized.is_(True))


def opted_in_count(session: Session) -> int:
    return session.scalar(select(func.count(Worker.id)).where(*TARGETABLE)) or 0


def opted_in_workers(session: Session) -> Iterator[StoredWorker]:
    """Every worker who accepts targeted pushes, read for ranking (streamed, a chunk at a time)."""
    stmt = (select(Worker).where(*TARGETABLE).order_by(Worker.id)
            .options(selectinload(Worker.certificates), selectinload(Worker.trainings),
                     selectinload(Worker.family_links).selectinload(FamilyLink.relative))
            .execution_options(yield_per=1000))
    return stored_workers(session, session.scalars(stmt))


def course_push_audience(services: Services, session: Session, course_ids: set[int], *, top_k: int = 20,
                         summary: PushSummary | None = None,
                         workers: Iterable[StoredWorker] | None = None) -> Iterator[dict[str, Any]]:
    """The push lines of some courses over every opted-in worker (or the given ``workers``)."""
    today = services.today()
    snapshot = services.snapshots.get(session, today)
    return plan_pushes(services.ranker, snapshot, opted_in_workers(session) if workers is None else workers,
                       course_ids, today=today, top_k=top_k, summary=summary)
