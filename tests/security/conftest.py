"""Security fixtures: an app with the sample catalog, one key per role, and workers at two job
centers, so authorization and fuzzing tests hit objects that exist (own and foreign).

The sample catalog is imported once per session (tests/conftest.py); each test copies it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from access.keys import create_key
from storage.session import writing
from tests.conftest import TEST_SECRET, make_test_app

OWN_CENTER = "JC-TINGHU"
FOREIGN_CENTER = "JC-DAFENG"


@dataclass(frozen=True)
class World:
    """A populated app: keys by role, and a worker of each counselor's job center."""

    app: Flask
    keys: dict[str, str]  # admin, counselor (of OWN_CENTER), foreign_counselor, app
    own_worker: int  # registered at OWN_CENTER
    foreign_worker: int  # registered at FOREIGN_CENTER
    course_id: int

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"} if role in self.keys else {}

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
    course = client.get("/v1/courses?per_page=1", headers={"Authorization": f"Bearer {keys['admin']}"})
    assert course.status_code == 200, course.get_data(as_text=True)
    return World(app, keys, ids["counselor"][0], ids["foreign_counselor"][0],
                 course.get_json()["items"][0]["id"])


@pytest.fixture
def world(catalog_template: Path, tmp_path: Path) -> Iterator[World]:
    w = build_world(catalog_template, tmp_path)
    yield w
    w.app.services.engine.dispose()
