"""Dates at the edge and in storage.

At the edge every date field has the domain's bounds (``policy/date_bounds.py``): a far-future
certificate or an inline birth date in 9999 is a 422 naming the field, and the API refuses what
the import refuses (an end before the enrolment). Behind the edge the rules never trust a stored
date: a property test writes extreme dates straight into the database (as a row from before the
bounds, or a hand edit, would be) and every endpoint that reads the worker, the console's pages
and the push plan still answer, never 500.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from access.accounts import create_account
from policy.date_bounds import add_years
from storage.session import writing
from tests.api.conftest import Keys
from tests.api.test_workers_api import create, profile
from tests.console.conftest import PASSWORD, sign_in
from training_jobs.push import run_plan
from workers.tables import TrainingRecord, Worker, WorkerCertificate

PROBLEM = "application/problem+json"
TODAY = "2026-11-29"  # the test app's pinned day
SPECIAL_OP = "6-01-04-03"  # any occupation code: R11 compares the certificate with the current post


def field_errors(r: Any) -> dict[str, str]:
    assert r.mimetype == PROBLEM, r.get_data(as_text=True)
    return {e["field"]: e["message"] for e in r.get_json().get("errors", [])}


def cert(**dates: str) -> dict[str, Any]:
    return {"occupation_code": SPECIAL_OP, "certificate_type": "special_operation", **dates}


# --------------------------------------------------------------------------- at the edge

def test_far_future_certificate_is_422_naming_the_field(client: FlaskClient, keys: Keys) -> None:
    r = client.post("/v1/workers", headers=keys.as_tinghu,
                    json=profile(certificates=[cert(issued_on="9999-06-01")]))
    assert r.status_code == 422
    assert "certificates.0.issued_on" in field_errors(r)
    w = create(client, keys.as_tinghu)
    r = client.patch(f"/v1/workers/{w['id']}", headers=keys.as_tinghu,
                     json={"certificates": [cert(issued_on="2027-01-15")]})  # in range, but not yet issued
    assert r.status_code == 422
    assert "is in the future" in field_errors(r)["certificates.0.issued_on"]
    r = client.patch(f"/v1/workers/{w['id']}", headers=keys.as_tinghu,
                     json={"certificates": [cert(issued_on="2020-01-15", valid_until="2019-01-01")]})
    assert r.status_code == 422 and "certificates.0.valid_until" in field_errors(r)
    # The tolerance: tomorrow is still accepted (a form filled in the evening), as for trainings.
    r = client.patch(f"/v1/workers/{w['id']}", headers=keys.as_tinghu,
                     json={"certificates": [cert(issued_on="2026-11-30")]})
    assert r.status_code == 200, r.get_data(as_text=True)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/eligibility", {"profile": {"birth_date": "9999-12-31"}, "course_ids": [1]}, "profile.birth_date"),
    ("/v1/recommendations", {"profile": {"birth_date": "9999-12-31"}}, "profile.birth_date"),
    ("/v1/recommendations", {"profile": {"birth_date": "0001-01-01"}}, "profile.birth_date"),
    ("/v1/eligibility", {"profile": {"certificates": [cert(issued_on="9999-06-01")]}, "course_ids": [1]},
     "profile.certificates.0.issued_on"),
    ("/v1/recommendations", {"profile": {"trainings": [{
        "occupation_code": SPECIAL_OP, "training_type": "employment_skills", "status": "completed",
        "subsidized": True, "enrolled_on": "2026-03-01", "completed_on": "9999-12-31"}]}},
     "profile.trainings.0.completed_on"),
    ("/v1/recommendations", {"profile": {"trainings": [{
        "occupation_code": SPECIAL_OP, "training_type": "employment_skills", "status": "enrolled",
        "subsidized": True, "enrolled_on": "2026-03-01", "end_date": "2026-02-01"}]}},
     "profile.trainings.0.end_date"),
])
def test_inline_profile_dates_out_of_the_domain_are_422(client: FlaskClient, keys: Keys, path: str,
                                                       body: dict[str, Any], field: str) -> None:
    r = client.post(path, headers=keys.as_app, json=body)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert field in field_errors(r)


@pytest.mark.parametrize(("body", "field"), [
    ({"birth_date": "0001-01-01", "national_id": None}, "birth_date"),
    ({"birth_date": "1899-12-31", "national_id": None}, "birth_date"),
])
def test_stored_profile_birth_date_bounds(client: FlaskClient, keys: Keys, body: dict[str, Any], field: str) -> None:
    r = client.post("/v1/workers", headers=keys.as_tinghu, json=profile(**body))
    assert r.status_code == 422, r.get_data(as_text=True)
    assert field in field_errors(r)


def test_training_dates_the_import_refuses_the_api_refuses(client: FlaskClient, keys: Keys) -> None:
    w = create(client, keys.as_tinghu)
    base = {"occupation_code": SPECIAL_OP, "training_type": "employment_skills", "subsidized": False}
    cases = [
        ({**base, "status": "enrolled", "enrolled_on": "2026-03-01", "end_date": "2026-02-01"}, "end_date"),
        ({**base, "status": "completed", "enrolled_on": "2026-03-01", "completed_on": "9999-12-31"}, "completed_on"),
        ({**base, "status": "enrolled", "enrolled_on": "1800-01-01"}, "enrolled_on"),
        ({**base, "status": "enrolled", "enrolled_on": "2026-03-01", "end_date": "9999-01-01"}, "end_date"),
    ]
    for body, field in cases:
        r = client.post(f"/v1/workers/{w['id']}/trainings", headers=keys.as_tinghu, json=body)
        assert r.status_code == 422, (body, r.get_data(as_text=True))
        assert field in field_errors(r), body


def test_course_filters_outside_the_domain_are_422(client: FlaskClient, keys: Keys) -> None:
    r = client.get("/v1/courses?starts_after=9999-12-31", headers=keys.as_app)
    assert r.status_code == 422 and "starts_after" in field_errors(r)


def test_add_years_saturates() -> None:
    assert add_years(date(9999, 6, 1), 6) == date.max
    assert add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert add_years(date(1, 1, 1), -1) == date.min


# --------------------------------------------------------------------------- stored extremes

EXTREMES = st.one_of(
    st.sampled_from([date.min, date(1, 12, 31), date(1899, 12, 31), date(9999, 12, 31), date(9999, 2, 28),
                     date(9998, 12, 1), date(2024, 2, 29), date(2026, 11, 29)]),
    st.dates(),
)


@pytest.fixture
def stored(app: Flask, client: FlaskClient, keys: Keys) -> dict[str, Any]:
    """A Tinghu worker with a certificate for their own high-risk post, a subsidized enrolment and a
    completion, opted in to pushes; the console signed in as a Tinghu counselor."""
    w = create(client, keys.as_tinghu, priority_groups=["high_risk_worker", "laid_off_unemployed"],
               current_occupation_code=SPECIAL_OP, certificates=[cert(issued_on="2022-01-01")], push_opt_in=True)
    base = {"occupation_code": SPECIAL_OP, "training_type": "employment_skills", "subsidized": True}
    for body in ({**base, "status": "enrolled", "enrolled_on": "2026-03-01"},
                 {**base, "status": "completed", "enrolled_on": "2025-03-01", "completed_on": "2025-05-01"}):
        r = client.post(f"/v1/workers/{w['id']}/trainings", headers=keys.as_tinghu,
                        json={**body, "override_reason": "recorded by the test of extreme dates"})
        assert r.status_code == 201, r.get_data(as_text=True)
    with writing(app.services.sessions) as session:
        create_account(session, "zhang.wei", PASSWORD, job_center_code="JC-TINGHU", display_name="张伟")
    console = app.test_client()
    sign_in(console, "zhang.wei")
    return {"id": w["id"], "console": console}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(birth=EXTREMES, issued=EXTREMES, valid=st.one_of(st.none(), EXTREMES), enrolled=EXTREMES,
       ended=st.one_of(st.none(), EXTREMES), completed=EXTREMES)
def test_extreme_stored_dates_never_give_500(app: Flask, client: FlaskClient, keys: Keys, stored: dict[str, Any],
                                             tmp_path: Path, birth: date, issued: date, valid: date | None,
                                             enrolled: date, ended: date | None, completed: date) -> None:
    wid = stored["id"]
    with writing(app.services.sessions) as session:
        session.execute(update(Worker).where(Worker.id == wid).values(birth_date=birth))
        session.execute(update(WorkerCertificate).where(WorkerCertificate.worker_id == wid)
                        .values(issued_on=issued, valid_until=valid))
        session.execute(update(TrainingRecord).where(TrainingRecord.worker_id == wid)
                        .values(enrolled_on=enrolled, end_date=ended))
        session.execute(update(TrainingRecord).where(TrainingRecord.worker_id == wid,
                                                     TrainingRecord.status == "completed")
                        .values(completed_on=completed))
    h = keys.as_tinghu
    paths = ["", "/eligibility?course_id=1", "/recommendations?k=5", "/recommendations?all_eligible=true",
             "/why-nothing", "/trainings", "/dismissals"]
    for path in paths:
        r = client.get(f"/v1/workers/{wid}{path}", headers=h)
        assert r.status_code < 500, (path, r.get_data(as_text=True))
    assert client.get("/v1/workers?per_page=5", headers=h).status_code == 200
    r = client.post("/v1/workers/search", headers=h, json={"name": "王"})
    assert r.status_code == 200
    console = stored["console"]
    for page in ("", "/recommendations", "/why-nothing", "/archive", "/courses", "/edit"):
        r = console.get(f"/console/clients/{wid}{page}")
        assert r.status_code < 500, (page, r.get_data(as_text=True)[:500])
    with app.app_context():
        run_plan(app.services, ["1"], tmp_path / "push.jsonl", progress=False)
