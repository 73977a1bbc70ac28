"""The catalog as the rules and the ranker read it: every course as a CourseItem plus a columnar
CourseTable, built once per catalog version and shared by all requests of a process."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.lists import ListHistory, shortage_levels, subsidized_history
from catalog.tables import Course, ImportRecord
from policy.bulk import CourseTable
from policy.profile import CourseFacts
from recommender.items import CourseItem
from recommender.ranking import CourseArrays


@dataclass(frozen=True, eq=False)
class CatalogSnapshot:
    version: str
    items: tuple[CourseItem, ...]
    row_of: dict[int, int]
    table: CourseTable  # what the rules read
    arrays: CourseArrays  # what ranking reads


def catalog_version(session: Session, on: date) -> str:
    """Changes whenever what a snapshot holds may have changed; one query per request.

    Every import that changes anything records itself (a shortage level, an institution's credit
    rating, a county's list: none of these touch the course rows); the course count and newest
    update catch courses written by other means. The day matters too: lists take effect on dates.
    """
    count, changed, last_import = session.execute(select(
        func.count(Course.id), func.max(Course.updated_at),
        select(func.max(ImportRecord.id)).scalar_subquery())).one()
    return f"{count}:{changed}:{last_import}:{on.isoformat()}"


def course_item(c: Course, shortage: dict[str, int], subsidized: ListHistory) -> CourseItem:
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
        institution_name_zh=c.institution.name_zh,
    )


def build_snapshot(session: Session, on: date) -> CatalogSnapshot:
    version = catalog_version(session, on)
    shortage = shortage_levels(session, on)
    subsidized = subsidized_history(session)
    items = tuple(course_item(c, shortage, subsidized)
                  for c in session.scalars(select(Course).order_by(Course.id)))
    return CatalogSnapshot(
        version=version, items=items, row_of={it.id: i for i, it in enumerate(items)},
        table=CourseTable.from_courses([it.facts for it in items]),
        arrays=CourseArrays.from_courses(items),
    )


class SnapshotCache:
    """Rebuilds the snapshot when the catalog (or the day) changes; one build at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: CatalogSnapshot | None = None

    def get(self, session: Session, on: date) -> CatalogSnapshot:
        version = catalog_version(session, on)
        snap = self._snapshot
        if snap is not None and snap.version == version:
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.version != catalog_version(session, on):
                snap = build_snapshot(session, on)
                self._snapshot = snap
            return snap
