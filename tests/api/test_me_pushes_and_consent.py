"""The app's side of pushes and consent (issue 14): consent with time and channel in an append-only,
audited history; withdrawal cancels pending pushes; the non-personalized list (PIPL Art. 24) reads
nothing of the worker; the worker's pushes, pending and past, and their answers feeding training."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.tables import Course
from catalog.vocabulary import PRIORITY_GROUPS
from serving.push_plan import PAYLOAD_KEYS
from storage.session import writing
from tests.api.conftest import Keys
from tests.api.test_workers_api import create
from tests.conftest import sign_in
from workers.consent import ConsentEvent
from workers.events import standing_dismissals
from workers.push_tables import PlannedPush
from workers.tables import AuditEntry, Event

PLACE = {"near": "33.39,120.15", "radius_km": 30, "k": 10}


def add_pushes(app: Flask, worker_id: int, statuses: list[str]) -> list[tuple[int, int]]:
    """Planned pushes of distinct courses with the given statuses; (push id, course id) each."""
    with writing(app.services.sessions) as session:  # type: ignore[attr-defined]
        used = select(PlannedPush.course_id).where(PlannedPush.worker_id == worker_id)
        courses = list(session.scalars(select(Course.id).where(Course.id.not_in(used)).order_by(Course.id)
                                       .limit(len(statuses))))
        rows = [PlannedPush(plan_date=date(2026, 11, 29), worker_id=worker_id, course_id=c, position=1,
                            due_at=datetime(2026, 11, 29, 0, tzinfo=UTC), status=s)
                for c, s in zip(courses, statuses, strict=True)]
        session.add_all(rows)
        session.flush()
        return [(r.id, r.course_id) for r in rows]


def statuses(app: Flask, worker_id: int) -> dict[int, str]:
    with app.services.sessions() as session:  # type: ignore[attr-defined]
        return {p.id: p.status for p in session.scalars(select(PlannedPush).where(PlannedPush.worker_id == worker_id))}


def test_consent_history_has_time_and_channel_is_audited_and_append_only(
        app: Flask, client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]  # push_opt_in true, given at the desk
    me = sign_in(client, keys.as_tinghu, keys.as_app, wid)["headers"]
    got = client.get("/v1/me/consent", headers=me).get_json()
    assert got["push_opt_in"] is True and got["personalized"] is True
    assert [(h["purpose"], h["granted"], h["channel"]) for h in got["history"]] == [("push", True, "counter")]
    pushes = add_pushes(app, wid, ["pending", "pending", "sent"])

    r = client.put("/v1/me/consent", headers=me, json={"push_opt_in": False})
    assert r.status_code == 200, r.get_data(as_text=True)
    got = r.get_json()
    assert got["push_opt_in"] is False
    assert [(h["purpose"], h["granted"], h["channel"]) for h in got["history"]] == [
        ("push", True, "counter"), ("push", False, "app")]
    assert all(h["recorded_at"] for h in got["history"])
    # Withdrawal stops every pending push at once; what was sent stays sent.
    assert statuses(app, wid) == {pushes[0][0]: "cancelled", pushes[1][0]: "cancelled", pushes[2][0]: "sent"}
    # Saying the same again records nothing new.
    assert len(client.put("/v1/me/consent", headers=me, json={"push_opt_in": False}).get_json()["history"]) == 2
    # An empty change is a problem with a field, not a silent success.
    r = client.put("/v1/me/consent", headers=me, json={})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"

    # The counselor's desk can record it too (channel "counter"); opting in again revives nothing.
    assert client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu, json={"push_opt_in": True}).status_code == 200
    assert statuses(app, wid)[pushes[0][0]] == "cancelled"
    with app.services.sessions() as session:  # type: ignore[attr-defined]
        audited = [(e.action, e.role, e.fields) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.worker_id == wid, AuditEntry.action.like("consent%"))
            .order_by(AuditEntry.id))]
        assert audited == [("consent_grant", "counselor", ["push_opt_in"]),
                           ("consent_withdraw", "worker", ["push_opt_in"]),
                           ("consent_grant", "counselor", ["push_opt_in"])]
        # The history cannot be rewritten through the service's mapping.
        first = session.scalars(select(ConsentEvent).where(ConsentEvent.worker_id == wid)).first()
        assert first is not None
        first.granted = False
        with pytest.raises(PermissionError):
            session.flush()
        session.rollback()


def test_declining_profiling_gives_the_same_plain_list_to_different_people_at_one_place(
        app: Flask, client: FlaskClient, keys: Keys) -> None:
    a = create(client, keys.as_tinghu)["id"]  # several (sensitive) groups, interests, a stored location
    b = create(client, keys.as_tinghu, national_id=None, phone=None, name="另一位", priority_groups=["veteran"],
               disability_grade=None, interests=["4-03-02-02"], birth_date="1970-03-01", max_travel_km=5,
               location={"lat": 33.76, "lon": 119.8}, hukou_county="funing", residence_county="funing")["id"]
    pushes = add_pushes(app, a, ["pending"])
    ta = sign_in(client, keys.as_tinghu, keys.as_app, a)["headers"]
    tb = sign_in(client, keys.as_tinghu, keys.as_app, b)["headers"]
    personal = client.get("/v1/me/recommendations", headers=ta, query_string=PLACE).get_json()
    assert personal["served_by"]["serving"] != "non_personalized"

    for headers in (ta, tb):
        r = client.put("/v1/me/consent", headers=headers, json={"personalized": False})
        assert r.status_code == 200 and r.get_json()["personalized"] is False
    # A targeted push rests on profiling: declining it cancels pending pushes too.
    assert statuses(app, a) == {pushes[0][0]: "cancelled"}

    for query in (PLACE, {"k": 10}):
        la = client.get("/v1/me/recommendations", headers=ta, query_string=query).get_json()
        lb = client.get("/v1/me/recommendations", headers=tb, query_string=query).get_json()
        assert la["served_by"] == {"serving": "non_personalized", "version": None}
        assert la["items"] and la == lb, query
        # Nothing the worker's groups would unlock or the catalog reserves for a group.
        for item in la["items"]:
            assert not item["free_training"] and not item["safety_first"]
            assert {r["code"] for r in item["reasons"]} <= {"SHORTAGE_OCCUPATION", "NEAR_YOU", "STARTS_SOON",
                                                              "WELL_RATED_INSTITUTION"}
    # The counselor's view of that worker follows the worker's choice.
    desk = client.get(f"/v1/workers/{b}/recommendations", headers=keys.as_tinghu, query_string=PLACE).get_json()
    assert desk["served_by"]["serving"] == "non_personalized"
    assert [i["course"]["id"] for i in desk["items"]] == [
        i["course"]["id"] for i in client.get("/v1/me/recommendations", headers=ta, query_string=PLACE).get_json()
        ["items"]]
    with app.services.sessions() as session:  # type: ignore[attr-defined]
        with_course = {c.id: c for c in session.scalars(select(Course))}
    assert all(not with_course[i["course"]["id"]].reserved_for for i in desk["items"])
    # Giving it back restores the personal list.
    client.put("/v1/me/consent", headers=ta, json={"personalized": True})
    assert client.get("/v1/me/recommendations", headers=ta, query_string=PLACE).get_json() == personal


def lock_screen_safe(body: dict[str, Any], worker: dict[str, Any]) -> None:
    text = json.dumps(body, ensure_ascii=False)
    for group in PRIORITY_GROUPS:
        assert group not in text
    for secret in ("disab", "残疾", "低保", "矫正", "priority", '"lat"', '"lon"', '"location"', worker["name"]):
        assert secret not in text
    loc = worker["location"]
    assert f"{loc['lat']:.3f}" not in text and f"{loc['lon']:.3f}" not in text


def test_my_pushes_pending_and_history_and_answers_feed_training(
        app: Flask, client: FlaskClient, keys: Keys) -> None:
    worker = create(client, keys.as_tinghu)
    wid = worker["id"]
    other = create(client, keys.as_tinghu, national_id=None, phone=None, name="另一位")["id"]
    (p1, c1), (p2, c2), (p3, _), (p4, _) = add_pushes(app, wid, ["pending", "pending", "sent", "cancelled"])
    [(foreign, _)] = add_pushes(app, other, ["pending"])
    me = sign_in(client, keys.as_tinghu, keys.as_app, wid)["headers"]

    pending = client.get("/v1/me/pushes", headers=me).get_json()
    assert [p["id"] for p in pending["items"]] == [p1, p2]
    history = client.get("/v1/me/pushes", headers=me, query_string={"status": "history"}).get_json()
    assert {p["id"]: p["status"] for p in history["items"]} == {p3: "sent", p4: "cancelled"}
    for body in (pending, history):
        for p in body["items"]:
            assert set(p) == {"id", "status", "plan_date", "due_at", "notification"}
            assert set(p["notification"]) == PAYLOAD_KEYS
        lock_screen_safe(body, worker)
    bad = client.get("/v1/me/pushes", headers=me, query_string={"status": "all"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"

    r = client.post(f"/v1/me/pushes/{p1}/opened", headers=me)
    assert r.status_code == 200 and r.get_json() == {"id": p1, "status": "opened"}
    assert client.post(f"/v1/me/pushes/{p1}/opened", headers=me).status_code == 200  # a retry is harmless
    r = client.post(f"/v1/me/pushes/{p2}/dismissed", headers=me)
    assert r.get_json() == {"id": p2, "status": "dismissed"}
    lock_screen_safe(r.get_json(), worker)
    assert client.post(f"/v1/me/pushes/{p2}/opened", headers=me).status_code == 409
    assert client.post(f"/v1/me/pushes/{p4}/opened", headers=me).status_code == 409  # cancelled
    assert client.post(f"/v1/me/pushes/{foreign}/opened", headers=me).status_code == 404  # not theirs
    assert client.post("/v1/me/pushes/999999/dismissed", headers=me).status_code == 404
    assert client.get("/v1/me/pushes", headers=me).get_json()["items"] == []

    with app.services.sessions() as session:  # type: ignore[attr-defined]
        events = [(e.course_id, e.kind, e.source) for e in session.scalars(
            select(Event).where(Event.worker_id == wid).order_by(Event.id))]
        # What training reads (training_jobs.dataset loads every event): a click, and a dismissal
        # that stands (the course is neither listed nor pushed again).
        assert events == [(c1, "click", "app"), (c2, "dismiss", "app")]
        assert [c for c, _, _ in standing_dismissals(session, wid)] == [c2]
