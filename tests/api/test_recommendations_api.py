"""Recommendations over HTTP: eligible only, near when asked, redacted for the app, dismissals
respected. The test app has no trained model, so the documented rule-based ranking serves."""

from __future__ import annotations

import math
from typing import Any

from flask.testing import FlaskClient

from catalog.geo import haversine_km
from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS
from tests.api.conftest import Keys

DIBAO_YOUTH = {
    "name": "李娜", "birth_date": "2005-04-01", "hukou_county": "tinghu", "residence_county": "tinghu",
    "employment_status": "unemployed", "priority_groups": ["two_after_youth", "dibao"], "rural": True,
    "location": {"lat": 33.39, "lon": 120.14}, "interests": ["4-10-01-05"],
}


def register(client: FlaskClient, keys: Keys, **fields: Any) -> int:
    r = client.post("/v1/workers", headers=keys.as_tinghu, json={**DIBAO_YOUTH, **fields})
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["id"])


def recommendations(client: FlaskClient, headers: dict[str, str], worker_id: int, **query: Any) -> dict[str, Any]:
    r = client.get(f"/v1/workers/{worker_id}/recommendations", headers=headers, query_string=query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()  # type: ignore[no-any-return]


def test_every_recommended_course_passes_the_rule_trace(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys)
    body = recommendations(client, keys.as_tinghu, wid, k=10)
    assert body["served_by"] == {"serving": "rule_based", "version": None}
    assert 0 < len(body["items"]) <= 10 and body["eligible_courses"] >= len(body["items"])
    assert [i["rank"] for i in body["items"]] == list(range(1, len(body["items"]) + 1))
    for item in body["items"]:
        trace = client.get(f"/v1/workers/{wid}/eligibility", headers=keys.as_tinghu,
                           query_string={"course_id": item["course"]["id"]}).get_json()
        assert trace["eligible"] is True, trace["failed"]
        assert item["subsidy_cny"] == trace["subsidy_cny"]
        assert item["living_allowance"] == trace["living_allowance"]
        assert item["course"]["seats_left"] > 0
        assert item["course"]["enrol_deadline"] >= "2026-11-29"
    # Scores never increase down the list.
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_pensioner_gets_nothing(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys, birth_date="1955-01-01", draws_pension=True, priority_groups=["laid_off_unemployed"])
    body = recommendations(client, keys.as_tinghu, wid)
    assert body["items"] == [] and body["eligible_courses"] == 0


def test_near_keeps_offline_courses_within_the_radius(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys)
    body = recommendations(client, keys.as_tinghu, wid, near="33.20,120.47", radius_km=12, k=20)
    assert body["items"]
    for item in body["items"]:
        if item["course"]["delivery_mode"] == "online":
            assert item["distance_km"] is None
            continue
        loc = item["course"]["location"]
        dist = float(haversine_km(33.20, 120.47, [loc["lat"]], [loc["lon"]])[0])
        assert dist <= 12 + 1e-6 and math.isclose(item["distance_km"], dist, abs_tol=0.01)


def test_foreign_counselor_gets_404(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys)
    r = client.get(f"/v1/workers/{wid}/recommendations", headers=keys.as_dafeng)
    assert r.status_code == 404 and r.content_type == "application/problem+json"
    assert r.get_json()["detail"] == f"No worker with id {wid}."


def test_app_role_gets_no_allowance_and_no_group_reason_on_sensitive_courses(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys)
    counselor = recommendations(client, keys.as_tinghu, wid, k=30)
    app_view = recommendations(client, keys.as_app, wid, k=30)
    assert [i["course"]["id"] for i in app_view["items"]] == [i["course"]["id"] for i in counselor["items"]]
    assert any("living_allowance" in i for i in counselor["items"])
    saw_sensitive = False
    for item in app_view["items"]:
        assert "living_allowance" not in item and "living_allowance_cny" not in item
        course = client.get(f"/v1/courses/{item['course']['id']}", headers=keys.as_app).get_json()
        targets = set(course["target_groups"])
        if targets & SENSITIVE_PRIORITY_GROUPS:
            saw_sensitive = True
            assert "TARGETS_YOUR_GROUP" not in {r["code"] for r in item["reasons"]}
    counselor_reasons = {r["code"] for i in counselor["items"] for r in i["reasons"]}
    assert "TARGETS_YOUR_GROUP" in counselor_reasons
    assert saw_sensitive  # the dibao youth's list does hold courses aimed at a sensitive group


def test_dismissed_course_drops_down_the_list(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys)
    first = recommendations(client, keys.as_tinghu, wid, k=10)["items"][0]["course"]["id"]
    r = client.post("/v1/events", headers=keys.as_app,
                    json={"events": [{"worker_id": wid, "course_id": first, "kind": "dismiss"}]})
    assert r.status_code == 201 and r.get_json() == {"stored": 1, "duplicates": 0}
    after = [i["course"]["id"] for i in recommendations(client, keys.as_tinghu, wid, k=10)["items"]]
    assert after[0] != first


def test_inline_profile_for_the_app(client: FlaskClient, keys: Keys) -> None:
    profile = {k: v for k, v in DIBAO_YOUTH.items() if k != "name"}
    r = client.post("/v1/recommendations", headers=keys.as_app, json={"profile": profile, "k": 5})
    assert r.status_code == 200
    body = r.get_json()
    assert body["worker_id"] is None and 0 < len(body["items"]) <= 5
    # The app sent the profile itself, so the allowance is shown.
    assert all("living_allowance" in i for i in body["items"])
    r = client.post("/v1/recommendations", headers=keys.as_app, json={"profile": {**profile, "name": "x"}, "k": 5})
    assert r.status_code == 422
    assert {e["field"] for e in r.get_json()["errors"]} == {"profile.name"}
