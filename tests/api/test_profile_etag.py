"""Optimistic concurrency on profiles: a read carries an ETag, a PATCH with a stale If-Match is
412 and writes nothing, so one counselor's edit of a list is never silently lost to another's."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from access.accounts import create_account
from access.keys import create_key
from storage.session import writing
from tests.api.conftest import Keys
from tests.api.test_workers_api import create
from tests.conftest import TEST_SECRET
from tests.console.conftest import PASSWORD, csrf_of, sign_in

PROBLEM = "application/problem+json"
CERT_A = {"occupation_code": "4-10-01-06", "level": 5, "certificate_type": "skill_level", "issued_on": "2023-05-01"}
CERT_B = {"occupation_code": "4-01-02-01", "level": 4, "certificate_type": "skill_level", "issued_on": "2024-03-01"}


def test_second_counselor_with_a_stale_etag_gets_412_and_loses_nothing(app: Flask, client: FlaskClient,
                                                                       keys: Keys) -> None:
    with writing(app.services.sessions) as session:
        second = Keys.header(create_key(session, TEST_SECRET, "counselor", job_center_code="JC-TINGHU")[1])
    first = keys.as_tinghu
    wid = create(client, first)["id"]
    read_1 = client.get(f"/v1/workers/{wid}", headers=first)
    read_2 = client.get(f"/v1/workers/{wid}", headers=second)
    etag = read_1.headers["ETag"]
    assert etag and etag == read_2.headers["ETag"]  # one version, one tag, whoever reads it
    assert etag == client.get(f"/v1/workers/{wid}", headers=keys.as_admin).headers["ETag"]

    # The first counselor adds a certificate to the list they read...
    certificates = read_1.get_json()["certificates"]
    r = client.patch(f"/v1/workers/{wid}", headers={**first, "If-Match": etag},
                     json={"certificates": [*certificates, CERT_B]})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["ETag"] != etag
    # ...the second, from their older read, would replace the list without it: refused.
    r = client.patch(f"/v1/workers/{wid}", headers={**second, "If-Match": etag},
                     json={"certificates": [CERT_A], "max_travel_km": 5})
    assert r.status_code == 412 and r.mimetype == PROBLEM
    assert r.get_json()["errors"] == [{"location": "headers", "field": "If-Match",
                                       "message": "does not match the current ETag"}]
    now = client.get(f"/v1/workers/{wid}", headers=first)
    assert len(now.get_json()["certificates"]) == 2 and now.get_json()["max_travel_km"] == 30
    # Read again, reapply: accepted.
    r = client.patch(f"/v1/workers/{wid}", headers={**second, "If-Match": now.headers["ETag"]},
                     json={"max_travel_km": 5})
    assert r.status_code == 200 and len(r.get_json()["certificates"]) == 2


def test_if_match_is_optional_and_star_matches(client: FlaskClient, keys: Keys) -> None:
    wid = create(client, keys.as_tinghu)["id"]
    r = client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu, json={"max_travel_km": 10})
    # An older client, without If-Match: the last write wins.
    assert r.status_code == 200 and r.get_json()["max_travel_km"] == 10
    r = client.patch(f"/v1/workers/{wid}", headers={**keys.as_tinghu, "If-Match": "*"}, json={"max_travel_km": 11})
    assert r.status_code == 200 and r.get_json()["max_travel_km"] == 11
    assert client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).get_json()["max_travel_km"] == 11


def test_openapi_documents_the_etag_and_optional_if_match(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    op = spec["paths"]["/v1/workers/{worker_id}"]
    if_match = next(p for p in op["patch"]["parameters"] if p["name"] == "If-Match")
    assert if_match["in"] == "header" and if_match["required"] is False
    assert "412" in op["patch"]["responses"]
    assert "ETag" in op["get"]["responses"]["200"]["headers"]


def test_console_edit_from_a_stale_form_is_refused(app: Flask, client: FlaskClient, keys: Keys) -> None:
    with writing(app.services.sessions) as session:
        create_account(session, "zhang.wei", PASSWORD, job_center_code="JC-TINGHU", display_name="张伟")
    wid = create(client, keys.as_tinghu)["id"]
    desk = app.test_client()
    sign_in(desk, "zhang.wei")
    page = desk.get(f"/console/clients/{wid}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', page)
    assert version
    # Meanwhile someone changes the profile through the API.
    r = client.patch(f"/v1/workers/{wid}", headers=keys.as_tinghu, json={"phone": "13800002222"})
    assert r.status_code == 200
    form = {"csrf_token": csrf_of(page), "version": version.group(1), "phone": "13800001111",
            "residence_county": "tinghu", "online_ok": "on"}
    r = desk.post(f"/console/clients/{wid}/edit", data=form)
    assert r.status_code == 412 and "已被他人修改" in r.get_data(as_text=True)
    assert client.get(f"/v1/workers/{wid}", headers=keys.as_tinghu).get_json()["phone"] == "13800002222"
