"""The app's map: GCJ-02 / BD-09 output, a position sent in the map's system, clusters by zoom,
institutions with what a pin needs, and the position never kept."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from catalog.coordinates import from_wgs84
from catalog.geo import haversine_km
from tests.api.conftest import Keys
from tests.api.test_catalog_api import (
    BY_CODE,
    COURSES,
    INSTITUTIONS,
    TODAY,
    assert_geojson_feature_collection,
    assert_problem,
    field_errors,
)


def metres(a: list[float], b: tuple[float, float]) -> float:
    """Distance between a GeoJSON [lon, lat] and a (lat, lon)."""
    return float(haversine_km(a[1], a[0], [b[0]], [b[1]])[0]) * 1000.0


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_map_courses_in_the_app_maps_system(client: FlaskClient, keys: Keys, crs: str) -> None:
    doc = client.get(f"/v1/map/courses?crs={crs}", headers=keys.as_app).get_json(force=True)
    assert_geojson_feature_collection(doc)
    assert doc["crs"] == crs and len(doc["features"]) == len(COURSES)
    moved = []
    for f in doc["features"]:
        row = BY_CODE[f["properties"]["code"]]
        wgs = (float(row["lat"]), float(row["lon"]))
        assert metres(f["geometry"]["coordinates"], from_wgs84(*wgs, crs)) < 0.05  # type: ignore[arg-type]
        moved.append(metres(f["geometry"]["coordinates"], wgs))
    # The point of it: drawn in WGS-84 on an AMap/Baidu map, each pin would be hundreds of metres off.
    assert min(moved) > 200


def test_a_position_sent_in_gcj02_finds_what_the_same_place_in_wgs84_finds(client: FlaskClient, keys: Keys) -> None:
    lat, lon = 33.35, 120.16
    g_lat, g_lon = from_wgs84(lat, lon, "gcj02")
    wgs = client.get(f"/v1/map/courses?near={lat},{lon}&radius_km=8", headers=keys.as_app).get_json(force=True)
    gcj = client.get(f"/v1/map/courses?near={g_lat:.7f},{g_lon:.7f}&radius_km=8&crs=gcj02",
                     headers=keys.as_app).get_json(force=True)
    assert wgs["features"] and len(wgs["features"]) < len(COURSES)
    assert [f["id"] for f in gcj["features"]] == [f["id"] for f in wgs["features"]]
    for a, b in zip(wgs["features"], gcj["features"], strict=True):
        assert abs(a["properties"]["distance_km"] - b["properties"]["distance_km"]) < 0.005
    # Taken as WGS-84, the GCJ-02 position would be ~500 m away and find a different set or order.
    naive = client.get(f"/v1/map/courses?near={g_lat:.7f},{g_lon:.7f}&radius_km=8",
                       headers=keys.as_app).get_json(force=True)
    assert [f["properties"]["distance_km"] for f in naive["features"]] != \
        [f["properties"]["distance_km"] for f in wgs["features"]]


def test_zoom_clusters_a_city_wide_view(client: FlaskClient, keys: Keys) -> None:
    pins = client.get("/v1/map/courses", headers=keys.as_app).get_json(force=True)
    city = client.get("/v1/map/courses?zoom=9&crs=gcj02", headers=keys.as_app).get_json(force=True)
    assert_geojson_feature_collection(city)
    clusters = [f for f in city["features"] if f["properties"]["cluster"]]
    singles = [f for f in city["features"] if not f["properties"]["cluster"]]
    assert clusters and len(city["features"]) < len(pins["features"]) / 5
    assert sum(f["properties"]["point_count"] for f in clusters) + len(singles) == len(COURSES)
    for f in clusters:
        assert set(f["properties"]) == {"cluster", "point_count", "bbox"} and f["properties"]["point_count"] > 1
        west, south, east, north = f["properties"]["bbox"]
        lon, lat = f["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north
    for f in singles:
        assert f["properties"]["title_zh"] == BY_CODE[f["properties"]["code"]]["title_zh"]
    street = client.get("/v1/map/courses?zoom=20", headers=keys.as_app).get_json(force=True)
    assert len(street["features"]) > len(city["features"])


def open_courses_by_institution() -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in COURSES:
        if r["enrol_deadline"] >= TODAY.isoformat() and int(r["seats_taken"]) < int(r["seats"]):
            counts[r["institution_code"]] = counts.get(r["institution_code"], 0) + 1
    return counts


def test_map_institutions_has_what_a_pin_needs(client: FlaskClient, keys: Keys) -> None:
    r = client.get("/v1/map/institutions?crs=gcj02", headers=keys.as_app)
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    doc = r.get_json(force=True)
    assert_geojson_feature_collection(doc)
    by_code = {i["code"]: i for i in INSTITUTIONS}
    assert {f["properties"]["code"] for f in doc["features"]} == set(by_code)
    open_counts = open_courses_by_institution()
    assert any(open_counts.values())
    for f in doc["features"]:
        p = f["properties"]
        row = by_code[p["code"]]
        assert p["name_zh"] == row["name_zh"] and p["address"] == row["address"] and p["cluster"] is False
        assert p["credit_rating"] == row["credit_rating"] and p["open_courses"] == open_counts.get(p["code"], 0)
        assert {"phone", "type", "county", "disability_base", "distance_km"} <= set(p)
        wgs = (float(row["lat"]), float(row["lon"]))
        assert metres(f["geometry"]["coordinates"], from_wgs84(*wgs, "gcj02")) < 0.05


def test_map_institutions_near_and_filters(client: FlaskClient, keys: Keys) -> None:
    lat, lon = 33.39, 120.14
    doc = client.get(f"/v1/map/institutions?near={lat},{lon}&radius_km=15&with_open_courses=true",
                     headers=keys.as_app).get_json(force=True)
    d = {i["code"]: float(x) for i, x in zip(INSTITUTIONS, haversine_km(
        lat, lon, [float(i["lat"]) for i in INSTITUTIONS], [float(i["lon"]) for i in INSTITUTIONS]), strict=True)}
    open_counts = open_courses_by_institution()
    expected = {c for c, x in d.items() if x <= 15 and open_counts.get(c, 0) > 0}
    got = [f["properties"] for f in doc["features"]]
    assert expected and {p["code"] for p in got} == expected
    assert [p["distance_km"] for p in got] == sorted(p["distance_km"] for p in got)
    clustered = client.get("/v1/map/institutions?zoom=8", headers=keys.as_app).get_json(force=True)
    assert len(clustered["features"]) < len(INSTITUTIONS)


@pytest.mark.parametrize(("url", "query", "field"), [
    ("/v1/map/courses", {"crs": "epsg3857"}, "crs"),
    ("/v1/map/courses", {"zoom": "23"}, "zoom"),
    ("/v1/map/institutions", {"crs": "wgs"}, "crs"),
    ("/v1/map/institutions", {"radius_km": "5"}, "radius_km"),
    ("/v1/map/institutions", {"page": "2"}, "page"),
])
def test_map_rejects_bad_parameters(client: FlaskClient, keys: Keys, url: str, query: dict[str, str],
                                    field: str) -> None:
    body = assert_problem(client.get(url, headers=keys.as_app, query_string=query), 422)
    assert ("query", field) in field_errors(body)


def test_the_apps_position_is_used_and_never_kept(app: Flask, client: FlaskClient, keys: Keys,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    lat, lon = "33.3612345", "120.1798765"
    with caplog.at_level(logging.DEBUG):
        for url in ("/v1/map/courses", "/v1/map/institutions"):
            r = client.get(f"{url}?near={lat},{lon}&crs=gcj02&zoom=12", headers=keys.as_app)
            assert r.status_code == 200
            assert r.get_json(force=True)["features"]
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert lat not in logged and lon not in logged
    db_path = make_url(app.config["DATABASE_URL"]).database
    assert db_path
    for path in Path(db_path).parent.glob(Path(db_path).name + "*"):  # the database and its WAL
        data = path.read_bytes()
        for text in (lat, lon, lat[:7], lon[:8]):
            assert text.encode() not in data


def feature_ids(doc: dict[str, Any]) -> list[Any]:
    return [f["id"] for f in doc["features"]]
