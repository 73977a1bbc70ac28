"""Recording what workers do with courses: the interactions the recommender learns from.

Events arrive from the app in batches and may be retried after a timeout; a ``client_event_id``
makes a retry harmless (the duplicate is skipped, not counted twice). Ids are unique per worker:
one client's ids can never swallow another worker's events.

Who may record what: a signed-in worker records their own events only (the app's key alone
records none); a counselor records for the workers of their own job center. An event happened
between the worker's registration and now: a back-dated event cannot rewrite a history the
profile did not have.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from access.keys import WORKER_ROLE, Principal
from catalog.tables import Course
from workers.access import can_see
from workers.service import ProfileError
from workers.tables import Event, Worker


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_events(session: Session, principal: Principal, events: list[dict[str, Any]],
                  now: datetime) -> tuple[int, int]:
    """Validate every event, then insert them all; return (stored, duplicates skipped).

    A signed-in worker's events carry no ``worker_id``: they are the worker's own."""
    if principal.role == WORKER_ROLE:
        events = [dict(e, worker_id=principal.worker_id) for e in events]
    worker_ids = {e["worker_id"] for e in events}
    course_ids = {e["course_id"] for e in events}
    workers = {w.id: w for w in session.scalars(select(Worker).where(Worker.id.in_(worker_ids)))}
    known_courses = set(session.scalars(select(Course.id).where(Course.id.in_(course_ids))))
    rows = []
    for i, e in enumerate(events):
        worker = workers.get(e["worker_id"])
        if worker is None or not can_see(principal, worker):
            raise ProfileError(f"events.{i}.worker_id", "no such worker")
        if e["course_id"] not in known_courses:
            raise ProfileError(f"events.{i}.course_id", "no such course")
        at = e.get("at") or now
        if at.tzinfo is None:
            raise ProfileError(f"events.{i}.at", "needs a time zone, e.g. 2026-11-29T10:00:00+08:00")
        if at > now:
            raise ProfileError(f"events.{i}.at", "is in the future")
        if at < _as_utc(worker.created_at):
            raise ProfileError(f"events.{i}.at", "is before the worker was registered")
        rows.append({"worker_id": worker.id, "course_id": e["course_id"], "kind": e["kind"], "at": at,
                     "source": "app" if principal.role == WORKER_ROLE else principal.role,
                     "client_event_id": e.get("client_event_id")})
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stored = 0
    for row in rows:
        result = session.execute(insert(Event).values(**row).on_conflict_do_nothing(
            index_elements=["worker_id", "client_event_id"]))
        stored += result.rowcount or 0  # type: ignore[attr-defined]
    return stored, len(rows) - stored


def standing_dismissals(session: Session, worker_id: int) -> list[tuple[int, datetime, str]]:
    """(course id, when, source) of each course the worker dismissed, latest dismissal first."""
    latest: dict[int, tuple[datetime, str]] = {}
    for course_id, at, source in session.execute(
            select(Event.course_id, Event.at, Event.source)
            .where(Event.worker_id == worker_id, Event.kind == "dismiss").order_by(Event.at, Event.id)):
        latest[course_id] = (_as_utc(at), source)
    return sorted(((c, at, src) for c, (at, src) in latest.items()), key=lambda r: r[1], reverse=True)


def undo_dismissal(session: Session, worker_id: int, course_id: int) -> int:
    """Take back a worker's dismissals of a course (a counselor's undo); return how many went."""
    rows = list(session.scalars(select(Event).where(Event.worker_id == worker_id, Event.course_id == course_id,
                                                    Event.kind == "dismiss")))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
