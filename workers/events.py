"""Recording what workers do with courses: the interactions the recommender learns from.

Events arrive from the app in batches and may be retried after a timeout; a ``client_event_id``
makes a retry harmless (the duplicate is skipped, not counted twice).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from access.keys import Principal
from catalog.tables import Course
from workers.access import can_see
from workers.service import ProfileError
from workers.tables import Event, Worker


def record_events(session: Session, principal: Principal, events: list[dict[str, Any]],
                  now: datetime) -> tuple[int, int]:
    """Validate every event, then insert them all; return (stored, duplicates skipped)."""
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
        rows.append({"worker_id": worker.id, "course_id": e["course_id"], "kind": e["kind"], "at": at,
                     "source": principal.role, "client_event_id": e.get("client_event_id")})
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stored = 0
    for row in rows:
        result = session.execute(insert(Event).values(**row).on_conflict_do_nothing(
            index_elements=["client_event_id"]))
        stored += result.rowcount or 0  # type: ignore[attr-defined]
    return stored, len(rows) - stored
