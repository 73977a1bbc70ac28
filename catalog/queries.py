"""Catalog searches a counselor and the app make: filters, text search, nearby, pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session

from catalog.geo import bounding_box, haversine_km
from catalog.lists import shortage_levels
from catalog.tables import Course, Institution, Occupation

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class CourseFilter:
    county: str | None = None
    occupation: str | None = None
    category: str | None = None
    level: int | None = None
    training_type: str | None = None
    delivery_mode: str | None = None
    priority_group: str | None = None
    institution: str | None = None
    starts_after: date | None = None
    starts_before: date | None = None
    has_open_seats: bool | None = None
    open_for_enrolment_on: date | None = None
    # Courses that ended before this day are left out (lists serve people who can still go).
    ends_on_or_after: date | None = None
    q: str | None = None
    near: Near | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _paginate(session: Session, stmt: Select[Any], page: Page) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.offset(page.offset).limit(page.per_page)))
    return items, total


def search_occupations(session: Session, *, shortage: bool | None, category: str | None,
                       q: str | None, on: date, page: Page) -> tuple[list[tuple[Occupation, int | None]], int]:
    levels = shortage_levels(session, on)
    stmt = select(Occupation).order_by(Occupation.code)
    if category:
        stmt = stmt.where(Occupation.category == category)
    if q:
        pattern = _like(q)
        stmt = stmt.where(or_(func.lower(Occupation.name_zh).like(pattern, escape="\\"),
                              func.lower(Occupation.name_en).like(pattern, escape="\\"),
                              Occupation.code.like(pattern, escape="\\")))
    if shortage is True:
        stmt = stmt.where(Occupation.code.in_(list(levels)))
    elif shortage is False:
        stmt = stmt.where(Occupation.code.not_in(list(levels)))
    items, total = _paginate(session, stmt, page)
    return [(o, levels.get(o.code)) for o in items], total


def search_institutions(session: Session, *, county: str | None, type_: str | None,
                        disability_base: bool | None, q: str | None,
                        page: Page) -> tuple[list[Institution], int]:
    stmt = select(Institution).order_by(Institution.code)
    if county:
        stmt = stmt.where(Institution.county == county)
    if type_:
        stmt = stmt.where(Institution.type == type_)
    if disability_base is not None:
        stmt = stmt.where(Institution.disability_base == disability_base)
    if q:
        pattern = _like(q)
        stmt = stmt.where(or_(func.lower(Institution.name_zh).like(pattern, escape="\\"),
                              func.lower(Institution.name_en).like(pattern, escape="\\")))
    return _paginate(session, stmt, page)


def _course_statement(f: CourseFilter) -> Select[Any]:
    stmt = select(Course)
    if f.county:
        stmt = stmt.where(Course.county == f.county)
    if f.occupation:
        stmt = stmt.where(Course.occupation_code == f.occupation)
    if f.category:
        stmt = stmt.join(Occupation, Occupation.code == Course.occupation_code).where(
            Occupation.category == f.category)
    if f.level is not None:
        stmt = stmt.where(Course.level == f.level)
    if f.training_type:
        stmt = stmt.where(Course.training_type == f.training_type)
    if f.delivery_mode:
        stmt = stmt.where(Course.delivery_mode == f.delivery_mode)
    if f.institution:
        stmt = stmt.where(Course.institution.has(Institution.code == f.institution))
    if f.priority_group:
        # JSON list stored as text on both SQLite and PostgreSQL; codes are quoted whole words.
        stmt = stmt.where(cast(Course.target_groups, String).like(f'%"{f.priority_group}"%'))
    if f.starts_after:
        stmt = stmt.where(Course.start_date >= f.starts_after)
    if f.starts_before:
        stmt = stmt.where(Course.start_date <= f.starts_before)
    if f.has_open_seats is True:
        stmt = stmt.where(Course.seats_taken < Course.seats)
    elif f.has_open_seats is False:
        stmt = stmt.where(Course.seats_taken >= Course.seats)
    if f.open_for_enrolment_on:
        stmt = stmt.where(Course.enrol_deadline >= f.open_for_enrolment_on)
    if f.ends_on_or_after:
        stmt = stmt.where(Course.end_date >= f.ends_on_or_after)
    if f.q:
        pattern = _like(f.q)
        stmt = stmt.where(or_(func.lower(Course.title_zh).like(pattern, escape="\\"),
                              func.lower(Course.title_en).like(pattern, escape="\\")))
    if f.near:
        min_lat, max_lat, min_lon, max_lon = bounding_box(f.near.lat, f.near.lon, f.near.radius_km)
        stmt = stmt.where(Course.lat.between(min_lat, max_lat), Course.lon.between(min_lon, max_lon))
    return stmt


def search_courses(session: Session, f: CourseFilter,
                   page: Page | None) -> tuple[list[tuple[Course, float | None]], int]:
    """Courses matching ``f`` with their distance (km) when ``near`` is given, nearest first;
    otherwise by start date. ``page=None`` returns every match (the map)."""
    stmt = _course_statement(f)
    if f.near is None:
        stmt = stmt.order_by(Course.start_date, Course.id)
        if page is None:
            items = list(session.scalars(stmt))
            return [(c, None) for c in items], len(items)
        items, total = _paginate(session, stmt, page)
        return [(c, None) for c in items], total
    # The bounding box prefilters in SQL; the exact circle and the order need real distances.
    # Only ids and coordinates come back for the whole box (thousands of rows in a dense city);
    # full rows are loaded for the one page that is returned.
    box = list(session.execute(stmt.with_only_columns(Course.id, Course.lat, Course.lon)))
    if not box:
        return [], 0
    ids = np.fromiter((row[0] for row in box), np.int64, len(box))
    dist = haversine_km(f.near.lat, f.near.lon, [row[1] for row in box], [row[2] for row in box])
    return _nearest_page(session, ids, dist, f.near.radius_km, page)


def _nearest_page(session: Session, ids: np.ndarray, dist: np.ndarray, radius_km: float,
                  page: Page | None) -> tuple[list[tuple[Course, float | None]], int]:
    # Inside the circle, nearest first (id for equal distances); full rows for the page only.
    inside = np.flatnonzero(dist <= radius_km)
    order = inside[np.lexsort((ids[inside], dist[inside]))]
    total = len(order)
    if page is not None:
        order = order[page.offset: page.offset + page.per_page]
    wanted = [int(ids[i]) for i in order]
    loaded = {c.id: c for c in session.scalars(select(Course).where(Course.id.in_(wanted)))} if wanted else {}
    # A course deleted since the ids were read is left out rather than failing the page.
    return [(loaded[int(ids[i])], round(float(dist[i]), 3)) for i in order if int(ids[i]) in loaded], total


def courses_near(session: Session, columns: CourseColumns, near: Near, ends_on_or_after: date | None,
                 page: Page) -> tuple[list[tuple[Course, float | None]], int]:
    """:func:`search_courses` with only ``near`` (and ``ends_on_or_after``) set, from in-memory
    columns of the whole catalog instead of a box query: the same matches in the same order,
    with only the page's rows read from the database."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(near.lat, near.lon, near.radius_km)
    lat, lon = columns.lat, columns.lon
    box = (lat >= min_lat) & (lat <= max_lat) & (lon >= min_lon) & (lon <= max_lon)
    if ends_on_or_after is not None:
        box &= columns.end_ordinal >= ends_on_or_after.toordinal()
    rows = np.flatnonzero(box)
    dist = haversine_km(near.lat, near.lon, lat[rows], lon[rows])
    return _nearest_page(session, columns.ids[rows], dist, near.radius_km, page)


@dataclass(frozen=True, eq=False)
class CourseColumns:
    """What a nearby search reads of every course: ids, coordinates, end dates (ordinals)."""

    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    end_ordinal: np.ndarray


def only_near(f: CourseFilter) -> bool:
    """Whether ``f`` filters by place (and end date) alone, so :func:`courses_near` answers it."""
    return f.near is not None and all(getattr(f, name) is None for name in (
        "county", "occupation", "category", "level", "training_type", "delivery_mode", "priority_group",
        "institution", "starts_after", "starts_before", "has_open_seats", "open_for_enrolment_on", "q"))


def map_institutions(session: Session, *, near: Near | None, county: str | None, type_: str | None,
                     disability_base: bool | None, with_open_courses: bool | None, on: date,
                     limit: int) -> tuple[list[tuple[Institution, float | None, int]], int]:
    """Institutions for the map with how many courses they have open for enrolment on ``on``;
    nearest first with ``near`` (within its radius), otherwise by code."""
    stmt = select(Institution).order_by(Institution.code)
    if county:
        stmt = stmt.where(Institution.county == county)
    if type_:
        stmt = stmt.where(Institution.type == type_)
    if disability_base is not None:
        stmt = stmt.where(Institution.disability_base == disability_base)
    if near is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(near.lat, near.lon, near.radius_km)
        stmt = stmt.where(Institution.lat.between(min_lat, max_lat), Institution.lon.between(min_lon, max_lon))
    rows = list(session.scalars(stmt))
    open_counts: dict[int, int] = {int(i): int(n) for i, n in session.execute(
        select(Course.institution_id, func.count(Course.id))
        .where(Course.enrol_deadline >= on, Course.seats_taken < Course.seats)
        .group_by(Course.institution_id))}
    if with_open_courses is not None:
        rows = [i for i in rows if (open_counts.get(i.id, 0) > 0) == with_open_courses]
    found: list[tuple[Institution, float | None, int]]
    if near is None:
        found = [(i, None, open_counts.get(i.id, 0)) for i in rows]
    else:
        dist = haversine_km(near.lat, near.lon, [i.lat for i in rows], [i.lon for i in rows])
        inside = [j for j in np.argsort(dist, kind="stable") if dist[j] <= near.radius_km]
        found = [(rows[j], round(float(dist[j]), 3), open_counts.get(rows[j].id, 0)) for j in inside]
    return found[:limit], len(found)
