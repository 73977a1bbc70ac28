"""Withdrawing push consent stops every pending push of the worker at once (and only theirs)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.tables import Course
from tests.api.conftest import Keys
from tests.api.test_workers_api import create
from workers.push_tables import PlannedPush


def test_withdrawal_cancels_pending_pushes(app: Flask, client: FlaskClient, keys: Keys) -> None:
    mine = create(client, keys.as_tinghu)["id"]
    other = create(client, keys.as_tinghu, national_id=None, phone=None, name="另一位")["id"]
    with app.services.sessions.begin() as session:  # type: ignore[attr-defined]
        courses = list(session.scalars(select(Course.id).order_by(Course.id).limit(3)))
        when = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
        session.add_all([
            PlannedPush(plan_date=date(2026, 11, 29), worker_id=mine, course_id=courses[0], position=1, due_at=when,
                        status="sent"),
            PlannedPush(plan_date=date(2026, 11, 30), worker_id=mine, course_id=courses[1], position=2, due_at=when,
                        status="pending"),
            PlannedPush(plan_date=date(2026, 12, 1), worker_id=mine, course_id=courses[2], position=1, due_at=when,
                        status="pending"),
            PlannedPush(plan_date=date(2026, 11, 30), worker_id=other, course_id=courses[1], position=1, due_at=when,
                        status="pending"),
        ])
    r = client.patch(f"/v1/workers/{mine}", headers=keys.as_tinghu, json={"push_opt_in": False})
    assert r.status_code == 200 and r.get_json()["push_opt_in"] is False
    with app.services.sessions() as session:  # type: ignore[attr-defined]
        status = {(p.worker_id, p.course_id): p.status for p in session.scalars(select(PlannedPush))}
    assert status == {(mine, courses[0]): "sent", (mine, courses[1]): "cancelled", (mine, courses[2]): "cancelled",
                      (other, courses[1]): "pending"}
    # Opting in again does not revive what was cancelled.
    assert client.patch(f"/v1/workers/{mine}", headers=keys.as_tinghu, json={"push_opt_in": True}).status_code == 200
    with app.services.sessions() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(PlannedPush.status).where(PlannedPush.worker_id == mine,
                                                               PlannedPush.course_id == courses[2])) == "cancelled"
