"""The training archive as statistics read it: one plain row per training, no one's identity.

:func:`load_archive` is the only function here that touches the database. It reads the columns a
figure needs (dates, status, type, the worker's priority groups and job center, the course's
county, targets, occupation and institution) and nothing that names a person: no worker id, name,
ID number, phone, birth date or location leaves this module, so nothing downstream (reports,
exports, charts, the API) can export personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.tables import Course, Institution, JobCenter, Occupation
from workers.tables import TrainingRecord, Worker


@dataclass(frozen=True)
class TrainingFact:
    """One training of the archive, de-identified.

    ``county`` is where the training took place (the course's county), else the worker's county
    of residence for trainings outside the catalog. ``offering`` names a course across its
    classes (institution, occupation, level, type): past cohorts of "the same course" are the
    classes of one offering.
    """

    job_center: str
    county: str
    worker_groups: frozenset[str]
    training_type: str
    occupation_code: str
    level: int | None
    status: str  # enrolled | completed | dropped
    enrolled_on: date
    completed_on: date | None
    end_date: date | None
    certified: bool
    subsidized: bool
    subsidy_cny: int
    course_id: int | None = None
    course_targets: frozenset[str] = frozenset()
    occupation_category: str | None = None
    institution_code: str | None = None

    @property
    def offering(self) -> str | None:
        if self.institution_code is None:
            return None
        return f"{self.institution_code}|{self.occupation_code}|{self.level or '-'}|{self.training_type}"

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "dropped")


def load_archive(session: Session, job_center_ids: Sequence[int] | None = None,
                 recorded_before: date | None = None) -> list[TrainingFact]:
    """Every training of the archive (of the given job centers' workers), oldest first.

    ``recorded_before`` leaves out entries recorded on or after that day, so a report can be
    recomputed exactly as it stood when it was filed.
    """
    stmt = (select(TrainingRecord, Worker.priority_groups, Worker.residence_county, JobCenter.code,
                   Course.county, Course.target_groups, Institution.code, Occupation.category)
            .join(Worker, TrainingRecord.worker_id == Worker.id)
            .join(JobCenter, Worker.job_center_id == JobCenter.id)
            .outerjoin(Course, TrainingRecord.course_id == Course.id)
            .outerjoin(Institution, Course.institution_id == Institution.id)
            .outerjoin(Occupation, TrainingRecord.occupation_code == Occupation.code)
            .order_by(TrainingRecord.enrolled_on, TrainingRecord.id))
    if job_center_ids is not None:
        stmt = stmt.where(Worker.job_center_id.in_(list(job_center_ids)))
    if recorded_before is not None:
        stmt = stmt.where(TrainingRecord.created_at < recorded_before)
    out = []
    for rec, groups, residence, center, county, targets, inst, category in session.execute(stmt):
        out.append(TrainingFact(
            job_center=center, county=county or residence or "unknown",
            worker_groups=frozenset(groups or ()), training_type=rec.training_type,
            occupation_code=rec.occupation_code, level=rec.level, status=rec.status,
            enrolled_on=rec.enrolled_on, completed_on=rec.completed_on, end_date=rec.end_date,
            certified=rec.status == "completed" and rec.certificate_type is not None,
            subsidized=bool(rec.subsidized), subsidy_cny=int(rec.subsidy_cny or 0),
            course_id=rec.course_id, course_targets=frozenset(targets or ()),
            occupation_category=category, institution_code=inst,
        ))
    return out


def institution_ratings(session: Session) -> dict[str, str]:
    """Institution code → credit rating (信用等级), shown beside its outcomes."""
    return {code: rating for code, rating in session.execute(select(Institution.code, Institution.credit_rating))}


def course_seats(session: Session) -> dict[int, int]:
    """Course id → seats, for enrolment rates."""
    return {cid: seats for cid, seats in session.execute(select(Course.id, Course.seats))}


def job_center_id(session: Session, code: str) -> int | None:
    return session.scalar(select(JobCenter.id).where(JobCenter.code == code))
