"""Worker profiles, the training archive and eligibility over HTTP: job-center scoping, redaction
for the app, ID-number handling (never stored in plaintext), the audit trail, rule traces."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from access.tables import ApiKey
from policy import RULE_CODES
from tests.api.conftest import Keys
from tests.conftest import SAMPLE_CATALOG
from workers.tables import AuditEntry

PROBLEM = "application/problem+json"
# Valid GB 11643 numbers (check digits verified in tests/workers/test_identity.py).
ID_A = "32090219900109123X"
ID_B = "320982198506010519"
ID_C = "320982198509200510"
NAME, PHONE = "王小明", "13912345678"
SENSITIVE_KEYS = {"name", "national_id_masked", "national_id", "phone", "location", "disability_grade", "family"}
SENSITIVE_GROUPS = ("dibao", "community_correction", "disabled", "low_income_household", "employment_difficulty",
                    "zero_employment_family", "poor_labor")

with open(SAMPLE_CATALOG / "courses.csv", encoding="utf-8", newline="") as _f:
    COURSES = list(csv.DictReader(_f))
# Courses a worker can still join on the pinned day (2026-11-29): not ended, deadline ahead, seats left.
OPEN_COURSES = [r for r in COURSES if r["end_date"] >= "2026-11-29" and r["enrol_deadline"] >= "2026-11-29"
                and int(r["seats_taken"]) < int(r["seats"])]


def profile(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": NAME, "national_id": ID_A, "phone": PHONE, "gender": "male", "education": "junior_high",
        "hukou_county": "tinghu", "residence_county": "tinghu", "jobseeking_county": "yandu",
        "location": {"lat": 33.39127, "lon": 120.14563}, "employment_status": "unemployed",
        "draws_pension": False,
        "priority_groups": ["laid_off_unemployed", "dibao", "community_correction", "disabled"],
        "disability_grade": 2, "rural": False,
        "certificates": [{"occupation_code": "4-10-01-06", "level": 5, "certificate_type": "skill_level",
                          "issued_on": "2023-05-01"}],
        "interests": ["4-10-01-05", "digital"], "max_travel_km": 30, "online_ok": True, "push_opt_in": True,
    }
    body.update(overrides)
    return body


def create(client: FlaskClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    r = client.post("/v1/workers", headers=headers, json=profile(**overrides))
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()  # type: ignore[no-any-return]


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == PROBLEM
    body = r.get_json(force=True)
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


def error_fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def course_ids(client: FlaskClient, keys: Keys) -> dict[str, int]:
    """Course code → id, read through the API."""
    out: dict[str, int] = {}
    page = 1
    while True:
        body = client.get("/v1/courses", headers=keys.as_app, query_string={"page": page, "per_page": 100,
                                                                         "include_ended": "true"}).get_json()
        out.update({c["code"]: c["id"] for c in body["items"]})
        if len(out) >= body["total"]:
            return out
        page += 1


def key_id(app: Flask, key: str) -> int:
    with app.services.sessions() as session:
        return session.scalar(select(ApiKey.id).where(ApiKey.prefix == key.split("_")[1]))  # type: ignore[return-value]


def audit_rows(app: Flask) -> list[AuditEntry]:
    with app.services.sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def sensitive_leaks(text: str) -> list[str]:
    """Which sensitive names or values occur anywhere in a response text."""
    doc = json.loads(text)
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            keys.update(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    leaks = sorted(keys & SENSITIVE_KEYS)
    for value in (NAME, PHONE, ID_A, ID_A[:17], "3209**", "33.39", "120.15", *SENSITIVE_GROUPS):
        if value in text:
            leaks.append(value)
    return leaks


# --- create / read / change / delete ---------------------------------------------------------

def test_create_get_patch_delete_as_counselor(client: FlaskClient, keys: Keys) -> None:
    created = create(client, keys.as_tinghu)
    wid = created["id"]
    assert created["job_center"] == "JC-TINGHU"
    assert created["name"] == NAME and created["phone"] == PHONE
    assert created["national_id_masked"] == "3209**************"  # province and city only
    assert "national_id" not in created and ID_A not in json.dumps(created)
    assert created["birth_month"] == "1990-01" and "birth_date" not in created  # from the ID number, to the month
    assert created["age"] == 36  # on the pinned day, 2026-11-29
    assert created["location"] == {"lat": 33.39, "lon": 120.15}  # stored rounded to ~1 km
    assert created["priority_groups"] == ["laid_off_unemployed", "dibao", "community_correction", "disabled"]
    assert created["certificates"][0]["occupation_code"] == "4-10-01-06"
    assert created["credit_hours"] == 0

    got = client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu)
    assert got.status_code == 200 and got.get_json() == created

    listed = client.get("/v1/workers", headers=keys.as_tinghu).get_json()
    assert [w["id"] for w in listed["items"]] == [wid] and listed["total"] == 1
    assert client.get("/v1/workers", headers=keys.as_dafeng).get_json()["total"] == 0
    assert client.get("/v1/workers", headers=keys.as_admin).get_json()["total"] == 1

    r = client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu,
                     json={"phone": "13800000000", "priority_groups": ["veteran"], "draws_pension": True,
                           "location": None})
    assert r.status_code == 200, r.get_data(as_text=True)
    patched = r.get_json()
    assert patched["phone"] == "13800000000" and patched["priority_groups"] == ["veteran"]
    assert patched["draws_pension"] is True and patched["location"] is None
    assert patched["name"] == NAME and patched["certificates"] == created["certificates"]  # untouched
    assert client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).get_json() == patched

    r = client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu,
                     json={"national_id": ID_B, "birth_date": "1990-01-09"})
    assert r.status_code == 422 and error_fields(r.get_json()) == {"birth_date"}  # the ID says 1985-06-01
    r = client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu, json={"national_id": ID_B})
    assert r.status_code == 200
    assert (r.get_json()["national_id_masked"], r.get_json()["birth_month"]) == ("3209**************", "1985-06")

    assert client.delete(f"/v1/workers/{wid}", headers=keys.as_tinghu).status_code == 204
    assert_problem(client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu), 404)
    assert_problem(client.delete(f"/v1/workers/{wid}", headers=keys.as_tinghu), 404)
    # The deleted number may be registered again.
    again = create(client, keys.as_tinghu, national_id=ID_B, birth_date="1985-06-01")
    assert again["national_id_masked"] == "3209**************"


def test_worker_ids_are_never_reused(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]
    assert client.delete(f"/v1/workers/{wid}", headers=keys.as_tinghu).status_code == 204
    assert create(client, keys.as_tinghu)["id"] != wid


def test_unknown_county_is_422(client: FlaskClient, keys: Keys) -> None:
    body = assert_problem(client.post("/v1/workers", headers=keys.as_tinghu,
                                      json=profile(residence_county="atlantis")), 422)
    assert error_fields(body) == {"residence_county"}


def test_counselor_cannot_register_at_another_job_center(client: FlaskClient, keys: Keys) -> None:
    body = assert_problem(client.post("/v1/workers", headers=keys.as_tinghu,
                                      json=profile(job_center="JC-DAFENG")), 422)
    assert error_fields(body) == {"job_center"}
    admin_made = create(client, keys.as_admin, job_center="JC-DAFENG", national_id=ID_C,
                        birth_date=None)
    assert admin_made["job_center"] == "JC-DAFENG"


def test_roles(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]
    assert_problem(client.post("/v1/workers", headers=keys.as_app, json=profile(national_id=ID_B)), 403)
    assert_problem(client.get("/v1/workers", headers=keys.as_app), 403)
    assert_problem(client.patch(f"/v1/workers/{wid}", headers=keys.as_app, json={"phone": "13800000000"}), 403)
    assert_problem(client.delete(f"/v1/workers/{wid}", headers=keys.as_app), 403)
    assert_problem(client.get(f"/v1/workers/{wid}/trainings", headers=keys.as_app), 403)
    assert_problem(client.get(f"/v1/workers/{wid}"), 401)
    assert client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).get_json()["phone"] == PHONE


# --- job-center scoping ----------------------------------------------------------------------

def test_counselor_of_another_job_center_gets_404(client: FlaskClient, keys: Keys) -> None:
    theirs = create(client, keys.as_dafeng, residence_county="dafeng")
    wid = theirs["id"]
    course_id = next(iter(course_ids(client, keys).values()))
    missing = 10_000_000

    attempts = [
        ("get", "/v1/workers/{}", None),
        ("patch", "/v1/workers/{}", {"phone": "13800000000"}),
        ("delete", "/v1/workers/{}", None),
        ("get", "/v1/workers/{}/trainings", None),
        ("post", "/v1/workers/{}/trainings", {"course_id": course_id, "status": "enrolled",
                                                   "enrolled_on": "2026-11-01"}),
        ("get", f"/v1/workers/{{}}/eligibility?course_id={course_id}", None),
    ]
    for method, url, body in attempts:
        r = getattr(client, method)(url.format(wid), headers=keys.as_tinghu, json=body)
        problem = assert_problem(r, 404)
        # Indistinguishable from a worker that does not exist.
        other = getattr(client, method)(url.format(missing), headers=keys.as_tinghu, json=body)
        assert assert_problem(other, 404)["detail"].replace(str(missing), "N") == problem["detail"].replace(str(wid), "N")
        assert NAME not in r.get_data(as_text=True)

    still = client.get(f"/v1/workers/{wid}", headers=keys.as_dafeng)
    assert still.status_code == 200
    assert still.get_json()["phone"] == PHONE
    assert client.get(f"/v1/workers/{wid}/trainings", headers=keys.as_dafeng).get_json()["items"] == []


def test_family_link_only_to_visible_workers(client: FlaskClient, keys: Keys) -> None:
    theirs = create(client, keys.as_dafeng, residence_county="dafeng")
    body = assert_problem(client.post("/v1/workers", headers=keys.as_tinghu, json=profile(
        national_id=ID_B, birth_date="1985-06-01", family=[{"relative_id": theirs["id"], "relation": "parent"}])), 422)
    assert error_fields(body) == {"family.0.relative_id"}
    mine = create(client, keys.as_tinghu, national_id=ID_C, birth_date="1985-09-20")
    child = create(client, keys.as_tinghu, national_id=None, birth_date="2008-03-01",
                   family=[{"relative_id": mine["id"], "relation": "parent"}])
    assert child["family"] == [{"relative_id": mine["id"], "relation": "parent"}]


# --- the app's key alone reaches no stored worker ----------------------------------------------

def test_app_key_reaches_no_stored_worker(client: FlaskClient, keys: Keys) -> None:
    relative = create(client, keys.as_tinghu, national_id=ID_B, birth_date="1985-06-01")
    wid = create(client, keys.as_tinghu, family=[{"relative_id": relative["id"], "relation": "spouse"}])["id"]
    counselor_view = client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).get_data(as_text=True)
    assert set(sensitive_leaks(counselor_view)) >= {"name", "phone", "location", "family", "dibao"}  # the probe works

    # It acts for nobody in particular: a stored profile is only for a worker's own token.
    for path in (f"/v1/workers/{wid}", f"/v1/workers/{wid}/recommendations"):
        r = client.get(path, headers=keys.as_app)
        assert_problem(r, 403)
        assert sensitive_leaks(r.get_data(as_text=True)) == []

    # Nor through the inline eligibility the app uses.
    cid = next(iter(course_ids(client, keys).values()))
    r = client.post("/v1/eligibility", headers=keys.as_app, json={
        "profile": {"priority_groups": ["dibao"], "disability_grade": 1, "residence_county": "tinghu"},
        "course_ids": [cid]})
    assert r.status_code == 200
    assert not {"name", "phone", "national_id_masked", "disability_grade", "priority_groups"} & set(r.get_json()["items"][0])


# --- national ID numbers ---------------------------------------------------------------------

def test_wrong_check_digit_is_422_naming_national_id(client: FlaskClient, keys: Keys) -> None:
    wrong = ID_A[:17] + "1"
    r = client.post("/v1/workers", headers=keys.as_tinghu, json=profile(national_id=wrong))
    body = assert_problem(r, 422)
    assert body["errors"] == [{"location": "json", "field": "national_id",
                               "message": body["errors"][0]["message"]}]
    assert "check digit" in body["errors"][0]["message"]
    assert wrong not in r.get_data(as_text=True) and wrong[:17] not in r.get_data(as_text=True)
    for bad in ("320902199002301234", "12345", "3209021990010912ZX"):
        assert error_fields(assert_problem(client.post("/v1/workers", headers=keys.as_tinghu,
                                                       json=profile(national_id=bad)), 422)) == {"national_id"}
    assert client.get("/v1/workers", headers=keys.as_tinghu).get_json()["total"] == 0


def test_duplicate_id_number_is_409(client: FlaskClient, keys: Keys) -> None:
    first = create(client, keys.as_tinghu)
    for headers, number in ((keys.as_tinghu, ID_A), (keys.as_tinghu, ID_A.lower()), (keys.as_dafeng, ID_A)):
        body = assert_problem(client.post("/v1/workers", headers=headers, json=profile(national_id=number)), 409)
        assert error_fields(body) == {"national_id"}
    other = create(client, keys.as_tinghu, national_id=ID_B, birth_date="1985-06-01")
    body = assert_problem(client.patch(f"/v1/workers/{other['id']}", headers=keys.as_tinghu,
                                       json={"national_id": ID_A, "birth_date": "1990-01-09"}), 409)
    assert error_fields(body) == {"national_id"}
    # Re-sending a worker's own number is not a conflict.
    assert client.patch(f"/v1/workers/{first['id']}", headers=keys.as_tinghu,
                        json={"national_id": ID_A}).status_code == 200
    assert client.get("/v1/workers", headers=keys.as_admin).get_json()["total"] == 2


def test_database_file_holds_no_plaintext_id_number(app: Flask, client: FlaskClient, keys: Keys,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    numbers = [ID_A, ID_B, ID_C]
    a = create(client, keys.as_tinghu, national_id=ID_A)
    create(client, keys.as_tinghu, national_id=ID_B.lower(), birth_date="1985-06-01")
    client.post("/v1/workers", headers=keys.as_tinghu, json=profile(national_id=ID_A))  # 409
    client.patch(f"/v1/workers/{a['id']}", headers=keys.as_tinghu,
                 json={"national_id": ID_C, "birth_date": "1985-09-20"})
    client.get(f"/v1/workers/{a['id']}", headers=keys.as_tinghu)

    database = make_url(str(app.services.engine.url)).database
    assert database
    files = [Path(database), Path(database + "-wal")]

    def scan() -> list[str]:
        found = []
        for path in files:
            if not path.exists():
                continue
            data = path.read_bytes()
            for n in numbers:
                for needle in (n, n.lower(), n[:17]):
                    for encoded in (needle.encode("ascii"), needle.encode("utf-16-le")):
                        if encoded in data:
                            found.append(f"{path.name}: {needle}")
        return found

    assert Path(database + "-wal").exists()  # the writes are in the WAL before a checkpoint
    assert scan() == []
    with app.services.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    assert scan() == []
    assert b"3209**************" in Path(database).read_bytes()  # the mask is what is kept
    assert not any(n[:17] in record.getMessage() for record in caplog.records for n in numbers)


# --- server-owned and unknown fields ---------------------------------------------------------

def test_server_owned_fields_are_rejected(client: FlaskClient, keys: Keys) -> None:
    body = assert_problem(client.post("/v1/workers", headers=keys.as_tinghu, json=profile(
        id=77, created_at="2020-01-01T00:00:00Z", national_id_masked="3209**********123X")), 422)
    assert {"id", "created_at", "national_id_masked"} <= error_fields(body)
    assert all(e["location"] == "json" for e in body["errors"])
    wid = create(client, keys.as_tinghu)["id"]
    for field, value in (("updated_at", "2020-01-01T00:00:00Z"), ("credit_hours", 500), ("age", 20),
                         ("job_center_id", 1), ("national_id_hash", "00" * 32)):
        body = assert_problem(client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu, json={field: value}), 422)
        assert field in error_fields(body)
    assert client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).get_json()["credit_hours"] == 0


def test_unknown_fields_are_rejected(client: FlaskClient, keys: Keys) -> None:
    body = assert_problem(client.post("/v1/workers", headers=keys.as_tinghu, json=profile(
        salary=5000, certificates=[{"occupation_code": "4-10-01-06", "certificate_type": "skill_level",
                                    "grade": "A"}])), 422)
    assert error_fields(body) == {"salary", "certificates.0.grade"}


# --- the audit trail -------------------------------------------------------------------------

def test_every_read_and_write_is_audited_without_values(app: Flask, client: FlaskClient, keys: Keys) -> None:
    cids = course_ids(client, keys)
    tinghu = key_id(app, keys.tinghu)
    assert audit_rows(app) == []

    wid = create(client, keys.as_tinghu)["id"]
    steps: list[tuple[Any, str, str, int | None, set[str] | None]] = [
        # (request, action, role, key id, fields that must be listed or None for "any")
        (lambda: client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu), "read", "counselor", tinghu, {"name", "phone"}),
        (lambda: client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu, json={"phone": "13800000000"}),
         "update", "counselor", tinghu, {"phone"}),
        (lambda: client.get("/v1/workers", headers=keys.as_tinghu), "read", "counselor", tinghu, None),
        (lambda: client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={
            "course_id": cids[OPEN_COURSES[0]["code"]], "status": "enrolled", "enrolled_on": "2026-11-15"}),
         "update", "counselor", tinghu, {"trainings"}),
        (lambda: client.get(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu), "read", "counselor", tinghu,
         {"trainings"}),
        (lambda: client.get(f"/v1/workers/{wid}/eligibility", headers=keys.as_tinghu,
                            query_string={"course_id": cids[COURSES[1]["code"]]}),
         "read", "counselor", tinghu, {"eligibility"}),
        (lambda: client.delete(f"/v1/workers/{wid}", headers=keys.as_tinghu), "delete", "counselor", tinghu, None),
    ]
    # The profile's creation, and the consent to pushes it records (its own entry, see workers.consent).
    [consent, created] = audit_rows(app)
    assert (consent.action, consent.fields, consent.worker_id) == ("consent_grant", ["push_opt_in"], wid)
    assert (created.action, created.role, created.key_id, created.worker_id) == ("create", "counselor", tinghu, wid)
    assert {"name", "national_id", "phone", "priority_groups", "location"} <= set(created.fields)
    for request, action, role, kid, fields in steps:
        before = len(audit_rows(app))
        r = request()
        assert r.status_code < 300, r.get_data(as_text=True)
        rows = audit_rows(app)
        assert len(rows) == before + 1, (action, [(e.action, e.fields) for e in rows[before:]])
        entry = rows[-1]
        assert (entry.action, entry.role, entry.key_id) == (action, role, kid)
        # A list read is one entry naming every worker it showed.
        assert entry.worker_id == wid or (entry.worker_id is None and entry.worker_ids == [wid])
        assert entry.at is not None
        if fields is not None:
            assert fields <= set(entry.fields)

    # No value in the trail: neither the number, its mask, the name nor the phone.
    text = " ".join(repr((e.key_id, e.role, e.action, e.worker_id, e.fields, e.at)) for e in audit_rows(app))
    for value in (ID_A, ID_A[:17], "3209**", NAME, PHONE, "13800000000", "dibao", "33.39"):
        assert value not in text


def test_refused_access_is_not_recorded_as_a_read(app: Flask, client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_dafeng, residence_county="dafeng")["id"]
    before = len(audit_rows(app))
    assert client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).status_code == 404
    assert client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu, json={"phone": "13800000000"}).status_code == 404
    tinghu = key_id(app, keys.tinghu)
    assert [e for e in audit_rows(app)[before:] if e.key_id == tinghu and e.worker_id == wid] == []


# --- training archive ------------------------------------------------------------------------

def test_trainings_with_course_id_and_credit_hours(client: FlaskClient, keys: Keys, app: Flask) -> None:
    cids = course_ids(client, keys)
    wid = create(client, keys.as_tinghu)["id"]
    row = next(r for r in COURSES if int(r["online_hours"]) > 0 and r["level"] and r["end_date"] < "2026-12-31")
    r = client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={
        "course_id": cids[row["code"]], "status": "completed", "enrolled_on": "2026-08-20",
        "completed_on": row["end_date"], "certificate_type": row["certificate_type"], "subsidized": True,
        "subsidy_cny": int(row["subsidy_cny"]),
        # This profile is outside the course's audience: recorded from the paper archive anyway.
        "override_reason": "paper archive of 2026, subsidy already paid"})
    assert r.status_code == 201, r.get_data(as_text=True)
    rec = r.get_json()
    assert rec["course_id"] == cids[row["code"]]
    assert (rec["occupation_code"], rec["level"], rec["training_type"], rec["hours"], rec["online_hours"],
            rec["end_date"]) == (row["occupation_code"], int(row["level"]), row["training_type"], int(row["hours"]),
                                 int(row["online_hours"]), row["end_date"])
    assert rec["subsidized"] is True and rec["subsidy_cny"] == int(row["subsidy_cny"])

    manual = client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={
        "occupation_code": "4-10-01-05", "level": 4, "training_type": "employment_skills", "status": "completed",
        "enrolled_on": "2025-03-01", "completed_on": "2025-04-30", "end_date": "2025-04-30",
        "hours": 40, "online_hours": 10, "subsidized": True, "subsidy_cny": 1200})
    assert manual.status_code == 201, manual.get_data(as_text=True)
    enrolled = client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu, json={
        "occupation_code": "4-10-01-06", "level": 4, "training_type": "skill_upgrade", "status": "enrolled",
        "enrolled_on": "2026-11-01", "hours": 100, "subsidized": True})
    assert enrolled.status_code == 201

    ratio = float(app.config.get("ONLINE_HOURS_RATIO", 1.0))
    expected_credit = round(int(row["hours"]) - int(row["online_hours"]) + int(row["online_hours"]) * ratio
                            + 30 + 10 * ratio, 1)  # the enrolled one does not count yet
    history = client.get(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu).get_json()
    assert history["worker_id"] == wid
    assert [t["id"] for t in history["items"]] == [rec["id"], manual.get_json()["id"], enrolled.get_json()["id"]]
    assert history["credit_hours"] == pytest.approx(expected_credit)
    # Subsidized trainings that end in 2026 (the pinned year): the course one and the enrolled one.
    assert history["subsidized_this_year"] == 2
    assert client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).get_json()["credit_hours"] == pytest.approx(expected_credit)


def test_training_validation(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]
    url = f"/v1/workers/{wid}/trainings"
    cases = [
        ({"status": "enrolled", "enrolled_on": "2026-11-01", "training_type": "safety"}, "occupation_code"),
        ({"course_id": 99_999_999, "status": "enrolled", "enrolled_on": "2026-11-01"}, "course_id"),
        ({"occupation_code": "4-10-01-06", "training_type": "safety", "status": "completed",
          "enrolled_on": "2026-01-01"}, "completed_on"),
        ({"occupation_code": "4-10-01-06", "training_type": "safety", "status": "enrolled",
          "enrolled_on": "2026-01-01", "hours": 10, "online_hours": 20}, "online_hours"),
        ({"occupation_code": "4-10-01-06", "training_type": "safety", "status": "passed",
          "enrolled_on": "2026-01-01"}, "status"),
        ({"occupation_code": "4-10-01-06", "training_type": "safety", "status": "enrolled",
          "enrolled_on": "2026-01-01", "id": 5}, "id"),
    ]
    for body, field in cases:
        problem = assert_problem(client.post(url, headers=keys.as_tinghu, json=body), 422)
        assert field in error_fields(problem), (body, problem)
    assert client.get(url, headers=keys.as_tinghu).get_json()["items"] == []


# --- eligibility -----------------------------------------------------------------------------

def test_stored_worker_eligibility_trace(client: FlaskClient, keys: Keys) -> None:
    cids = course_ids(client, keys)
    row = next(r for r in COURSES if r["county"] == "tinghu" and r["training_type"] == "employment_skills")
    wid = create(client, keys.as_tinghu, draws_pension=True)["id"]
    url = f"/v1/workers/{wid}/eligibility"

    d = client.get(url, headers=keys.as_tinghu, query_string={"course_id": cids[row["code"]]}).get_json()
    assert d["course_id"] == cids[row["code"]]
    assert [c["code"] for c in d["checks"]] == list(RULE_CODES)  # every rule, in order
    checks = {c["code"]: c for c in d["checks"]}
    assert checks["R5_PENSION"]["passed"] is False and checks["R5_PENSION"]["blocking"] is True
    assert checks["R5_PENSION"]["message_zh"] and checks["R5_PENSION"]["message_en"]
    assert d["eligible"] is False and "R5_PENSION" in d["failed"]
    assert set(d["failed"]) == {c["code"] for c in d["checks"] if c["blocking"] and not c["passed"]}

    client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu, json={"draws_pension": False})
    d = client.get(url, headers=keys.as_tinghu, query_string={"course_id": cids[row["code"]]}).get_json()
    assert {c["code"]: c["passed"] for c in d["checks"]}["R5_PENSION"] is True
    assert "R5_PENSION" not in d["failed"]
    assert d["eligible"] is (not d["failed"])

    assert error_fields(assert_problem(client.get(url, headers=keys.as_tinghu), 422)) == {"course_id"}
    assert_problem(client.get(url, headers=keys.as_tinghu, query_string={"course_id": 99_999_999}), 404)
    assert_problem(client.get(url, headers=keys.as_app, query_string={"course_id": cids[row["code"]]}), 403)


def test_inline_eligibility_pension_fails_every_course(client: FlaskClient, keys: Keys, app: Flask) -> None:
    cids = course_ids(client, keys)
    sample = COURSES[::71]  # ten courses across the catalog
    ids = [cids[r["code"]] for r in sample]
    person = {"birth_date": "1960-05-01", "residence_county": "yandu", "employment_status": "unemployed",
              "priority_groups": ["laid_off_unemployed"]}
    workers_before, audit_before = (client.get("/v1/workers", headers=keys.as_admin).get_json()["total"],
                                    len(audit_rows(app)))

    r = client.post("/v1/eligibility", headers=keys.as_app,
                    json={"profile": {**person, "draws_pension": True}, "course_ids": ids})
    assert r.status_code == 200, r.get_data(as_text=True)
    items = r.get_json()["items"]
    assert [d["course_id"] for d in items] == ids
    for d in items:
        assert d["eligible"] is False and "R5_PENSION" in d["failed"]
        assert {c["code"]: c["passed"] for c in d["checks"]}["R5_PENSION"] is False

    items = client.post("/v1/eligibility", headers=keys.as_app,
                        json={"profile": {**person, "draws_pension": False}, "course_ids": ids}).get_json()["items"]
    for d, row in zip(items, sample, strict=True):
        assert "R5_PENSION" not in d["failed"]
        # Work-as-training is the employer's subsidy (R8): it fails exactly for those courses.
        assert ("R8_WORK_AS_TRAINING" in d["failed"]) is (row["training_type"] == "work_as_training")

    # Nothing stored for an inline profile.
    assert client.get("/v1/workers", headers=keys.as_admin).get_json()["total"] == workers_before
    assert len(audit_rows(app)) == audit_before


def test_inline_eligibility_work_as_training(client: FlaskClient, keys: Keys) -> None:
    cids = course_ids(client, keys)
    wat = [cids[r["code"]] for r in COURSES if r["training_type"] == "work_as_training"]
    assert wat
    items = client.post("/v1/eligibility", headers=keys.as_tinghu, json={
        "profile": {"residence_county": "tinghu", "priority_groups": ["dibao"]}, "course_ids": wat}).get_json()["items"]
    assert all("R8_WORK_AS_TRAINING" in d["failed"] and not d["eligible"] for d in items)


def test_inline_eligibility_validation(client: FlaskClient, keys: Keys) -> None:
    cid = next(iter(course_ids(client, keys).values()))
    body = assert_problem(client.post("/v1/eligibility", headers=keys.as_app,
                                      json={"profile": {"name": NAME}, "course_ids": [cid]}), 422)
    assert error_fields(body) == {"profile.name"}  # no identity in the inline profile
    body = assert_problem(client.post("/v1/eligibility", headers=keys.as_app,
                                      json={"profile": {}, "course_ids": []}), 422)
    assert error_fields(body) == {"course_ids"}
    body = assert_problem(client.post("/v1/eligibility", headers=keys.as_app,
                                      json={"profile": {}, "course_ids": list(range(1, 52))}), 422)
    assert error_fields(body) == {"course_ids"}
    assert_problem(client.post("/v1/eligibility", headers=keys.as_app,
                               json={"profile": {}, "course_ids": [99_999_999]}), 404)
    assert_problem(client.post("/v1/eligibility", json={"profile": {}, "course_ids": [cid]}), 401)


def test_completion_is_recorded_on_the_enrolment_and_blocks_a_second_subsidy(client: FlaskClient, keys: Keys) -> None:
    # A levelled, subsidized course the worker may take.
    wid = create(client, keys.as_tinghu, priority_groups=["laid_off_unemployed"], employment_status="unemployed")["id"]
    courses = client.get("/v1/courses", headers=keys.as_tinghu,
                         query_string={"county": "tinghu", "training_type": "employment_skills", "per_page": 100}).get_json()
    traces = {c["id"]: client.get(f"/v1/workers/{wid}/eligibility", headers=keys.as_tinghu,
                                  query_string={"course_id": c["id"]}).get_json() for c in courses["items"]}
    course = next(c for c in courses["items"] if c["level"] is not None and traces[c["id"]]["eligible"]
                  and traces[c["id"]]["availability"]["open"])
    enrolled = client.post(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu,
                           json={"course_id": course["id"], "status": "enrolled", "enrolled_on": "2026-11-01",
                                 "subsidized": True})
    assert enrolled.status_code == 201
    tid = enrolled.get_json()["id"]

    # Completion needs its date, and cannot precede the enrolment.
    body = assert_problem(client.patch(f"/v1/workers/{wid}/trainings/{tid}", headers=keys.as_tinghu,
                                       json={"status": "completed"}), 422)
    assert error_fields(body) == {"completed_on"}
    body = assert_problem(client.patch(f"/v1/workers/{wid}/trainings/{tid}", headers=keys.as_tinghu,
                                       json={"status": "completed", "completed_on": "2026-10-01"}), 422)
    assert error_fields(body) == {"completed_on"}
    # What was trained is fixed once recorded.
    body = assert_problem(client.patch(f"/v1/workers/{wid}/trainings/{tid}", headers=keys.as_tinghu,
                                       json={"occupation_code": "4-10-01-06"}), 422)
    assert error_fields(body) == {"occupation_code"}

    done = client.patch(f"/v1/workers/{wid}/trainings/{tid}", headers=keys.as_tinghu,
                        json={"status": "completed", "completed_on": "2026-11-25", "certificate_type": "skill_level",
                              "certificate_level": course["level"], "subsidy_cny": course["subsidy_cny"]})
    assert done.status_code == 200
    record = done.get_json()
    assert (record["status"], record["completed_on"], record["certificate_level"]) == (
        "completed", "2026-11-25", course["level"])
    assert record["course_id"] == course["id"] and record["occupation_code"] == course["occupation"]["code"]

    history = client.get(f"/v1/workers/{wid}/trainings", headers=keys.as_tinghu).get_json()
    assert history["credit_hours"] == course["hours"]  # online hours count fully by default
    # R4: the same occupation and level is never subsidized twice.
    trace = client.get(f"/v1/workers/{wid}/eligibility", headers=keys.as_tinghu,
                       query_string={"course_id": course["id"]}).get_json()
    assert trace["eligible"] is False and "R4_NO_REPEAT" in trace["failed"]


def test_a_training_of_another_worker_or_center_is_404(client: FlaskClient, keys: Keys) -> None:
    mine = create(client, keys.as_tinghu)["id"]
    other = create(client, keys.as_tinghu, external_ref="TH-OTHER", national_id=None)["id"]
    tid = client.post(f"/v1/workers/{mine}/trainings", headers=keys.as_tinghu,
                      json={"occupation_code": "4-10-01-06", "training_type": "employment_skills",
                            "status": "enrolled", "enrolled_on": "2026-11-01"}).get_json()["id"]
    patch = {"status": "dropped"}
    assert_problem(client.patch(f"/v1/workers/{other}/trainings/{tid}", headers=keys.as_tinghu, json=patch), 404)
    assert_problem(client.patch(f"/v1/workers/{mine}/trainings/{tid}", headers=keys.as_dafeng, json=patch), 404)
    assert_problem(client.patch(f"/v1/workers/{mine}/trainings/{tid}", headers=keys.as_app, json=patch), 403)
    ok = client.patch(f"/v1/workers/{mine}/trainings/{tid}", headers=keys.as_tinghu, json=patch)
    assert ok.status_code == 200 and ok.get_json()["status"] == "dropped"
