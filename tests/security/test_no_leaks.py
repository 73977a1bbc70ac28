"""No leaks: a worker with known sensitive values is driven through every endpoint with every
role, including the error paths, and the logs (root logger at DEBUG), the audit trail and every
response sent to the `app` role are scanned for those values.

Sensitive here: the ID number and its 17-digit prefix, the phone number, the name, the exact
(unrounded) coordinates, and for the app role also the sensitive fields and groups (disability
grade, dibao, low-income household, disabled, community correction, …). The session-wide watch in
``tests/security/leak_watch.py`` scans the whole test run the same way for any ID or phone number.

Also here: debug mode is never on, the service refuses to start with a default secret, and the
gunicorn access log carries no query string and no credentials.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from access.keys import create_key
from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS
from serving.settings import KNOWN_DEFAULT_SECRETS
from storage.session import writing
from tests.conftest import REPO, TEST_SECRET, make_test_app
from workers.identity import check_char
from workers.tables import AuditEntry

ID_PREFIX = "32090219850301234"
NATIONAL_ID = ID_PREFIX + check_char(ID_PREFIX)
OTHER_PREFIX = "32092319900615123"
OTHER_ID = OTHER_PREFIX + check_char(OTHER_PREFIX)
BAD_ID = NATIONAL_ID[:17] + ("0" if NATIONAL_ID[17] != "0" else "1")  # wrong check digit
PHONE = "13951234567"
BAD_PHONE = "1395123456"  # ten digits
NAME = "王秘密"
LAT, LON = 33.391234, 120.123456  # stored rounded to ~1 km; the exact value must never reappear
SENSITIVE_GROUPS = ["dibao", "disabled", "community_correction", "low_income_household"]

# Values no log line, audit row or app-role response may contain.
ALWAYS_SECRET = (NATIONAL_ID, ID_PREFIX, BAD_ID, OTHER_ID, OTHER_PREFIX, PHONE, BAD_PHONE, NAME,
                 str(LAT), str(LON))
# Field names and group codes the app role must not receive about a stored worker.
APP_SECRET = ('"disability_grade"', '"national_id_masked"', '"phone"', '"name"', '"family"',
              '"living_allowance"', '"living_allowance_cny"',
              *(f'"{g}"' for g in sorted(SENSITIVE_PRIORITY_GROUPS)))


def sensitive_worker(**extra: Any) -> dict[str, Any]:
    return {"name": NAME, "national_id": NATIONAL_ID, "phone": PHONE, "gender": "female",
            "education": "junior_high", "hukou_county": "tinghu", "residence_county": "tinghu",
            "jobseeking_county": "tinghu", "location": {"lat": LAT, "lon": LON},
            "employment_status": "unemployed", "priority_groups": [*SENSITIVE_GROUPS, "laid_off_unemployed"],
            "disability_grade": 2, "rural": True, "interests": ["modern_services"], "max_travel_km": 30,
            "online_ok": True, "push_opt_in": True, **extra}


@dataclass
class Exchange:
    role: str
    method: str
    path: str
    status: int
    body: str


@dataclass
class Recorder:
    """Every request made, with the role that made it and the body it got back."""

    client: FlaskClient
    keys: dict[str, str]
    exchanges: list[Exchange] = field(default_factory=list)

    def call(self, role: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role in self.keys else {}
        resp = self.client.open(path, method=method, headers=headers, **kwargs)
        self.exchanges.append(Exchange(role, method, path, resp.status_code, resp.get_data(as_text=True)))
        return resp


@pytest.fixture
def leak_app(catalog_template: Path, tmp_path: Path) -> Iterator[tuple[Flask, Recorder]]:
    database = tmp_path / "leaks.sqlite3"
    shutil.copyfile(catalog_template, database)
    app = make_test_app(f"sqlite:///{database}", tmp_path)
    with writing(app.services.sessions) as session:
        keys = {"admin": create_key(session, TEST_SECRET, "admin")[1],
                "counselor": create_key(session, TEST_SECRET, "counselor", job_center_code="JC-TINGHU")[1],
                "foreign_counselor": create_key(session, TEST_SECRET, "counselor", job_center_code="JC-DAFENG")[1],
                "app": create_key(session, TEST_SECRET, "app")[1]}
    yield app, Recorder(app.test_client(), keys)
    app.services.engine.dispose()


def drive_everything(rec: Recorder) -> dict[str, int]:
    """Every endpoint, every role, success and error paths, around the sensitive worker."""
    created = rec.call("counselor", "POST", "/v1/workers", json=sensitive_worker())
    assert created.status_code == 201, created.get_data(as_text=True)
    wid = created.get_json()["id"]
    relative = rec.call("counselor", "POST", "/v1/workers",
                        json=sensitive_worker(national_id=OTHER_ID, name="亲属", phone=None,
                                              family=[{"relative_id": wid, "relation": "child"}]))
    assert relative.status_code == 201, relative.get_data(as_text=True)
    rid = relative.get_json()["id"]
    course = rec.call("admin", "GET", "/v1/courses?per_page=1").get_json()["items"][0]["id"]
    near = f"near={LAT},{LON}"

    # Error paths that see the ID number or the phone: none may echo them.
    assert rec.call("counselor", "POST", "/v1/workers", json=sensitive_worker()).status_code == 409
    assert rec.call("admin", "POST", "/v1/workers",
                    json=sensitive_worker(job_center="JC-TINGHU")).status_code == 409
    assert rec.call("counselor", "POST", "/v1/workers", json=sensitive_worker(national_id=BAD_ID)).status_code == 422
    assert rec.call("counselor", "POST", "/v1/workers",
                    json=sensitive_worker(national_id=BAD_ID + "9")).status_code == 422
    assert rec.call("counselor", "POST", "/v1/workers",
                    json=sensitive_worker(national_id=OTHER_ID[:6] + "20991301" + OTHER_ID[14:])).status_code == 422
    assert rec.call("counselor", "POST", "/v1/workers", json=sensitive_worker(phone=BAD_PHONE)).status_code == 422
    assert rec.call("counselor", "POST", "/v1/workers", json={**sensitive_worker(), "id_number": NATIONAL_ID,
                                                             "national_id_hash": PHONE}).status_code == 422
    assert rec.call("counselor", "PATCH", f"/v1/workers/{rid}", json={"national_id": NATIONAL_ID}).status_code == 409
    assert rec.call("counselor", "PATCH", f"/v1/workers/{wid}", json={"national_id": BAD_ID}).status_code == 422
    assert rec.call("counselor", "PATCH", f"/v1/workers/{wid}",
                    json={"birth_date": "1990-01-01"}).status_code in (200, 422)
    assert rec.call("counselor", "PATCH", f"/v1/workers/{wid}", json={"national_id": NATIONAL_ID,
                                                                      "birth_date": "1985-03-01"}).status_code == 200
    assert rec.call("counselor", "POST", "/v1/workers",
                    json=sensitive_worker(national_id=None, location={"lat": 91.123456, "lon": LON})).status_code == 422

    # The worker signs in to the app (code from the counselor, exchanged with the app's key).
    code = rec.call("counselor", "POST", f"/v1/workers/{wid}/activation-codes").get_json()["activation_code"]
    tokens = rec.call("app", "POST", "/v1/auth/activate", json={"activation_code": code}).get_json()
    rec.keys["worker"] = tokens["access_token"]
    rec.call("worker", "GET", "/v1/me")
    rec.call("worker", "GET", "/v1/me/recommendations?k=50")
    rec.call("worker", "POST", "/v1/me/events", json={"events": [{"course_id": course, "kind": "save"}]})
    rec.call("counselor", "POST", f"/v1/workers/{wid}/identity-check", json={"national_id": NATIONAL_ID})
    rec.call("counselor", "POST", f"/v1/workers/{wid}/identity-check", json={"national_id": OTHER_ID})
    rec.call("foreign_counselor", "POST", "/v1/workers", json=sensitive_worker(job_center="JC-DAFENG"))
    rec.call("foreign_counselor", "POST", "/v1/transfers", json={"national_id": NATIONAL_ID})

    for role in ("admin", "counselor", "foreign_counselor", "app", "worker", "nobody"):
        rec.call(role, "GET", f"/v1/workers/{wid}")
        rec.call(role, "GET", f"/v1/workers/{rid}")
        rec.call(role, "GET", "/v1/workers?per_page=100")
        rec.call(role, "GET", "/v1/workers?priority_group=dibao")
        rec.call(role, "GET", f"/v1/workers/{wid}/trainings")
        rec.call(role, "POST", f"/v1/workers/{wid}/trainings",
                 json={"course_id": course, "status": "enrolled", "enrolled_on": "2026-11-01"})
        rec.call(role, "GET", f"/v1/workers/{wid}/recommendations")
        rec.call(role, "GET", f"/v1/workers/{wid}/recommendations?k=50&{near}&radius_km=50")
        rec.call(role, "GET", f"/v1/workers/{wid}/eligibility?course_id={course}")
        rec.call(role, "PATCH", f"/v1/workers/{wid}", json={"phone": PHONE, "location": {"lat": LAT, "lon": LON}})
        rec.call(role, "POST", "/v1/events", json={"events": [
            {"worker_id": wid, "course_id": course, "kind": "view"},
            {"worker_id": wid, "course_id": course, "kind": "dismiss", "client_event_id": f"leak-{role}-0001"}]})
        rec.call(role, "POST", "/v1/events", json={"events": [{"worker_id": wid, "course_id": 99_999_999,
                                                              "kind": "view"}]})
        rec.call(role, "GET", f"/v1/courses?{near}&radius_km=30")
        rec.call(role, "GET", f"/v1/map/courses?{near}&radius_km=30")
        rec.call(role, "GET", f"/v1/courses/{course}")
        rec.call(role, "GET", "/v1/occupations")
        rec.call(role, "GET", "/v1/institutions")
        rec.call(role, "POST", "/v1/recommendations", json={"profile": {
            "location": {"lat": LAT, "lon": LON}, "priority_groups": ["dibao", "disabled"], "disability_grade": 1}})
        rec.call(role, "POST", "/v1/eligibility", json={"profile": {
            "location": {"lat": LAT, "lon": LON}, "priority_groups": ["dibao"]}, "course_ids": [course]})
        rec.call(role, "GET", "/health/ready")
    assert rec.call("admin", "DELETE", f"/v1/workers/{rid}").status_code == 204
    return {"worker": wid, "relative": rid, "course": course}


def leaks_in(text: str, secrets: tuple[str, ...]) -> list[str]:
    return [s for s in secrets if s in text]


def test_no_sensitive_value_in_logs_audit_or_app_responses(leak_app: tuple[Flask, Recorder],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    app, rec = leak_app
    caplog.set_level(logging.DEBUG)
    ids = drive_everything(rec)

    # The counselor did receive the values (so the scan below is not vacuous)…
    own = [e for e in rec.exchanges if e.role == "counselor" and e.path == f"/v1/workers/{ids['worker']}"
           and e.method == "GET"]
    assert own and PHONE in own[0].body and NAME in own[0].body and '"dibao"' in own[0].body

    # …but no error body echoes an ID number or phone, whoever sent it.
    for e in rec.exchanges:
        if e.status >= 400:
            assert not leaks_in(e.body, ALWAYS_SECRET), (e.method, e.path, e.status, e.body)

    # Nothing sent to the app role about the stored worker carries a sensitive value or field.
    app_bodies = [e for e in rec.exchanges if e.role == "app"]
    # The app's key alone is refused every stored worker (it acts for nobody in particular).
    assert all(e.status in (401, 403) for e in app_bodies if e.path.startswith("/v1/workers/"))
    for e in app_bodies:
        assert not leaks_in(e.body, ALWAYS_SECRET), (e.method, e.path, e.body)
        if e.path.startswith("/v1/workers"):
            assert not leaks_in(e.body, APP_SECRET), (e.method, e.path, e.body)

    # The logs, at DEBUG, with every record's message, arguments and exception text.
    log_text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert not leaks_in(log_text, ALWAYS_SECRET), log_text

    # The audit trail records who read or wrote which fields, never the values.
    with app.services.sessions() as session:
        rows = list(session.scalars(select(AuditEntry)))
    assert {r.action for r in rows} >= {"create", "read", "update", "delete"}
    audit_text = json.dumps([{"key_id": r.key_id, "role": r.role, "action": r.action,
                              "worker_id": r.worker_id, "fields": r.fields} for r in rows], ensure_ascii=False)
    assert not leaks_in(audit_text, (*ALWAYS_SECRET, *SENSITIVE_GROUPS, "disability_grade\": 2"))


def test_unexpected_errors_log_no_values(leak_app: tuple[Flask, Recorder], caplog: pytest.LogCaptureFixture,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception whose message carries personal data (as SQLAlchemy's statement errors do)
    is logged with its type and stack, never its message."""
    _, rec = leak_app

    def explode(*args: Any, **kwargs: Any) -> None:
        raise ValueError(f"[parameters: ('{NATIONAL_ID}', '{PHONE}', {LAT}, {LON})]")

    monkeypatch.setattr("api.workers.routes.create_worker", explode)
    caplog.set_level(logging.DEBUG)
    resp = rec.call("counselor", "POST", "/v1/workers", json=sensitive_worker())
    assert resp.status_code == 500 and resp.content_type == "application/problem+json"
    assert not leaks_in(resp.get_data(as_text=True), ALWAYS_SECRET)
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert records, "the error must still be logged"
    text = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {logging.Formatter().format(r)}" for r in records)
    assert "ValueError" in text
    assert not leaks_in(text, ALWAYS_SECRET), text


def test_access_log_has_no_query_string_or_credentials() -> None:
    conf: dict[str, Any] = {}
    exec(compile((REPO / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), conf)
    fmt = conf["access_log_format"]
    assert "%(U)s" in fmt  # the path only
    for atom in ("%(r)s", "%(q)s", "%(a)s", "%({authorization}i)s", "%({Authorization}i)s", "%({cookie}i)s"):
        assert atom not in fmt, atom
    assert not re.search(r"%\(\{[^}]*\}i\)s", fmt), "no request headers in the access log"


def test_debug_is_never_on(catalog_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_test_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, DEBUG=True)
    assert app.debug is False
    app.services.engine.dispose()


@pytest.mark.parametrize("secret", [*sorted(KNOWN_DEFAULT_SECRETS), "too-short-a-secret"])
def test_refuses_to_start_with_a_default_secret(tmp_path: Path, secret: str) -> None:
    with pytest.raises(RuntimeError, match="Refusing to start"):
        make_test_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, TESTING=False, SECRET_KEY=secret)
