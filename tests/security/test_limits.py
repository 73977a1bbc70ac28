"""Limits: body size, page size, string and list lengths, and rate limiting per API key.

Every limit answers with ``application/problem+json``: 413 for a body over the cap, 422 naming
the field for a page, string or list over its cap, 429 with ``Retry-After`` once a key has used
its requests. Rate limiting runs on the in-memory backend and on Redis when
``RECO_TEST_REDIS_URL`` names a server (``.ci/run`` sets it; elsewhere those cases are skipped).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from access.keys import create_key
from storage.session import writing
from tests.conftest import TEST_SECRET, make_test_app

PROBLEM = "application/problem+json"
REDIS_URL = os.environ.get("RECO_TEST_REDIS_URL")
BODY_CAP = 256 * 1024  # the default RECO_MAX_BODY_BYTES


def _app(catalog_template: Path, tmp_path: Path, **overrides: Any) -> tuple[Flask, dict[str, str]]:
    database = tmp_path / f"limits-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copyfile(catalog_template, database)
    app = make_test_app(f"sqlite:///{database}", tmp_path, **overrides)
    with writing(app.services.sessions) as session:
        keys = {
            "admin": create_key(session, TEST_SECRET, "admin")[1],
            "counselor": create_key(session, TEST_SECRET, "counselor", job_center_code="JC-TINGHU")[1],
            "app": create_key(session, TEST_SECRET, "app")[1],
            "app2": create_key(session, TEST_SECRET, "app")[1],
        }
    return app, keys


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def limited(catalog_template: Path, tmp_path: Path) -> Iterator[tuple[FlaskClient, dict[str, str]]]:
    """The app with its default limits (rate limiting off, as in every API test)."""
    app, keys = _app(catalog_template, tmp_path)
    yield app.test_client(), keys
    app.services.engine.dispose()


def field_names(resp: Any) -> set[str]:
    assert resp.content_type == PROBLEM, resp.get_data(as_text=True)
    return {e["field"] for e in resp.get_json().get("errors", [])}


def assert_rejects(resp: Any, field: str) -> None:
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert field in field_names(resp), resp.get_data(as_text=True)


def worker(**fields: Any) -> dict[str, Any]:
    return {"name": "张三", "birth_date": "1985-03-01", "residence_county": "tinghu", **fields}


# --------------------------------------------------------------------------- body size

@pytest.mark.parametrize("path", ["/v1/events", "/v1/workers", "/v1/recommendations", "/v1/eligibility"])
def test_body_over_the_cap_is_413_problem(limited: tuple[FlaskClient, dict[str, str]], path: str) -> None:
    client, keys = limited
    body = json.dumps({"padding": "x" * BODY_CAP})
    resp = client.post(path, data=body, content_type="application/json", headers=auth(keys["admin"]))
    assert resp.status_code == 413
    assert resp.content_type == PROBLEM
    assert resp.get_json()["status"] == 413


def test_body_under_the_cap_reaches_validation(limited: tuple[FlaskClient, dict[str, str]]) -> None:
    client, keys = limited
    body = json.dumps({"padding": "x" * (BODY_CAP - 1000)})
    resp = client.post("/v1/events", data=body, content_type="application/json", headers=auth(keys["admin"]))
    assert_rejects(resp, "padding")  # parsed (not 413), then refused for its unknown field
    assert "events" in field_names(resp)


def test_body_cap_is_a_setting(catalog_template: Path, tmp_path: Path) -> None:
    app, keys = _app(catalog_template, tmp_path, MAX_CONTENT_LENGTH=1024)
    resp = app.test_client().post("/v1/events", data=json.dumps({"events": [], "x": "y" * 2000}),
                                  content_type="application/json", headers=auth(keys["admin"]))
    assert resp.status_code == 413 and resp.content_type == PROBLEM
    assert resp.get_json()["title"] == "Request Entity Too Large" and resp.get_json()["status"] == 413
    app.services.engine.dispose()


# --------------------------------------------------------------------------- page size

@pytest.mark.parametrize("path", ["/v1/courses", "/v1/occupations", "/v1/institutions", "/v1/workers"])
def test_page_size_over_the_cap_names_per_page(limited: tuple[FlaskClient, dict[str, str]], path: str) -> None:
    client, keys = limited
    full = client.get(f"{path}?per_page=100", headers=auth(keys["admin"]))
    assert full.status_code == 200 and full.get_json()["per_page"] == 100
    assert len(full.get_json()["items"]) == min(100, full.get_json()["total"])
    assert_rejects(client.get(f"{path}?per_page=101", headers=auth(keys["admin"])), "per_page")
    assert_rejects(client.get(f"{path}?page=10001", headers=auth(keys["admin"])), "page")


@pytest.mark.parametrize(("path", "field"), [
    ("/v1/map/courses?limit=5001", "limit"),
    ("/v1/courses?q=" + "x" * 65, "q"),
    ("/v1/courses?near=33.35,120.16&radius_km=301", "radius_km"),
])
def test_other_query_caps(limited: tuple[FlaskClient, dict[str, str]], path: str, field: str) -> None:
    client, keys = limited
    assert_rejects(client.get(path, headers=auth(keys["app"])), field)


def test_recommendation_count_is_capped(limited: tuple[FlaskClient, dict[str, str]]) -> None:
    client, keys = limited
    created = client.post("/v1/workers", json=worker(priority_groups=["laid_off_unemployed"],
                                                     employment_status="unemployed"),
                          headers=auth(keys["counselor"]))
    assert created.status_code == 201, created.get_data(as_text=True)
    wid = created.get_json()["id"]
    fifty = client.get(f"/v1/workers/{wid}/recommendations?k=50", headers=auth(keys["counselor"]))
    assert fifty.status_code == 200 and 0 < len(fifty.get_json()["items"]) <= 50
    assert_rejects(client.get(f"/v1/workers/{wid}/recommendations?k=51", headers=auth(keys["counselor"])), "k")
    assert_rejects(client.post("/v1/recommendations", json={"profile": {}, "k": 51}, headers=auth(keys["app"])), "k")


# --------------------------------------------------------------------------- strings and lists

CERT = {"occupation_code": "4-10-01-06", "level": 5, "certificate_type": "skill_level"}


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": "张" * 65}, "name"),
    ({"external_ref": "r" * 65}, "external_ref"),
    ({"job_center": "J" * 33}, "job_center"),
    ({"interests": ["digital"] * 21}, "interests"),
    ({"certificates": [CERT] * 51}, "certificates"),
    ({"family": [{"relative_id": 1, "relation": "child"}] * 21}, "family"),
    ({"priority_groups": ["veteran"] * 18}, "priority_groups"),
    ({"phone": "1" * 12}, "phone"),
    ({"residence_county": "c" * 33}, "residence_county"),
])
def test_worker_string_and_list_caps(limited: tuple[FlaskClient, dict[str, str]], fields: dict[str, Any],
                                     field: str) -> None:
    client, keys = limited
    assert_rejects(client.post("/v1/workers", json=worker(**fields), headers=auth(keys["counselor"])), field)


def test_worker_at_the_caps_is_accepted(limited: tuple[FlaskClient, dict[str, str]]) -> None:
    client, keys = limited
    resp = client.post("/v1/workers", json=worker(name="张" * 64, external_ref="r" * 64,
                                                  interests=["digital"] * 20, certificates=[CERT] * 50),
                       headers=auth(keys["counselor"]))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    stored = resp.get_json()
    assert (stored["name"], len(stored["interests"]), len(stored["certificates"])) == ("张" * 64, 20, 50)
    wid = stored["id"]
    assert_rejects(client.patch(f"/v1/workers/{wid}", json={"name": "张" * 65}, headers=auth(keys["counselor"])),
                   "name")
    assert_rejects(client.patch(f"/v1/workers/{wid}", json={"interests": ["digital"] * 21},
                                headers=auth(keys["counselor"])), "interests")
    assert_rejects(client.post(f"/v1/workers/{wid}/trainings",
                               json={"status": "enrolled", "enrolled_on": "2026-01-01", "external_ref": "t" * 65},
                               headers=auth(keys["counselor"])), "external_ref")


def event(i: int) -> dict[str, Any]:
    return {"worker_id": 1, "course_id": 1, "kind": "view", "client_event_id": f"evt-{i:08d}"}


def test_event_batch_caps(limited: tuple[FlaskClient, dict[str, str]]) -> None:
    client, keys = limited
    assert_rejects(client.post("/v1/events", json={"events": [event(i) for i in range(101)]},
                               headers=auth(keys["admin"])), "events")
    assert_rejects(client.post("/v1/events", json={"events": []}, headers=auth(keys["admin"])), "events")
    long_id = {**event(0), "client_event_id": "e" * 65}
    assert_rejects(client.post("/v1/events", json={"events": [long_id]}, headers=auth(keys["admin"])),
                   "events.0.client_event_id")


@pytest.mark.parametrize(("body", "field"), [
    ({"profile": {"interests": ["digital"] * 21}}, "profile.interests"),
    ({"profile": {"trainings": [{"occupation_code": "4-10-01-06", "training_type": "skill_upgrade",
                                 "status": "completed", "subsidized": True}] * 101}}, "profile.trainings"),
    ({"profile": {"certificates": [CERT] * 51}}, "profile.certificates"),
    ({"profile": {}, "dismissed_course_ids": [1] * 501}, "dismissed_course_ids"),
])
def test_inline_profile_caps(limited: tuple[FlaskClient, dict[str, str]], body: dict[str, Any], field: str) -> None:
    client, keys = limited
    assert_rejects(client.post("/v1/recommendations", json=body, headers=auth(keys["app"])), field)


# --------------------------------------------------------------------------- rate limiting

def _storage_uris() -> list[Any]:
    return ["memory://", pytest.param(REDIS_URL or "", id="redis", marks=pytest.mark.skipif(
        not REDIS_URL, reason="Redis rate-limit storage needs RECO_TEST_REDIS_URL (set by .ci/run)"))]


@pytest.fixture(params=_storage_uris(), ids=lambda p: p.split(":")[0] if p else "redis")
def rate_limited(request: pytest.FixtureRequest, catalog_template: Path,
                 tmp_path: Path) -> Iterator[tuple[FlaskClient, dict[str, str]]]:
    app, keys = _app(catalog_template, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="5 per minute",
                     RATELIMIT_STORAGE_URI=request.param)
    yield app.test_client(), keys
    app.services.engine.dispose()


def test_sixth_request_of_a_key_is_429_with_retry_after(rate_limited: tuple[FlaskClient, dict[str, str]]) -> None:
    client, keys = rate_limited
    for _ in range(5):
        assert client.get("/v1/occupations", headers=auth(keys["app"])).status_code == 200
    resp = client.get("/v1/occupations", headers=auth(keys["app"]))
    assert resp.status_code == 429
    assert resp.content_type == PROBLEM
    body = resp.get_json()
    assert body["status"] == 429 and body["title"] == "Too Many Requests"
    retry_after = resp.headers.get("Retry-After")
    assert retry_after is not None and retry_after.isdigit() and 0 < int(retry_after) <= 60
    assert resp.headers.get("X-RateLimit-Limit") == "5"
    assert resp.headers.get("X-RateLimit-Remaining") == "0"
    # One budget per key, shared by every route: another key is still served, this key is
    # refused on another route too.
    assert client.get("/v1/occupations", headers=auth(keys["app2"])).status_code == 200
    assert client.get("/v1/courses", headers=auth(keys["app"])).status_code == 429


def test_writes_count_against_the_same_budget(rate_limited: tuple[FlaskClient, dict[str, str]]) -> None:
    client, keys = rate_limited
    for i in range(5):
        # No worker 1 in this database: each write is refused on its merits, and still counts.
        assert_rejects(client.post("/v1/events", json={"events": [event(i)]}, headers=auth(keys["admin"])),
                       "events.0.worker_id")
    resp = client.post("/v1/events", json={"events": [event(9)]}, headers=auth(keys["admin"]))
    assert resp.status_code == 429 and resp.content_type == PROBLEM and "Retry-After" in resp.headers


def test_health_is_never_rate_limited(rate_limited: tuple[FlaskClient, dict[str, str]]) -> None:
    client, keys = rate_limited
    for _ in range(12):
        assert client.get("/health/live").status_code == 200
        assert client.get("/health/ready").status_code == 200
        assert client.get("/health/live", headers=auth(keys["app"])).status_code == 200
    # …and probing health did not use up the key's budget.
    assert client.get("/v1/occupations", headers=auth(keys["app"])).status_code == 200


def test_rate_limit_can_be_switched_off(catalog_template: Path, tmp_path: Path) -> None:
    app, keys = _app(catalog_template, tmp_path, RATELIMIT_ENABLED=False, RATELIMIT_DEFAULT="1 per minute")
    client = app.test_client()
    assert all(client.get("/v1/occupations", headers=auth(keys["app"])).status_code == 200 for _ in range(5))
    app.services.engine.dispose()
