"""Issue 13's API at the counselor's desk: finding a client, "why nothing?", availability next to
the eligibility decision, and enrolment guarded by the rules (422 with codes, or an override)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import Keys
from tests.api.test_workers_api import COURSES, ID_A, ID_B, NAME, OPEN_COURSES, PHONE, assert_problem, create
from workers.tables import AuditEntry


def find(client: FlaskClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/v1/workers/search", headers=headers, json=body)


def ids(r: Any) -> list[int]:
    assert r.status_code == 200, r.get_data(as_text=True)
    return [m["id"] for m in r.get_json()["items"]]


# --- find a client -----------------------------------------------------------------------------

def test_find_a_client_by_id_number_phone_reference_and_name_prefix(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu, external_ref="TH-0042")["id"]
    other = create(client, keys.as_tinghu, name="李四", national_id=ID_B, phone="13700000000",
                   external_ref="TH-0043")["id"]
    assert ids(find(client, keys.as_tinghu, national_id=ID_A)) == [wid]
    assert ids(find(client, keys.as_tinghu, query=ID_A.lower())) == [wid]  # x or X, one search box
    assert ids(find(client, keys.as_tinghu, query=PHONE)) == [wid]
    assert ids(find(client, keys.as_tinghu, phone="+86 139 1234 5678")) == [wid]
    assert ids(find(client, keys.as_tinghu, query="TH-0043")) == [other]
    assert ids(find(client, keys.as_tinghu, query=NAME[:1])) == [wid]
    assert ids(find(client, keys.as_tinghu, name="李")) == [other]
    assert ids(find(client, keys.as_tinghu, name="%")) == []  # a LIKE wildcard is a character
    match = find(client, keys.as_tinghu, national_id=ID_A).get_json()["items"][0]
    assert match["matched_by"] == "national_id" and match["national_id_masked"] == ID_A[:4] + "*" * 14
    assert match["job_center"] == "JC-TINGHU" and match["name"] == NAME


def test_find_never_echoes_the_id_number_and_is_scoped_to_the_center(client: FlaskClient, keys: Keys) -> None:
    create(client, keys.as_tinghu)
    r = find(client, keys.as_tinghu, national_id=ID_A)
    assert ID_A not in r.get_data(as_text=True) and ID_A[:17] not in r.get_data(as_text=True)
    assert ids(find(client, keys.as_dafeng, national_id=ID_A)) == []  # another center's client
    assert ids(find(client, keys.as_dafeng, query=NAME)) == []
    assert len(ids(find(client, keys.as_admin, national_id=ID_A))) == 1
    assert find(client, keys.as_app, national_id=ID_A).status_code == 403
    # A malformed number is a field error that does not repeat it.
    body = assert_problem(find(client, keys.as_tinghu, national_id="320902199001091230"), 422)
    assert [e["field"] for e in body["errors"]] == ["national_id"]
    assert "320902199001091230" not in json.dumps(body)
    body = assert_problem(find(client, keys.as_tinghu), 422)
    assert body["errors"][0]["field"] == "query"


# --- availability next to the decision -----------------------------------------------------------

def test_eligibility_reports_availability_apart_from_the_rules(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]
    courses = client.get("/v1/courses", headers=keys.as_admin,
                         query_string={"include_ended": "true", "per_page": 100}).get_json()["items"]
    by_code = {r["code"]: r for r in COURSES}
    full = next(c for c in courses if c["seats_left"] == 0 and c["end_date"] >= "2026-11-29")
    ended = next(c for c in courses if c["end_date"] < "2026-11-29")
    for course, flag in ((full, "full"), (ended, "ended")):
        trace = client.get(f"/v1/workers/{wid}/eligibility", headers=keys.as_tinghu,
                           query_string={"course_id": course["id"]}).get_json()
        a = trace["availability"]
        assert a[flag] is True and a["open"] is False
        assert a["seats_left"] == max(int(by_code[course["code"]]["seats"]) - int(by_code[course["code"]]["seats_taken"]), 0)
        assert a["enrol_deadline"] == by_code[course["code"]]["enrol_deadline"]
        # Availability never appears as a failed rule: the subsidy decision stands on its own.
        assert not {"COURSE_FULL", "COURSE_ENDED", "ENROL_DEADLINE_PASSED"} & set(trace["failed"])
    assert "COURSE_FULL" in client.get(f"/v1/workers/{wid}/eligibility", headers=keys.as_tinghu,
                                       query_string={"course_id": full["id"]}).get_json()["availability"]["codes"]


# --- why nothing ----------------------------------------------------------------------------------

def test_why_nothing_for_a_pensioner_names_r5_for_every_course(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu, draws_pension=True)["id"]
    body = client.get(f"/v1/workers/{wid}/why-nothing", headers=keys.as_tinghu).get_json()
    assert body["eligible"] == 0 and body["eligible_and_open"] == 0
    assert body["total_courses"] == len(COURSES)
    top = body["rules"][0]
    assert top["code"] == "R5_PENSION" and top["courses"] == len(COURSES)
    assert "养老金" in body["summary_zh"]
    # Courses only the pension rule excludes are the nearest misses, and say so.
    assert top["alone"] > 0 and body["nearest_misses"]
    assert {m["code"] for m in body["nearest_misses"]} == {"R5_PENSION"}
    assert client.get(f"/v1/workers/{wid}/why-nothing", headers=keys.as_dafeng).status_code == 404


def test_why_nothing_outside_the_city_hints_at_registering_and_counts_availability(client: FlaskClient,
                                                                                  keys: Keys) -> None:
    outside = {"hukou_county": "other", "residence_county": "other", "jobseeking_county": None}
    body = client.post("/v1/why-nothing", headers=keys.as_app,
                       json={"profile": {"birth_date": "1990-01-09", "employment_status": "unemployed",
                                         "priority_groups": ["laid_off_unemployed"], **outside}}).get_json()
    assert body["eligible"] == 0 and body["rules"][0]["code"] == "R1_PLACE"
    assert body["rules"][0]["courses"] == len(COURSES)
    place_misses = [m for m in body["nearest_misses"] if m["code"] == "R1_PLACE"]
    assert place_misses and all("本市" in m["hint_zh"] and "registered" in m["hint_en"] for m in place_misses)
    # The same person registered in Tinghu: eligible courses, of which availability removes some.
    inside = client.post("/v1/why-nothing", headers=keys.as_app,
                         json={"profile": {"birth_date": "1990-01-09", "employment_status": "unemployed",
                                           "priority_groups": ["laid_off_unemployed"],
                                           "residence_county": "tinghu"}}).get_json()
    assert inside["eligible"] > 0 and inside["eligible_and_open"] < inside["eligible"]
    codes = {a["code"]: a["courses"] for a in inside["availability"]}
    assert "COURSE_ENDED" in codes
    assert all(0 < n <= inside["eligible"] - inside["eligible_and_open"] for n in codes.values())


# --- enrolment guarded by the rules ---------------------------------------------------------------

def open_course_refused_for(client: FlaskClient, keys: Keys, wid: int) -> dict[str, Any]:
    """An open course whose subsidy the rules refuse this worker (found through the API)."""
    ids_by_code = {c["code"]: c["id"] for c in client.get("/v1/courses", headers=keys.as_admin,
                                                          query_string={"per_page": 100, "has_open_seats": "true"}
                                                          ).get_json()["items"]}
    for row in OPEN_COURSES:
        cid = ids_by_code.get(row["code"])
        if cid is None:
            continue
        trace = client.get(f"/v1/workers/{wid}/eligibility", headers=keys.as_tinghu,
                           query_string={"course_id": cid}).get_json()
        if not trace["eligible"] and trace["availability"]["open"]:
            return {"id": cid, "failed": trace["failed"]}
    raise AssertionError("no open course the rules refuse")


def test_a_subsidized_enrolment_the_rules_refuse_is_422_with_the_codes(app: Flask, client: FlaskClient,
                                                                      keys: Keys) -> None:
    wid = create(client, keys.as_tinghu, priority_groups=["veteran"])["id"]
    course = open_course_refused_for(client, keys, wid)
    enrol = {"course_id": course["id"], "status": "enrolled", "enrolled_on": "2026-11-29", "subsidized": True}
    body = assert_problem(client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json=enrol), 422)
    assert body["codes"] == course["failed"]
    assert client.get(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu).get_json()["items"] == []
    # Too short a reason is not a reason.
    body = assert_problem(client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu,
                                      json={**enrol, "override_reason": "ok"}), 422)
    assert [e["field"] for e in body["errors"]] == ["override_reason"]
    # With a written reason it is recorded, and the record and the audit trail show the override.
    reason = "区人社局书面批准，特殊情况 (case 2026-118)"
    r = client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={**enrol, "override_reason": reason})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.get_json()["override_reason"] == reason and r.get_json()["override_codes"] == course["failed"]
    archive = client.get(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu).get_json()
    assert archive["items"][0]["override_reason"] == reason
    with app.app_context():
        session = app.services.sessions()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "override")).one()
        assert entry.worker_id == wid and set(course["failed"]) <= set(entry.fields)
        session.close()


def test_enrolment_past_the_deadline_or_in_a_full_course_is_refused(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]
    courses = client.get("/v1/courses", headers=keys.as_admin, query_string={"per_page": 100}).get_json()["items"]
    full = next(c for c in courses if c["seats_left"] == 0 and c["enrol_deadline"] >= "2026-11-29")
    late = next(c for c in courses if c["enrol_deadline"] < "2026-11-29" and c["seats_left"] > 0)
    for course, code in ((full, "COURSE_FULL"), (late, "ENROL_DEADLINE_PASSED")):
        body = assert_problem(client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={
            "course_id": course["id"], "status": "enrolled", "enrolled_on": "2026-11-29"}), 422)
        assert body["codes"] == [code]


def test_dates_in_the_future_are_refused(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]
    body = assert_problem(client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={
        "occupation_code": "4-10-01-06", "training_type": "employment_skills", "status": "completed",
        "enrolled_on": "2026-11-01", "completed_on": "2027-01-15"}), 422)
    assert [e["field"] for e in body["errors"]] == ["completed_on"]
    ok = client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={
        "occupation_code": "4-10-01-06", "training_type": "employment_skills", "status": "enrolled",
        "enrolled_on": "2026-11-30"})  # tomorrow is within the tolerance
    assert ok.status_code == 201
    body = assert_problem(client.patch(f"/v1/workers/{wid}/trainings/{ok.get_json()['id']}", headers=keys.as_tinghu,
                                       json={"status": "completed", "completed_on": "2027-06-01"}), 422)
    assert [e["field"] for e in body["errors"]] == ["completed_on"]


def test_archive_reports_subsidies_left_this_year(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]
    client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={
        "occupation_code": "4-10-01-05", "level": 4, "training_type": "employment_skills", "status": "completed",
        "enrolled_on": "2026-03-01", "completed_on": "2026-04-30", "end_date": "2026-04-30", "subsidized": True})
    body = client.get(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu).get_json()
    assert (body["subsidized_this_year"], body["subsidies_left_this_year"]) == (1, 2)
