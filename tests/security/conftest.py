"""Security fixtures: an app with the sample catalog, one key per role, workers at two job
centers, and app sign-ins (a worker's token, another worker's, an expired and a revoked one), so
authorization and fuzzing tests hit objects that exist (own and foreign).

The sample catalog is imported once per session (tests/conftest.py); each test copies it."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from access.keys import create_key
from catalog.tables import Course
from storage.session import writing
from tests.conftest import TEST_SECRET, make_test_app
from workers.identity import check_char
from workers.push_tables import PlannedPush
from workers.sign_in import activate, issue_activation_code, revoke_session
from workers.tables import Worker

OWN_CENTER = "JC-TINGHU"
FOREIGN_CENTER = "JC-DAFENG"
THIRD_CENTER = "JC-YANDU"
_numbers = itertools.count(100)


def new_national_id() -> str:
    """A valid, unused (per run) resident ID number of a Tinghu-born person."""
    first17 = f"320902198503{next(_numbers) % 28 + 1:02d}{next(_numbers) % 1000:03d}"
    return first17 + check_char(first17)


@dataclass(frozen=True)
class World:
    """A populated app: keys by role, and a worker of each counselor's job center."""

    app: Flask
    # admin, counselor (of OWN_CENTER), foreign_counselor, third_counselor, app, and access tokens:
    # worker (own_worker's), other_worker (of another worker of OWN_CENTER), expired, revoked.
    keys: dict[str, str]
    own_worker: int  # registered at OWN_CENTER
    foreign_worker: int  # registered at FOREIGN_CENTER
    course_id: int
    own_spare_session: str = ""  # a second device of own_worker (for the per-device revocation cells)

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"} if role in self.keys else {}

    def new_code(self) -> str:
        """A fresh activation code for own_worker."""
        with writing(self.app.services.sessions) as session:
            worker = session.get(Worker, self.own_worker)
            assert worker is not None
            return issue_activation_code(session, TEST_SECRET, worker, now=datetime.now(UTC), issued_by=None)[0]

    def dismiss(self, worker_id: int) -> int:
        """Record a dismissal of the world's course for ``worker_id``; return the course id."""
        resp = self.app.test_client().post("/v1/events", headers=self.headers("admin"), json={"events": [
            {"worker_id": worker_id, "course_id": self.course_id, "kind": "dismiss"}]})
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return self.course_id

    def new_push(self, worker_id: int) -> int:
        """A pending push to ``worker_id`` of a course not yet pushed to them; return the push id."""
        with writing(self.app.services.sessions) as session:
            used = select(PlannedPush.course_id).where(PlannedPush.worker_id == worker_id)
            course = session.scalar(select(Course.id).where(Course.id.not_in(used)).order_by(Course.id).limit(1))
            push = PlannedPush(plan_date=date(2026, 11, 29), worker_id=worker_id, course_id=course, position=1,
                               due_at=datetime(2026, 11, 29, tzinfo=UTC), status="pending")
            session.add(push)
            session.flush()
            return push.id

    def new_refresh_token(self) -> str:
        code = self.new_code()
        with writing(self.app.services.sessions) as session:
            return activate(session, TEST_SECRET, code, device_name="spare", now=datetime.now(UTC)).refresh_token

    def new_registered(self, center: str) -> tuple[int, str]:
        """A worker with an ID number at ``center``: (id, number)."""
        number = new_national_id()
        county = {OWN_CENTER: "tinghu", FOREIGN_CENTER: "dafeng", THIRD_CENTER: "yandu"}[center]
        body = dict(worker_body(county, 98), external_ref=None, job_center=center, national_id=number,
                    birth_date=None)
        resp = self.app.test_client().post("/v1/workers", json=body, headers=self.headers("admin"))
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return int(resp.get_json()["id"]), number

    def new_transfer(self, holder: str, asker: str) -> int:
        """A pending transfer of a new worker held at ``holder``, asked for by ``asker``'s counselor."""
        _, number = self.new_registered(holder)
        role = {OWN_CENTER: "counselor", FOREIGN_CENTER: "foreign_counselor", THIRD_CENTER: "third_counselor"}[asker]
        resp = self.app.test_client().post("/v1/transfers", json={"national_id": number},
                                           headers=self.headers(role))
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return int(resp.get_json()["id"])

    def new_training(self, worker_id: int) -> int:
        """Enrol ``worker_id`` in the world's course (for cells that record its completion)."""
        resp = self.app.test_client().post(f"/v1/workers/{worker_id}/trainings", headers=self.headers("admin"),
                                           json={"course_id": self.course_id, "status": "enrolled",
                                                 "enrolled_on": "2026-11-01"})
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return int(resp.get_json()["id"])

    def new_worker(self, center: str) -> int:
        """Register one more worker at ``center`` (for cells that delete theirs)."""
        county = "tinghu" if center == OWN_CENTER else "dafeng"
        body = dict(worker_body(county, 99), external_ref=None, job_center=center)
        resp = self.app.test_client().post("/v1/workers", json=body, headers=self.headers("admin"))
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return int(resp.get_json()["id"])


def worker_body(center_county: str, n: int) -> dict[str, Any]:
    return {"external_ref": f"SEC-{center_county}-{n}", "name": f"测试{n}", "birth_date": "1985-03-01",
            "gender": "female" if n % 2 else "male", "education": "senior_high",
            "hukou_county": center_county, "residence_county": center_county,
            "jobseeking_county": center_county, "location": {"lat": 33.35, "lon": 120.16},
            "employment_status": "unemployed", "priority_groups": ["laid_off_unemployed"],
            "interests": ["digital"], "max_travel_km": 40, "online_ok": True, "push_opt_in": False}


def build_world(template: Path, tmp_path: Path) -> World:
    database = tmp_path / "security.sqlite3"
    shutil.copyfile(template, database)
    app = make_test_app(f"sqlite:///{database}", tmp_path)
    with writing(app.services.sessions) as session:
        keys = {
            "admin": create_key(session, TEST_SECRET, "admin", name="sec admin")[1],
            "counselor": create_key(session, TEST_SECRET, "counselor", job_center_code=OWN_CENTER)[1],
            "foreign_counselor": create_key(session, TEST_SECRET, "counselor", job_center_code=FOREIGN_CENTER)[1],
            "third_counselor": create_key(session, TEST_SECRET, "counselor", job_center_code=THIRD_CENTER)[1],
            "app": create_key(session, TEST_SECRET, "app", name="sec app")[1],
        }
    client = app.test_client()
    ids: dict[str, list[int]] = {"counselor": [], "foreign_counselor": []}
    for role, county in (("counselor", "tinghu"), ("foreign_counselor", "dafeng")):
        for n in range(3):
            resp = client.post("/v1/workers", json=worker_body(county, n),
                               headers={"Authorization": f"Bearer {keys[role]}"})
            assert resp.status_code == 201, resp.get_data(as_text=True)
            ids[role].append(resp.get_json()["id"])
    # A course one can still enrol in (seats left, starting well after the pinned day, so its
    # deadline is ahead): enrolment is guarded by availability (issue 13).
    course = client.get("/v1/courses?per_page=1&has_open_seats=true&starts_after=2026-12-20",
                        headers={"Authorization": f"Bearer {keys['admin']}"})
    assert course.status_code == 200, course.get_data(as_text=True)
    own, other = ids["counselor"][0], ids["counselor"][1]
    now = datetime.now(UTC)
    with writing(app.services.sessions) as session:
        def token(worker_id: int, at: datetime) -> tuple[str, str]:
            worker = session.get(Worker, worker_id)
            assert worker is not None
            code = issue_activation_code(session, TEST_SECRET, worker, now=at, issued_by=None)[0]
            issued = activate(session, TEST_SECRET, code, device_name="phone", now=at)
            return issued.access_token, issued.session_id

        keys["worker"] = token(own, now)[0]
        spare = token(own, now)[1]
        keys["other_worker"] = token(other, now)[0]
        # Issued an hour ago: the access token has expired, its session (30 days) has not.
        keys["expired"] = token(own, now - timedelta(hours=1))[0]
        revoked, revoked_session = token(own, now)
        revoke_session(session, own, revoked_session, now=now, reason="test")
        keys["revoked"] = revoked
    return World(app, keys, own, ids["foreign_counselor"][0], course.get_json()["items"][0]["id"],
                 own_spare_session=spare)


@pytest.fixture
def world(catalog_template: Path, tmp_path: Path) -> Iterator[World]:
    w = build_world(catalog_template, tmp_path)
    yield w
    w.app.services.engine.dispose()
