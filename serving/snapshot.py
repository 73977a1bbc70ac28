"""The catalog as the rules and the ranker read it: every course as a CourseItem plus a columnar
CourseTable, built once per catalog version and shared by all requests of a process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from catalog.lists import ListHistory, shortage_levels, subsidized_history
from catalog.tables import Course, ImportRecord, Institution
from policy.bulk import CourseTable
from policy.profile import CourseFacts
from recommender.course_outcomes import NO_OUTCOME, CourseOutcome, OutcomeCounts, course_outcomes
from recommender.items import CourseItem
from recommender.ranking import CourseArrays
from workers.tables import TrainingRecord


@dataclass(frozen=True, eq=False)
class CatalogSnapshot:
    version: str
    items: tuple[CourseItem, ...]
    row_of: dict[int, int]
    table: CourseTable  # what the rules read
    arrays: CourseArrays  # what ranking reads


def catalog_version(session: Session, on: date) -> str:
    """Changes whenever what a snapshot holds may have changed; one query (at most once a
    second per process, see :class:`SnapshotCache`).

    Every import that changes anything records itself (a shortage level, an institution's credit
    rating, a county's list: none of these touch the course rows); the course count and newest
    update catch courses written by other means. The day matters too: lists take effect on dates.
    """
    count, changed, last_import = session.execute(select(
        func.count(Course.id), func.max(Course.updated_at),
        select(func.max(ImportRecord.id)).scalar_subquery())).one()
    return f"{count}:{changed}:{last_import}:{on.isoformat()}"


def _offering(c: Course) -> str:
    # The same key as stats.archive.TrainingFact.offering: every class of one institution's course.
    return f"{c.institution.code}|{c.occupation_code}|{c.level or '-'}|{c.training_type}"


def archive_outcomes(session: Session, courses: list[Course]) -> dict[int, CourseOutcome]:
    """Shrunk certificate rate and quality-floor verdict per course, from the training archive.

    One grouped count over the archive (no person leaves the database: counts per offering only).
    The snapshot is rebuilt when the catalog or the day changes, so these figures are at most a
    day old, which is as fresh as a certificate rate needs to be.
    """
    finished = TrainingRecord.status.in_(("completed", "dropped"))
    certified = and_(TrainingRecord.status == "completed", TrainingRecord.certificate_type.is_not(None))
    rows = session.execute(
        select(Institution.code, Course.occupation_code, Course.level, Course.training_type,
               func.sum(case((finished, 1), else_=0)), func.sum(case((certified, 1), else_=0)))
        .join(Course, TrainingRecord.course_id == Course.id).join(Institution, Course.institution_id == Institution.id)
        .group_by(Institution.code, Course.occupation_code, Course.level, Course.training_type))
    offerings = {f"{inst}|{occ}|{level or '-'}|{ttype}": OutcomeCounts(int(n or 0), int(k or 0))
                 for inst, occ, level, ttype, n, k in rows}
    ratings = {c.institution.code: c.institution.credit_rating for c in courses}
    return course_outcomes({c.id: (_offering(c), c.institution.code) for c in courses}, offerings, ratings)


def course_item(c: Course, shortage: dict[str, int], subsidized: ListHistory,
                outcome: CourseOutcome = NO_OUTCOME) -> CourseItem:
    # R1: the county's subsidized list in force when the course starts, whatever day one asks
    # (the same course must not flip between refused and subsidized with the query date).
    on_list = subsidized.in_force(c.county, c.start_date)
    facts = CourseFacts(
        id=c.id, occupation_code=c.occupation_code, level=c.level, training_type=c.training_type,
        certificate_type=c.certificate_type, county=c.county, start_date=c.start_date,
        end_date=c.end_date, subsidy_cny=float(c.subsidy_cny), delivery_mode=c.delivery_mode,
        target_groups=frozenset(c.target_groups), reserved_for=frozenset(c.reserved_for or ()),
        stage=c.stage, free_for_key_groups=c.free_for_key_groups,
        occupation_access_restricted=c.occupation.access_restricted,
        occupation_special_operation=c.occupation.special_operation,
        on_county_subsidized_list=None if on_list is None else c.occupation_code in on_list,
        project_based=c.project_based,
    )
    return CourseItem(
        facts=facts, institution_code=c.institution.code,
        institution_credit_rating=c.institution.credit_rating,
        occupation_category=c.occupation.category, shortage_level=shortage.get(c.occupation_code),
        lat=c.lat, lon=c.lon, seats_left=max(c.seats - c.seats_taken, 0),
        enrol_deadline=c.enrol_deadline, title_zh=c.title_zh, title_en=c.title_en,
        institution_name_zh=c.institution.name_zh, certificate_rate=outcome.certificate_rate,
        certificate_finished=outcome.finished, below_quality_floor=outcome.below_floor,
    )


def build_snapshot(session: Session, on: date) -> CatalogSnapshot:
    version = catalog_version(session, on)
    shortage = shortage_levels(session, on)
    subsidized = subsidized_history(session)
    courses = list(session.scalars(select(Course).order_by(Course.id)))
    outcomes = archive_outcomes(session, courses)
    items = tuple(course_item(c, shortage, subsidized, outcomes.get(c.id, NO_OUTCOME)) for c in courses)
    return CatalogSnapshot(
        version=version, items=items, row_of={it.id: i for i, it in enumerate(items)},
        table=CourseTable.from_courses([it.facts for it in items]),
        arrays=CourseArrays.from_courses(items),
    )


class SnapshotCache:
    """Rebuilds the snapshot when the catalog (or the day) changes; one build at a time.

    The catalog's version is asked at most once per ``check_seconds`` (and whenever the day
    changes), not on every request: an import shows in every process within that time.
    """

    def __init__(self, check_seconds: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.check_seconds = check_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: CatalogSnapshot | None = None
        self._checked: tuple[float, date] | None = None

    @property
    def current(self) -> CatalogSnapshot | None:
        """The snapshot served last (None before the first request that needed one)."""
        return self._snapshot

    def get(self, session: Session, on: date) -> CatalogSnapshot:
        now = self._clock()
        snap, checked = self._snapshot, self._checked
        if snap is not None and checked is not None and checked[1] == on and now - checked[0] < self.check_seconds:
            return snap
        version = catalog_version(session, on)
        if snap is not None and snap.version == version:
            self._checked = (now, on)
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.version != catalog_version(session, on):
                snap = build_snapshot(session, on)
                self._snapshot = snap
            self._checked = (now, on)
            return snap
