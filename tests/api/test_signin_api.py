"""A worker signs in to the app: activation code, access and refresh tokens, scopes, revocation,
pseudonymous ids and events that belong to the signed-in worker."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from storage.session import writing
from tests.api.conftest import Keys
from tests.conftest import TEST_SECRET, sign_in
from workers.sign_in import activate, issue_activation_code
from workers.tables import AuditEntry, Event, Worker

PERSON = {"name": "登录测试", "birth_date": "1988-04-01", "gender": "female", "education": "senior_high",
          "hukou_county": "tinghu", "residence_county": "tinghu", "jobseeking_county": "tinghu",
          "location": {"lat": 33.39, "lon": 120.15}, "employment_status": "unemployed",
          "priority_groups": ["laid_off_unemployed"], "interests": ["digital"], "max_travel_km": 40}


def register(client: FlaskClient, headers: dict[str, str], **extra: object) -> int:
    r = client.post("/v1/workers", headers=headers, json={**PERSON, **extra})
    assert r.status_code == 201, r.get_data(as_text=True)
    return int(r.get_json()["id"])


def problem(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.get_data(as_text=True)  # type: ignore[attr-defined]
    assert r.mimetype == "application/problem+json"  # type: ignore[attr-defined]
    return r.get_json()  # type: ignore[attr-defined,no-any-return]


def test_sign_in_end_to_end(client: FlaskClient, keys: Keys, caplog: pytest.LogCaptureFixture, app: Flask) -> None:
    caplog.set_level(logging.DEBUG)
    wid = register(client, keys.as_tinghu, external_ref="TH-LOGIN-1")
    r = client.post(f"/v1/workers/{wid}/activation-codes", headers=keys.as_tinghu)
    assert r.status_code == 201
    code = r.get_json()["activation_code"]
    assert len(code.replace("-", "")) == 12

    # The app's key alone gets no stored worker; with the code it gets this worker's tokens.
    problem(client.get(f"/v1/workers/{wid}", headers=keys.as_app), 403)
    problem(client.post("/v1/auth/activate", headers=keys.as_tinghu, json={"activation_code": code}), 403)
    r = client.post("/v1/auth/activate", headers=keys.as_app, json={"activation_code": code.lower(),
                                                                    "device_name": "Pixel"})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    tokens = r.get_json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    assert set(tokens["scope"].split()) == {"profile:read", "recommendations:read", "events:write", "consent:write"}
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["sub"] == tokens["worker_id"] and claims["exp"] - claims["iat"] == 900
    # A code works once.
    body = problem(client.post("/v1/auth/activate", headers=keys.as_app, json={"activation_code": code}), 422)
    assert body["errors"][0]["field"] == "activation_code"  # type: ignore[index]

    me = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = client.get("/v1/me", headers=me)
    assert r.status_code == 200, r.get_data(as_text=True)
    profile = r.get_json()
    # Pseudonymous: not the database id, no job center, no job center's reference.
    assert profile["id"] == tokens["worker_id"] and profile["id"] != wid and profile["id"].startswith("w_")
    assert not {"job_center", "external_ref", "national_id_masked", "family"} & set(profile)
    assert "TH-LOGIN-1" not in r.get_data(as_text=True) and "JC-TINGHU" not in r.get_data(as_text=True)
    assert profile["priority_groups"] == ["laid_off_unemployed"] and profile["birth_month"] == "1988-04"
    r = client.put("/v1/me/consent", headers=me, json={"push_opt_in": True})
    assert r.status_code == 200 and r.get_json()["push_opt_in"] is True
    assert [(h["purpose"], h["granted"], h["channel"]) for h in r.get_json()["history"]] == [("push", True, "app")]
    assert client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).get_json()["push_opt_in"] is True

    # Refresh rotates; the replaced refresh token coming back ends the session (it was copied).
    r = client.post("/v1/auth/refresh", headers=keys.as_app, json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200
    renewed = r.get_json()
    assert renewed["refresh_token"] != tokens["refresh_token"] and renewed["session_id"] == tokens["session_id"]
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {renewed['access_token']}"}).status_code == 200
    problem(client.post("/v1/auth/refresh", headers=keys.as_app, json={"refresh_token": tokens["refresh_token"]}), 422)
    problem(client.get("/v1/me", headers={"Authorization": f"Bearer {renewed['access_token']}"}), 401)
    problem(client.post("/v1/auth/refresh", headers=keys.as_app, json={"refresh_token": renewed["refresh_token"]}), 422)

    # Never logged, never in the audit trail.
    secrets = (code, code.replace("-", ""), tokens["access_token"], tokens["refresh_token"],
               renewed["access_token"], renewed["refresh_token"])
    for record in caplog.records:
        assert not any(s in record.getMessage() for s in secrets)
    with app.services.sessions() as session:
        trail = " ".join(repr((e.action, e.fields)) for e in session.scalars(select(AuditEntry)))
    assert "sign_in" in trail and not any(s in trail for s in secrets)


def test_tokens_are_revoked_per_device_and_per_worker(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys.as_tinghu)
    phone = sign_in(client, keys.as_tinghu, keys.as_app, wid, device="phone")
    tablet = sign_in(client, keys.as_tinghu, keys.as_app, wid, device="tablet")
    listed = client.get("/v1/me/sessions", headers=phone["headers"]).get_json()["items"]
    assert {(s["device_name"], s["current"]) for s in listed} == {("phone", True), ("tablet", False)}
    # The worker signs the lost tablet out from the phone.
    assert client.delete(f"/v1/me/sessions/{tablet['session_id']}", headers=phone["headers"]).status_code == 204
    problem(client.get("/v1/me", headers=tablet["headers"]), 401)
    problem(client.post("/v1/auth/refresh", headers=keys.as_app, json={"refresh_token": tablet["refresh_token"]}), 422)
    assert client.get("/v1/me", headers=phone["headers"]).status_code == 200
    # Sign-out ends this device.
    laptop = sign_in(client, keys.as_tinghu, keys.as_app, wid, device="laptop")
    assert client.post("/v1/auth/sign-out", headers=laptop["headers"]).status_code == 204
    problem(client.get("/v1/me", headers=laptop["headers"]), 401)
    # The counselor signs the worker out everywhere; another center's counselor cannot.
    problem(client.delete(f"/v1/workers/{wid}/sessions", headers=keys.as_dafeng), 404)
    r = client.delete(f"/v1/workers/{wid}/sessions", headers=keys.as_tinghu)
    assert r.status_code == 200 and r.get_json() == {"revoked_sessions": 1}
    problem(client.get("/v1/me", headers=phone["headers"]), 401)


def test_expired_forged_and_narrow_tokens(app: Flask, client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys.as_tinghu)
    past = datetime.now(UTC) - timedelta(minutes=16)
    with writing(app.services.sessions) as session:
        worker = session.get(Worker, wid)
        assert worker is not None
        code = issue_activation_code(session, TEST_SECRET, worker, now=past, issued_by=None)[0]
        old = activate(session, TEST_SECRET, code, device_name="old", now=past)
        stale_code = issue_activation_code(session, TEST_SECRET, worker, now=past - timedelta(days=8),
                                           issued_by=None)[0]
        code = issue_activation_code(session, TEST_SECRET, worker, now=datetime.now(UTC), issued_by=None)[0]
        narrow = activate(session, TEST_SECRET, code, device_name="narrow", now=datetime.now(UTC),
                          scopes=frozenset({"profile:read"}))
    problem(client.get("/v1/me", headers={"Authorization": f"Bearer {old.access_token}"}), 401)
    # The refresh token of the same session still works: a 15-minute token is renewed, not re-issued.
    assert client.post("/v1/auth/refresh", headers=keys.as_app,
                       json={"refresh_token": old.refresh_token}).status_code == 200
    problem(client.post("/v1/auth/activate", headers=keys.as_app, json={"activation_code": stale_code}), 422)
    claims = jwt.decode(narrow.access_token, options={"verify_signature": False})
    for forged in (jwt.encode(claims, "not-the-key-" * 4, algorithm="HS256"),
                   jwt.encode(claims, None, algorithm="none"),  # type: ignore[arg-type]
                   jwt.encode({**claims, "scope": "profile:read recommendations:read"}, "x" * 40, algorithm="HS256")):
        problem(client.get("/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401)
    headers = {"Authorization": f"Bearer {narrow.access_token}"}
    assert client.get("/v1/me", headers=headers).status_code == 200
    body = problem(client.get("/v1/me/recommendations", headers=headers), 403)
    assert "recommendations:read" in str(body["detail"])


def test_a_workers_token_reaches_only_that_worker(client: FlaskClient, keys: Keys) -> None:
    a = register(client, keys.as_tinghu)
    b = register(client, keys.as_tinghu)
    token_a = sign_in(client, keys.as_tinghu, keys.as_app, a)["headers"]
    assert client.get(f"/v1/workers/{a}", headers=token_a).status_code == 200
    for path in (f"/v1/workers/{b}", f"/v1/workers/{b}/recommendations"):
        problem(client.get(path, headers=token_a), 404)
    problem(client.patch(f"/v1/workers/{a}", headers=token_a, json={"push_opt_in": True}), 403)
    problem(client.get("/v1/workers", headers=token_a), 403)
    problem(client.post("/v1/events", headers=token_a, json={"events": [
        {"worker_id": b, "course_id": 1, "kind": "dismiss"}]}), 403)
    # A worker_id in a self event is refused, not obeyed.
    body = problem(client.post("/v1/me/events", headers=token_a, json={"events": [
        {"worker_id": b, "course_id": 1, "kind": "dismiss"}]}), 422)
    assert {e["field"] for e in body["errors"]} == {"events.0.worker_id"}  # type: ignore[attr-defined]


def test_events_belong_to_the_signed_in_worker_and_are_bounded_in_time(
        app: Flask, client: FlaskClient, keys: Keys) -> None:
    course = client.get("/v1/courses", headers=keys.as_app, query_string={"per_page": 1}).get_json()["items"][0]["id"]
    a = register(client, keys.as_tinghu)
    b = register(client, keys.as_dafeng, residence_county="dafeng", jobseeking_county="dafeng",
                 hukou_county="dafeng")
    token_a = sign_in(client, keys.as_tinghu, keys.as_app, a)["headers"]
    token_b = sign_in(client, keys.as_dafeng, keys.as_app, b)["headers"]
    event = {"course_id": course, "kind": "dismiss", "client_event_id": "evt-000001"}
    # The same client event id from two workers: two events (it was unique city-wide before).
    for headers in (token_a, token_b):
        r = client.post("/v1/me/events", headers=headers, json={"events": [event]})
        assert r.status_code == 201 and r.get_json() == {"stored": 1, "duplicates": 0}
    r = client.post("/v1/me/events", headers=token_a, json={"events": [event]})
    assert r.get_json() == {"stored": 0, "duplicates": 1}  # a retry
    with app.services.sessions() as session:
        rows = sorted((e.worker_id, e.source) for e in session.scalars(select(Event)))
    assert rows == sorted([(a, "app"), (b, "app")])
    # Back-dated before registration, or in the future: refused.
    for at in ("2020-01-01T00:00:00+08:00", (datetime.now(UTC) + timedelta(hours=1)).isoformat()):
        body = problem(client.post("/v1/me/events", headers=token_a, json={"events": [
            {"course_id": course, "kind": "dismiss", "at": at}]}), 422)
        assert {e["field"] for e in body["errors"]} == {"events.0.at"}  # type: ignore[attr-defined]
    # A counselor records events only for their own center's workers.
    problem(client.post("/v1/events", headers=keys.as_tinghu, json={"events": [
        {"worker_id": b, "course_id": course, "kind": "dismiss"}]}), 422)
