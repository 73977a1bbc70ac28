"""Use case: the course search, answered from the process's catalog snapshot where it can be.

A nearby search with no other filter (the app's "courses near me") is the common case: the
snapshot already holds every course's id, coordinates and end date, so the circle and the order
are numpy over those columns, and the database is read only for the page that is returned. Any
other filter takes the SQL path (:func:`catalog.queries.search_courses`); both return the same
matches in the same order. The snapshot follows the catalog within ``CATALOG_CHECK_SECONDS``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from catalog.queries import CourseColumns, CourseFilter, Page, courses_near, only_near, search_courses
from catalog.tables import Course
from serving.root import Services


def find_courses(services: Services, session: Session, f: CourseFilter, page: Page,
                 today: date) -> tuple[list[tuple[Course, float | None]], int]:
    """Courses matching ``f`` with their distance when ``near`` is given (see the module doc)."""
    if f.near is None or not only_near(f):
        return search_courses(session, f, page)
    snapshot = services.snapshots.get(session, today)
    columns = CourseColumns(ids=snapshot.arrays.ids, lat=snapshot.arrays.lat, lon=snapshot.arrays.lon,
                            end_ordinal=snapshot.table.end_ordinal)
    return courses_near(session, columns, f.near, f.ends_on_or_after, page)
