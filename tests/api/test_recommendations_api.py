"""Recommendations over HTTP: eligible only, near when asked, redacted for the app, dismissals
respected. The test app has no trained model, so the documented rule-based ranking serves."""

from __future__ import annotations

import math
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from catalog.geo import haversine_km
from tests.api.conftest import Keys
from tests.conftest import sign_in

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


def test_app_key_alone_gets_no_stored_workers_list_and_the_worker_gets_their_own(
        client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys)
    counselor = recommendations(client, keys.as_tinghu, wid, k=30)
    r = client.get(f"/v1/workers/{wid}/recommendations", headers=keys.as_app, query_string={"k": 30})
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert "course" not in r.get_data(as_text=True)

    me = sign_in(client, keys.as_tinghu, keys.as_app, wid)
    r = client.get("/v1/me/recommendations", headers=me["headers"], query_string={"k": 30})
    assert r.status_code == 200, r.get_data(as_text=True)
    own = r.get_json()
    # The worker's own list is the counselor's list: their own courses, with their own allowance.
    assert [i["course"]["id"] for i in own["items"]] == [i["course"]["id"] for i in counselor["items"]]
    assert own["worker_id"] is None  # no database id toward the app
    assert any("living_allowance" in i for i in own["items"])
    # Distances to the stored location in whole km (the location itself is rounded to ~1 km).
    assert all(i["distance_km"] is None or float(i["distance_km"]).is_integer() for i in own["items"])
    assert any(i["distance_km"] is not None for i in own["items"])


def test_dismissed_course_drops_down_the_list(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys)
    first = recommendations(client, keys.as_tinghu, wid, k=10)["items"][0]["course"]["id"]
    me = sign_in(client, keys.as_tinghu, keys.as_app, wid)
    r = client.post("/v1/me/events", headers=me["headers"],
                    json={"events": [{"course_id": first, "kind": "dismiss"}]})
    assert r.status_code == 201 and r.get_json() == {"stored": 1, "duplicates": 0}
    after = [i["course"]["id"] for i in recommendations(client, keys.as_tinghu, wid, k=10)["items"]]
    assert after[0] != first
    # The counselor sees the dismissal and can undo it: the course comes back on top.
    listed = client.get(f"/v1/workers/{wid}/dismissals", headers=keys.as_tinghu).get_json()
    assert [(d["course_id"], d["source"]) for d in listed["items"]] == [(first, "app")]
    assert client.delete(f"/v1/workers/{wid}/dismissals/{first}", headers=keys.as_tinghu).status_code == 204
    assert client.get(f"/v1/workers/{wid}/dismissals", headers=keys.as_tinghu).get_json()["items"] == []
    assert recommendations(client, keys.as_tinghu, wid, k=10)["items"][0]["course"]["id"] == first
    r = client.delete(f"/v1/workers/{wid}/dismissals/{first}", headers=keys.as_tinghu)
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    # Another job center's counselor cannot see or undo them.
    assert client.get(f"/v1/workers/{wid}/dismissals", headers=keys.as_dafeng).status_code == 404


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


def test_all_eligible_lists_what_the_diversity_caps_hold_back(client: FlaskClient, keys: Keys) -> None:
    wid = register(client, keys)
    capped = recommendations(client, keys.as_tinghu, wid, k=50)
    everything = recommendations(client, keys.as_tinghu, wid, all_eligible="true")
    assert len(everything["items"]) == everything["eligible_courses"] == capped["eligible_courses"]
    assert len(everything["items"]) > len(capped["items"]), "the caps hold some back in the sample"
    per_institution: dict[str, int] = {}
    for item in everything["items"]:
        code = item["course"]["institution_code"]
        per_institution[code] = per_institution.get(code, 0) + 1
    assert max(per_institution.values()) > 3  # past the per-institution cap of 3


def test_the_fast_response_equals_the_schema_dump(app: Flask, keys: Keys) -> None:
    """Recommendations skip marshmallow's dump; what they send must be exactly what it would."""
    import json
    from datetime import date

    from flask import jsonify

    from api.recommendations.routes import body, respond
    from api.recommendations.schemas import RecommendationList
    from serving import recommendations
    from workers.profiles import inline_profile

    with app.test_request_context():
        answer = recommendations.for_profile(app.services, app.services.sessions(), inline_profile(
            {"birth_date": date(1985, 5, 15), "residence_county": "tinghu", "employment_status": "unemployed",
             "priority_groups": ["laid_off_unemployed"], "location": {"lat": 33.35, "lon": 120.16}}), k=10)
        assert answer.result.items
        fast = json.loads(respond(answer).get_data())
        dumped = json.loads(jsonify(RecommendationList().dump(body(answer))).get_data())
    assert fast == dumped
