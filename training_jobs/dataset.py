"""Reading a training run's data out of the service database (the demo population is written by
:mod:`training_jobs.demo_population`).

The model learns from events (view … complete, dismiss) and from the training archive: an
enrolment or completion recorded by a counselor is the strongest evidence there is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from tqdm import tqdm

from catalog.tables import JobCenter
from policy.profile import WorkerProfile
from recommender.items import CourseItem, Interaction, InteractionKind, TrainingData
from serving.snapshot import build_snapshot
from workers.profiles import to_profile
from workers.tables import Event, FamilyLink, TrainingRecord, Worker


def load_training_data(session: Session, today: date, progress: bool = True) -> TrainingData:
    """Every worker, every course and every interaction, as plain values."""
    courses = {item.id: item for item in build_snapshot(session, today).items}
    workers: dict[int, WorkerProfile] = {}
    job_center: dict[int, str | None] = {}
    centers = dict(session.execute(select(JobCenter.id, JobCenter.code)).all())
    total = session.scalar(select(func.count(Worker.id))) or 0
    stmt = (select(Worker).order_by(Worker.id)
            .options(selectinload(Worker.certificates), selectinload(Worker.trainings),
                     selectinload(Worker.family_links).selectinload(FamilyLink.relative))
            .execution_options(yield_per=2000))
    for worker in tqdm(session.scalars(stmt), total=total, desc="workers", unit="worker",
                       disable=not progress or None):
        workers[worker.id] = to_profile(worker)
        job_center[worker.id] = centers.get(worker.job_center_id)
    interactions = [Interaction(w, c, cast(InteractionKind, k), _aware(at)) for w, c, k, at in session.execute(
        select(Event.worker_id, Event.course_id, Event.kind, Event.at))]
    for w, c, status, enrolled, completed in session.execute(
            select(TrainingRecord.worker_id, TrainingRecord.course_id, TrainingRecord.status,
                   TrainingRecord.enrolled_on, TrainingRecord.completed_on)
            .where(TrainingRecord.course_id.is_not(None))):
        assert c is not None  # filtered in the query
        interactions.append(Interaction(w, c, "enrol", _at(enrolled), archive=True))
        if status == "dropped":
            # A weak positive (see recommender.model), not nothing; the day it was dropped is not
            # recorded, so it follows the enrolment.
            interactions.append(Interaction(w, c, "drop", datetime.combine(enrolled, time(23, 59), tzinfo=UTC),
                                            archive=True))
        if status == "completed" and completed is not None:
            interactions.append(Interaction(w, c, "complete", _at(completed), archive=True))
    interactions = [i for i in interactions if i.course_id in courses and i.worker_id in workers]
    return TrainingData(workers, courses, interactions, job_center)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def catalog_items(session: Session, today: date) -> list[CourseItem]:
    return list(build_snapshot(session, today).items)
