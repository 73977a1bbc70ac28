"""The catalog read API against the sample catalog: auth, validation errors, every filter checked
against the CSV files, nearby search, pagination, the GeoJSON map, OpenAPI, health, limits."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.geo import haversine_km
from tests.api.conftest import Keys
from tests.conftest import SAMPLE_CATALOG

PROBLEM = "application/problem+json"
TODAY = date(2026, 11, 29)  # make_test_app pins RECO_TODAY


def read(kind: str) -> list[dict[str, str]]:
    with open(SAMPLE_CATALOG / f"{kind}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


ALL_COURSES = read("courses")
# What lists show by default: courses that have not ended (include_ended=true shows the rest).
COURSES = [r for r in ALL_COURSES if r["end_date"] >= TODAY.isoformat()]
OCCUPATIONS = {r["code"]: r for r in read("occupations")}
INSTITUTIONS = read("institutions")
BY_CODE = {r["code"]: r for r in ALL_COURSES}


def shortage_in_force(on: date) -> dict[str, int]:
    rows = [r for r in read("occupation_lists") if r["kind"] == "shortage" and not r["county"]
            and date.fromisoformat(r["effective_date"]) <= on]
    newest = max(r["effective_date"] for r in rows)
    return {r["occupation_code"]: int(r["shortage_level"] or 3) for r in rows if r["effective_date"] == newest}


def get_all(client: FlaskClient, headers: dict[str, str], url: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item of a paginated listing, checking that each page reports the same total."""
    items: list[dict[str, Any]] = []
    page, total = 1, None
    while True:
        r = client.get(url, headers=headers, query_string={**params, "page": page, "per_page": 100})
        assert r.status_code == 200, r.get_data(as_text=True)
        body = r.get_json()
        assert total is None or body["total"] == total
        total = body["total"]
        items.extend(body["items"])
        if not body["items"] or len(items) >= total:
            break
        page += 1
    assert total is not None and len(items) == total
    return items, total


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == PROBLEM
    body = r.get_json(force=True)
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    assert body["instance"] == r.request.path
    return body  # type: ignore[no-any-return]


def field_errors(body: dict[str, Any]) -> dict[tuple[str, str], str]:
    assert isinstance(body.get("errors"), list) and body["errors"]
    out = {}
    for e in body["errors"]:
        assert set(e) == {"location", "field", "message"} and e["message"]
        out[(e["location"], e["field"])] = e["message"]
    return out


# --- auth ------------------------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [None, "Bearer reco_deadbeef_notarealkey", "Bearer ",
                                           "Basic dXNlcjpwYXNz", "reco_deadbeef_x", "Bearer garbage"])
def test_401_problem_without_a_valid_key(client: FlaskClient, keys: Keys, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    r = client.get("/v1/courses", headers=headers)
    body = assert_problem(r, 401)
    assert body["title"] == "Unauthorized" and "API key" in body["detail"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "items" not in body


def test_key_with_right_prefix_but_wrong_secret_is_refused(client: FlaskClient, keys: Keys) -> None:
    prefix = keys.app.split("_")[1]
    assert_problem(client.get("/v1/occupations", headers=Keys.header(f"reco_{prefix}_{'x' * 32}")), 401)
    assert client.get("/v1/occupations", headers=keys.as_app).status_code == 200


def test_revoked_key_is_refused(app: Flask, client: FlaskClient, keys: Keys) -> None:
    from access.keys import revoke_key
    from storage.session import writing

    assert client.get("/v1/institutions", headers=keys.as_app).status_code == 200
    with writing(app.services.sessions) as session:
        assert revoke_key(session, keys.app.split("_")[1])
    assert_problem(client.get("/v1/institutions", headers=keys.as_app), 401)


@pytest.mark.parametrize("role", ["admin", "tinghu", "app"])
def test_every_role_reads_the_catalog(client: FlaskClient, keys: Keys, role: str) -> None:
    r = client.get("/v1/courses", headers=Keys.header(getattr(keys, role)), query_string={"per_page": 1})
    assert r.status_code == 200 and r.get_json()["total"] == len(COURSES)


# --- malformed queries -----------------------------------------------------------------------

@pytest.mark.parametrize("query,field,fragment", [
    ({"near": "abc"}, "near", "lat,lon"),
    ({"near": "33.35"}, "near", "lat,lon"),
    ({"near": "95,120"}, "near", "latitude"),
    ({"near": "33.35,120.16", "radius_km": "0"}, "radius_km", ""),
    ({"near": "33.35,120.16", "radius_km": "1000"}, "radius_km", ""),
    ({"nearby": "33.35,120.16"}, "nearby", "Unknown"),
    ({"per_page": "1000"}, "per_page", "100"),
    ({"page": "0"}, "page", ""),
    ({"radius_km": "5"}, "radius_km", "near"),
    ({"starts_after": "2026-13-01"}, "starts_after", "date"),
    ({"starts_before": "tomorrow"}, "starts_before", "date"),
    ({"level": "6"}, "level", ""),
    ({"training_type": "yoga"}, "training_type", ""),
    ({"priority_group": "everyone"}, "priority_group", ""),
    ({"occupation": "housekeeping"}, "occupation", ""),
    ({"has_open_seats": "maybe"}, "has_open_seats", ""),
])
def test_422_names_the_query_field(client: FlaskClient, keys: Keys, query: dict[str, str],
                                   field: str, fragment: str) -> None:
    body = assert_problem(client.get("/v1/courses", headers=keys.as_app, query_string=query), 422)
    errors = field_errors(body)
    assert ("query", field) in errors, errors
    assert fragment in errors[("query", field)]


def test_422_lists_every_bad_field_at_once(client: FlaskClient, keys: Keys) -> None:
    body = assert_problem(client.get("/v1/courses", headers=keys.as_app,
                                     query_string={"per_page": 1000, "level": 9, "color": "red"}), 422)
    assert {f for _, f in field_errors(body)} == {"per_page", "level", "color"}


@pytest.mark.parametrize("url,query,field", [
    ("/v1/occupations", {"shortage": "sometimes"}, "shortage"),
    ("/v1/occupations", {"lang": "en"}, "lang"),
    ("/v1/institutions", {"type": "castle"}, "type"),
    ("/v1/institutions", {"per_page": "101"}, "per_page"),
    ("/v1/map/courses", {"limit": "100000"}, "limit"),
    ("/v1/map/courses", {"page": "2"}, "page"),
])
def test_422_on_other_listings(client: FlaskClient, keys: Keys, url: str, query: dict[str, str], field: str) -> None:
    body = assert_problem(client.get(url, headers=keys.as_app, query_string=query), 422)
    assert ("query", field) in field_errors(body)


# --- filters against the data ----------------------------------------------------------------

def codes(items: list[dict[str, Any]]) -> set[str]:
    return {c["code"] for c in items}


def expect(pred: Callable[[dict[str, str]], bool]) -> set[str]:
    return {r["code"] for r in COURSES if pred(r)}


FILTERS: list[tuple[dict[str, Any], Callable[[dict[str, str]], bool]]] = [
    ({"county": "tinghu"}, lambda r: r["county"] == "tinghu"),
    ({"county": "xiangshui"}, lambda r: r["county"] == "xiangshui"),
    ({"occupation": "4-10-01-06"}, lambda r: r["occupation_code"] == "4-10-01-06"),
    ({"level": 5}, lambda r: r["level"] == "5"),
    ({"level": 2}, lambda r: r["level"] == "2"),
    ({"training_type": "safety"}, lambda r: r["training_type"] == "safety"),
    ({"training_type": "entrepreneurship"}, lambda r: r["training_type"] == "entrepreneurship"),
    ({"delivery_mode": "online"}, lambda r: r["delivery_mode"] == "online"),
    ({"priority_group": "veteran"}, lambda r: "veteran" in r["target_groups"].split("|")),
    ({"priority_group": "disabled"}, lambda r: "disabled" in r["target_groups"].split("|")),
    ({"starts_after": "2027-03-01"}, lambda r: r["start_date"] >= "2027-03-01"),
    ({"starts_before": "2026-10-15"}, lambda r: r["start_date"] <= "2026-10-15"),
    ({"starts_after": "2027-01-01", "starts_before": "2027-01-31"},
     lambda r: "2027-01-01" <= r["start_date"] <= "2027-01-31"),
    ({"has_open_seats": "true"}, lambda r: int(r["seats_taken"]) < int(r["seats"])),
    ({"has_open_seats": "false"}, lambda r: int(r["seats_taken"]) >= int(r["seats"])),
    ({"q": "家政"}, lambda r: "家政" in r["title_zh"] or "家政" in r["title_en"].lower()),
    ({"q": "ELECTRICIAN"}, lambda r: "electrician" in r["title_zh"].lower() or "electrician" in r["title_en"].lower()),
    ({"institution": "YC-INST-001"}, lambda r: r["institution_code"] == "YC-INST-001"),
    ({"category": "digital"}, lambda r: OCCUPATIONS[r["occupation_code"]]["category"] == "digital"),
    ({"county": "dafeng", "training_type": "employment_skills", "has_open_seats": "true"},
     lambda r: r["county"] == "dafeng" and r["training_type"] == "employment_skills"
     and int(r["seats_taken"]) < int(r["seats"])),
]


@pytest.mark.parametrize("query,pred", FILTERS, ids=[str(q) for q, _ in FILTERS])
def test_course_filters_match_the_data(client: FlaskClient, keys: Keys, query: dict[str, Any],
                                       pred: Callable[[dict[str, str]], bool]) -> None:
    expected = expect(pred)
    assert 0 < len(expected) < len(COURSES), "a filter that keeps nothing or everything proves little"
    items, total = get_all(client, keys.as_tinghu, "/v1/courses", **query)
    assert codes(items) == expected and total == len(expected)
    # Without `near`, by start date.
    starts = [c["start_date"] for c in items]
    assert starts == sorted(starts)
    assert all(c["distance_km"] is None for c in items)


def test_course_fields_come_from_the_catalog(client: FlaskClient, keys: Keys) -> None:
    items, _ = get_all(client, keys.as_app, "/v1/courses", county="funing")
    levels = shortage_in_force(TODAY)
    institutions = {i["code"]: i for i in INSTITUTIONS}
    for c in items:
        row = BY_CODE[c["code"]]
        assert c["title_zh"] == row["title_zh"] and c["title_en"] == row["title_en"]
        assert c["institution"]["code"] == row["institution_code"]
        assert c["institution"]["name_zh"] == institutions[row["institution_code"]]["name_zh"]
        assert c["occupation"]["code"] == row["occupation_code"]
        assert c["occupation"]["name_zh"] == OCCUPATIONS[row["occupation_code"]]["name_zh"]
        assert c["occupation"]["shortage_level"] == levels.get(row["occupation_code"])
        assert c["level"] == (int(row["level"]) if row["level"] else None)
        assert c["seats_left"] == int(row["seats"]) - int(row["seats_taken"])
        assert c["location"] == {"lat": pytest.approx(float(row["lat"])), "lon": pytest.approx(float(row["lon"]))}
        assert c["target_groups"] == [g for g in row["target_groups"].split("|") if g]
        assert c["subsidy_cny"] == int(row["subsidy_cny"])


# --- nearby ----------------------------------------------------------------------------------

def distances_from(lat: float, lon: float) -> dict[str, float]:
    d = haversine_km(lat, lon, [float(r["lat"]) for r in COURSES], [float(r["lon"]) for r in COURSES])
    return {r["code"]: float(x) for r, x in zip(COURSES, d, strict=True)}


def test_near_returns_only_courses_within_radius_nearest_first(client: FlaskClient, keys: Keys) -> None:
    dist = distances_from(33.35, 120.16)
    within = {c for c, d in dist.items() if d <= 20}
    assert 0 < len(within) < len(COURSES)

    r = client.get("/v1/courses?near=33.35,120.16&radius_km=20&per_page=100", headers=keys.as_app)
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == len(within)
    items, total = get_all(client, keys.as_app, "/v1/courses", near="33.35,120.16", radius_km=20)
    assert total == len(within) and codes(items) == within
    reported = [c["distance_km"] for c in items]
    assert reported == sorted(reported)
    for c in items:
        assert c["distance_km"] == pytest.approx(dist[c["code"]], abs=1e-3)
        assert c["distance_km"] <= 20
    # The first page is the nearest courses overall.
    nearest = sorted(within, key=lambda code: (dist[code], code))[:100]
    assert [dist[c["code"]] for c in body["items"]] == pytest.approx([dist[c] for c in nearest], abs=1e-9)


def test_near_default_radius_and_other_filters(client: FlaskClient, keys: Keys) -> None:
    dist = distances_from(33.20, 120.47)  # Dafeng
    items, _total = get_all(client, keys.as_app, "/v1/courses", near="33.20,120.47")
    assert codes(items) == {c for c, d in dist.items() if d <= 20}  # documented default: 20 km
    items, _ = get_all(client, keys.as_app, "/v1/courses", near="33.20,120.47", radius_km=50,
                       training_type="safety")
    assert codes(items) == {r["code"] for r in COURSES if dist[r["code"]] <= 50 and r["training_type"] == "safety"}


def test_near_nowhere_is_empty(client: FlaskClient, keys: Keys) -> None:
    r = client.get("/v1/courses?near=-33.9,18.4&radius_km=50", headers=keys.as_app)
    assert r.status_code == 200 and r.get_json() == {"items": [], "total": 0, "page": 1, "per_page": 20}


@pytest.mark.parametrize("query", [
    {"near": "33.35,120.16", "radius_km": 20},
    {"near": "33.35,120.16", "radius_km": 20, "per_page": 7, "page": 2},
    {"near": "33.20,120.47"},
    {"near": "33.20,120.47", "radius_km": 80, "per_page": 100},
    {"near": "33.20,120.47", "radius_km": 80, "per_page": 5, "page": 4, "include_ended": "true"},
    {"near": "-33.9,18.4", "radius_km": 50},
])
def test_near_from_the_snapshot_equals_the_sql_search(client: FlaskClient, keys: Keys, query: dict[str, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # A nearby search with no other filter is answered from the catalog snapshot's columns; the
    # box query answers every other search. Both must give the very same response.
    import serving.course_search

    fast = client.get("/v1/courses", headers=keys.as_app, query_string=query)
    monkeypatch.setattr(serving.course_search, "only_near", lambda f: False)
    slow = client.get("/v1/courses", headers=keys.as_app, query_string=query)
    assert fast.status_code == slow.status_code == 200
    assert fast.get_json() == slow.get_json()
    assert fast.get_json()["total"] > 0 or query["near"].startswith("-")


# --- pagination ------------------------------------------------------------------------------

def test_pagination_total_and_pages(client: FlaskClient, keys: Keys) -> None:
    ordered = sorted(COURSES, key=lambda r: r["start_date"])
    first = client.get("/v1/courses", headers=keys.as_app, query_string={"per_page": 7, "page": 1}).get_json()
    third = client.get("/v1/courses", headers=keys.as_app, query_string={"per_page": 7, "page": 3}).get_json()
    assert first["total"] == third["total"] == len(COURSES)
    assert (third["page"], third["per_page"], len(third["items"])) == (3, 7, 7)
    assert [c["start_date"] for c in third["items"]] == [r["start_date"] for r in ordered[14:21]]
    assert not codes(first["items"]) & codes(third["items"])
    last_page = math.ceil(len(COURSES) / 7)
    last = client.get("/v1/courses", headers=keys.as_app, query_string={"per_page": 7, "page": last_page}).get_json()
    assert len(last["items"]) == len(COURSES) - 7 * (last_page - 1)
    past = client.get("/v1/courses", headers=keys.as_app, query_string={"per_page": 7, "page": last_page + 1}).get_json()
    assert past["items"] == [] and past["total"] == len(COURSES)
    default = client.get("/v1/courses", headers=keys.as_app).get_json()
    assert (default["page"], default["per_page"], len(default["items"])) == (1, 20, 20)


# --- one course ------------------------------------------------------------------------------

def test_get_course_by_id_and_404(client: FlaskClient, keys: Keys) -> None:
    listed = client.get("/v1/courses", headers=keys.as_app, query_string={"occupation": "4-10-01-05"}).get_json()
    summary = listed["items"][0]
    r = client.get(f"/v1/courses/{summary['id']}", headers=keys.as_app)
    assert r.status_code == 200
    course = r.get_json()
    assert course == summary
    row = BY_CODE[course["code"]]
    assert course["occupation"]["name_en"] == OCCUPATIONS["4-10-01-05"]["name_en"]
    assert course["enrol_deadline"] == row["enrol_deadline"] and course["hours"] == int(row["hours"])

    body = assert_problem(client.get("/v1/courses/99999999", headers=keys.as_app), 404)
    assert "99999999" in body["detail"]
    assert_problem(client.get("/v1/courses/99999999"), 401)  # no key: 401 before existence is told
    assert_problem(client.get("/v1/nothing-here", headers=keys.as_app), 404)


# --- the map (GeoJSON, RFC 7946) -------------------------------------------------------------

def assert_geojson_feature_collection(doc: dict[str, Any]) -> None:
    """RFC 7946 §3.3, §3.2, §3.1.2 and §5, checked strictly for a collection of Points."""
    assert doc["type"] == "FeatureCollection"
    assert isinstance(doc["features"], list)
    for member in ("geometry", "properties", "coordinates"):
        assert member not in doc  # a FeatureCollection has none of these
    for f in doc["features"]:
        assert f["type"] == "Feature"
        assert set(f) >= {"type", "geometry", "properties"}
        assert isinstance(f["id"], (str, int)) and not isinstance(f["id"], bool)
        assert isinstance(f["properties"], dict)
        g = f["geometry"]
        assert set(g) == {"type", "coordinates"} and g["type"] == "Point"
        pos = g["coordinates"]
        assert isinstance(pos, list) and len(pos) == 2
        assert all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in pos)
        lon, lat = pos
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    if "bbox" in doc:
        assert len(doc["bbox"]) == 4
        west, south, east, north = doc["bbox"]
        assert south <= north and south >= -90 and north <= 90
        for f in doc["features"]:
            lon, lat = f["geometry"]["coordinates"]
            assert west <= lon <= east and south <= lat <= north


def test_map_is_geojson(client: FlaskClient, keys: Keys) -> None:
    r = client.get("/v1/map/courses", headers=keys.as_app)
    assert r.status_code == 200
    assert r.mimetype == "application/geo+json"
    doc = r.get_json(force=True)
    assert_geojson_feature_collection(doc)
    assert len(doc["features"]) == len(COURSES) and doc["truncated"] is False
    for f in doc["features"]:
        row = BY_CODE[f["properties"]["code"]]
        # [longitude, latitude]: Yancheng is near 120°E, 33°N, so a swap would show here.
        assert f["geometry"]["coordinates"] == pytest.approx([float(row["lon"]), float(row["lat"])])
        assert f["properties"]["title_zh"] == row["title_zh"]
        assert f["properties"]["seats_left"] == int(row["seats"]) - int(row["seats_taken"])
    lons = [float(r["lon"]) for r in COURSES]
    lats = [float(r["lat"]) for r in COURSES]
    assert doc["bbox"] == pytest.approx([min(lons), min(lats), max(lons), max(lats)])
    try:  # a third-party validator when one is installed; the checks above stand without it
        from geojson_pydantic import FeatureCollection  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        FeatureCollection.model_validate(doc)


def test_map_filters_near_and_limit(client: FlaskClient, keys: Keys) -> None:
    dist = distances_from(33.35, 120.16)
    within = sorted((d, c) for c, d in dist.items() if d <= 10)
    r = client.get("/v1/map/courses?near=33.35,120.16&radius_km=10&limit=5", headers=keys.as_app)
    doc = r.get_json(force=True)
    assert_geojson_feature_collection(doc)
    assert [f["properties"]["code"] for f in doc["features"]] == [c for _, c in within[:5]]
    assert doc["truncated"] is (len(within) > 5)
    r = client.get("/v1/map/courses?county=sheyang&training_type=safety", headers=keys.as_app)
    doc = r.get_json(force=True)
    assert {f["properties"]["code"] for f in doc["features"]} == expect(
        lambda row: row["county"] == "sheyang" and row["training_type"] == "safety")
    empty = client.get("/v1/map/courses?near=-33.9,18.4", headers=keys.as_app).get_json(force=True)
    assert_geojson_feature_collection(empty)
    assert empty["features"] == [] and "bbox" not in empty


# --- occupations and institutions ------------------------------------------------------------

def test_occupations_shortage_filter(client: FlaskClient, keys: Keys) -> None:
    levels = shortage_in_force(TODAY)
    on_list, total = get_all(client, keys.as_app, "/v1/occupations", shortage="true")
    assert {o["code"]: o["shortage_level"] for o in on_list} == levels and total == len(levels)
    assert all(o["shortage"] for o in on_list)
    off_list, total_off = get_all(client, keys.as_app, "/v1/occupations", shortage="false")
    assert {o["code"] for o in off_list} == set(OCCUPATIONS) - set(levels)
    assert all(not o["shortage"] and o["shortage_level"] is None for o in off_list)
    everything, grand = get_all(client, keys.as_app, "/v1/occupations")
    assert grand == total + total_off == len(OCCUPATIONS)
    assert [o["code"] for o in everything] == sorted(OCCUPATIONS)
    so = next(o for o in everything if o["code"].startswith("SO-"))
    assert so["special_operation"] is True
    assert so["levels"] == [int(x) for x in OCCUPATIONS[so["code"]]["levels"].split("|")]


@pytest.mark.parametrize("q", ["养老", "护理", "ELDERLY", "robot", "4-10-01"])
def test_occupations_text_search_zh_en(client: FlaskClient, keys: Keys, q: str) -> None:
    expected = {c for c, r in OCCUPATIONS.items()
                if q.lower() in r["name_zh"].lower() or q.lower() in r["name_en"].lower() or q in c}
    assert expected
    items, _ = get_all(client, keys.as_app, "/v1/occupations", q=q)
    assert {o["code"] for o in items} == expected


def test_occupations_text_search_treats_wildcards_literally(client: FlaskClient, keys: Keys) -> None:
    for q in ("%", "_"):
        _items, total = get_all(client, keys.as_app, "/v1/occupations", q=q)
        assert total == sum(1 for c, r in OCCUPATIONS.items() if q in r["name_zh"] + r["name_en"] + c)


def test_occupations_category_filter(client: FlaskClient, keys: Keys) -> None:
    items, _ = get_all(client, keys.as_app, "/v1/occupations", category="modern_services", shortage="true")
    levels = shortage_in_force(TODAY)
    assert {o["code"] for o in items} == {c for c, r in OCCUPATIONS.items()
                                          if r["category"] == "modern_services" and c in levels}


@pytest.mark.parametrize("query,pred", [
    ({"county": "dafeng"}, lambda r: r["county"] == "dafeng"),
    ({"type": "technical_school"}, lambda r: r["type"] == "technical_school"),
    ({"disability_base": "true"}, lambda r: r["disability_base"] == "true"),
    ({"q": "学院"}, lambda r: "学院" in r["name_zh"]),
    ({"q": "college", "county": "tinghu"}, lambda r: "college" in r["name_en"].lower() and r["county"] == "tinghu"),
])
def test_institution_filters(client: FlaskClient, keys: Keys, query: dict[str, str],
                             pred: Callable[[dict[str, str]], bool]) -> None:
    expected = {r["code"]: r for r in INSTITUTIONS if pred(r)}
    assert 0 < len(expected) < len(INSTITUTIONS)
    items, total = get_all(client, keys.as_tinghu, "/v1/institutions", **query)
    assert {i["code"] for i in items} == set(expected) and total == len(expected)
    for i in items:
        row = expected[i["code"]]
        assert (i["name_zh"], i["type"], i["county"], i["credit_rating"]) == (
            row["name_zh"], row["type"], row["county"], row["credit_rating"])
        assert i["location"]["lat"] == pytest.approx(float(row["lat"]))


# --- OpenAPI, health, limits -----------------------------------------------------------------

def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        node = spec
        for p in parts:
            node = node[p]
    return node


def test_openapi_documents_every_route_and_problem_json(app: Flask, client: FlaskClient) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    routes = {(str(rule).replace("<int:", "{").replace("<", "{").replace(">", "}"), method.lower())
              # The console's HTML pages, /docs and the Prometheus scrape are not the API (own tests).
              for rule in app.url_map.iter_rules()
              if rule.endpoint.split(".")[0] not in ("static", "api-docs", "docs", "console", "console_root",
                                                     "metrics")
              for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops
                  if method in ("get", "post", "put", "patch", "delete")}
    assert routes <= documented, routes - documented
    for must in ("/v1/courses", "/v1/courses/{course_id}", "/v1/map/courses", "/v1/occupations",
                 "/v1/institutions", "/health/live", "/health/ready", "/v1/workers", "/v1/eligibility"):
        assert must in spec["paths"], must
    checked = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for status, response in op["responses"].items():
                if status == "default" or int(status) >= 400:
                    content = resolve(spec, response).get("content", {})
                    assert PROBLEM in content, (path, method, status)
                    assert "application/json" not in content, (path, method, status)
                    checked += 1
            if path.startswith("/v1/"):
                assert "401" in op["responses"], (path, method)
    assert checked >= 20
    map_ok = spec["paths"]["/v1/map/courses"]["get"]["responses"]["200"]
    assert "application/geo+json" in resolve(spec, map_ok)["content"]
    unprocessable = resolve(spec, spec["paths"]["/v1/courses"]["get"]["responses"]["422"])
    schema = resolve(spec, unprocessable["content"][PROBLEM]["schema"])
    assert {"type", "title", "status", "detail", "errors"} <= set(schema["properties"])


def test_health(client: FlaskClient) -> None:
    live = client.get("/health/live")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    body = ready.get_json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert body["model"]["serving"] in ("model", "rule_based")


def test_ready_is_503_problem_when_the_database_is_gone(sqlite_template: Any, tmp_path: Any) -> None:
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path}/missing/dir/that/is/a/file/x.db", tmp_path,)
    try:
        # Make the database path unusable: a directory where the file should be.
        (tmp_path / "missing" / "dir" / "that" / "is" / "a" / "file" / "x.db").mkdir(parents=True)
        r = app.test_client().get("/health/ready")
        body = assert_problem(r, 503)
        assert r.headers["Retry-After"] and "database" in body["detail"].lower()
    finally:
        app.services.engine.dispose()


def test_request_body_over_the_cap_is_413_problem(app: Flask, client: FlaskClient, keys: Keys) -> None:
    cap = app.config["MAX_CONTENT_LENGTH"]
    payload = '{"profile": {}, "course_ids": [1], "pad": "' + "x" * cap + '"}'
    r = client.post("/v1/eligibility", headers=keys.as_app, data=payload, content_type="application/json")
    body = assert_problem(r, 413)
    assert body["title"] == "Content Too Large" or body["title"] == "Request Entity Too Large"
    r = client.post("/v1/workers", headers=keys.as_tinghu, data=payload, content_type="application/json")
    assert_problem(r, 413)


def test_unknown_json_fields_are_422_naming_them(client: FlaskClient, keys: Keys) -> None:
    course_id = client.get("/v1/courses?per_page=1", headers=keys.as_app).get_json()["items"][0]["id"]
    body = assert_problem(client.post("/v1/eligibility", headers=keys.as_app, json={
        "profile": {"birth_date": "1990-01-01", "favourite_colour": "red"},
        "course_ids": [course_id], "debug": True}), 422)
    errors = field_errors(body)
    assert ("json", "debug") in errors and ("json", "profile.favourite_colour") in errors
    assert "Unknown" in errors[("json", "debug")]
    body = assert_problem(client.post("/v1/workers", headers=keys.as_tinghu,
                                      json={"birth_date": "1990-01-01", "shoe_size": 42}), 422)
    assert set(field_errors(body)) == {("json", "shoe_size")}


def test_malformed_json_body_is_a_problem(client: FlaskClient, keys: Keys) -> None:
    r = client.post("/v1/workers", headers=keys.as_tinghu, data="{not json", content_type="application/json")
    body = assert_problem(r, 400)
    assert body["detail"] == "The request has invalid fields."
    assert body["errors"] == [{"location": "json", "field": "_schema", "message": "Invalid JSON body."}]


def test_wrong_method_is_405_problem_with_allow(client: FlaskClient, keys: Keys) -> None:
    r = client.delete("/v1/courses", headers=keys.as_admin)
    assert_problem(r, 405)
    assert "GET" in r.headers["Allow"]


def test_catalog_responses_are_not_html_for_unexpected_errors(app: Flask, client: FlaskClient, keys: Keys,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from api.catalog import routes

    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(routes, "search_institutions", boom)
    r = client.get("/v1/institutions", headers=keys.as_app)
    body = assert_problem(r, 500)
    assert body["detail"] == "Internal error; it has been logged."
    assert "secret detail" not in r.get_data(as_text=True) and "RuntimeError" not in r.get_data(as_text=True)


def test_distance_order_is_stable_for_ties(client: FlaskClient, keys: Keys) -> None:
    # Courses at one address share a distance; ties are broken by id so pages never overlap.
    items, _ = get_all(client, keys.as_app, "/v1/courses", near="33.39,120.14", radius_km=30)
    keyed = [(c["distance_km"], c["id"]) for c in items]
    assert keyed == sorted(keyed)
    page2 = client.get("/v1/courses", headers=keys.as_app,
                       query_string={"near": "33.39,120.14", "radius_km": 30, "per_page": 10, "page": 2}).get_json()
    assert [c["id"] for c in page2["items"]] == [c["id"] for c in items[10:20]]
    assert np.all(np.diff([c["distance_km"] for c in page2["items"]]) >= 0)


# --- ended courses and unknown codes (issue 13) ----------------------------------------------

def test_lists_and_map_hide_ended_courses_unless_asked(client: FlaskClient, keys: Keys) -> None:
    ended = {r["code"] for r in ALL_COURSES if r["end_date"] < TODAY.isoformat()}
    assert ended, "the sample catalog has ended courses"
    items, total = get_all(client, keys.as_app, "/v1/courses")
    assert total == len(COURSES) and not codes(items) & ended
    items, total = get_all(client, keys.as_app, "/v1/courses", include_ended="true")
    assert total == len(ALL_COURSES) and ended <= codes(items)
    doc = client.get("/v1/map/courses", headers=keys.as_app).get_json(force=True)
    assert not {f["properties"]["code"] for f in doc["features"]} & ended
    doc = client.get("/v1/map/courses?include_ended=true", headers=keys.as_app).get_json(force=True)
    assert len(doc["features"]) == len(ALL_COURSES)


@pytest.mark.parametrize("path,query,field", [
    ("/v1/courses", {"county": "atlantis"}, "county"),
    ("/v1/map/courses", {"county": "atlantis"}, "county"),
    ("/v1/courses", {"occupation": "9-99-99-99"}, "occupation"),
    ("/v1/courses", {"institution": "NO-SUCH-INST"}, "institution"),
    ("/v1/institutions", {"county": "atlantis"}, "county"),
])
def test_unknown_filter_codes_are_422_not_an_empty_list(client: FlaskClient, keys: Keys, path: str,
                                                        query: dict[str, str], field: str) -> None:
    r = client.get(path, headers=keys.as_app, query_string=query)
    assert r.status_code == 422 and r.mimetype == PROBLEM
    assert [e["field"] for e in r.get_json()["errors"]] == [field]
    assert query[field] in r.get_json()["errors"][0]["message"]


def test_reference_lists_have_zh_and_en_names(client: FlaskClient, keys: Keys) -> None:
    counties = client.get("/v1/reference/counties", headers=keys.as_app).get_json()["items"]
    assert {c["code"] for c in counties} == {r["code"] for r in read("counties")}
    assert next(c for c in counties if c["code"] == "tinghu")["name_zh"] == "亭湖区"
    centers = client.get("/v1/reference/job-centers", headers=keys.as_app).get_json()["items"]
    assert {c["code"] for c in centers} == {r["code"] for r in read("job_centers")}
    assert all(c["name_zh"] and c["name_en"] for c in centers)
    groups = client.get("/v1/reference/priority-groups", headers=keys.as_app).get_json()["items"]
    by_code = {g["code"]: g for g in groups}
    assert by_code["veteran"]["name_zh"] == "退役军人" and by_code["veteran"]["sensitive"] is False
    assert by_code["dibao"]["sensitive"] is True and by_code["dibao"]["name_en"]
    types = client.get("/v1/reference/training-types", headers=keys.as_app).get_json()["items"]
    assert {t["code"] for t in types} >= {"employment_skills", "safety"} and all(t["name_en"] for t in types)
