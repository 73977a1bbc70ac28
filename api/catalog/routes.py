"""Read API over the published catalogs: occupations, institutions, courses and the course map."""

from __future__ import annotations

from typing import Any

from flask import Response, json
from flask_smorest import Blueprint
from sqlalchemy import select

from api.auth import requires
from api.catalog.schemas import (
    CoursePage,
    CourseQuery,
    CourseSchema,
    FeatureCollectionSchema,
    InstitutionCollectionSchema,
    InstitutionMapQuery,
    InstitutionPage,
    InstitutionQuery,
    MapQuery,
    OccupationPage,
    OccupationQuery,
)
from api.clock import today
from api.context import services
from api.db import db
from api.errors import fail
from catalog.coordinates import Crs, to_wgs84
from catalog.lists import shortage_levels
from catalog.map_features import Pin, feature_collection
from catalog.queries import (
    CourseFilter,
    Near,
    Page,
    map_institutions,
    search_courses,
    search_institutions,
    search_occupations,
)
from catalog.tables import County, Course, Institution, Occupation
from serving.course_search import find_courses

DEFAULT_RADIUS_KM = 20.0
ANY_ROLE = ("admin", "counselor", "app")

blp = Blueprint("catalog", __name__, url_prefix="/v1", description="Published catalogs: occupations, institutions, courses")


def location(obj: Any) -> dict[str, float]:
    return {"lat": obj.lat, "lon": obj.lon}


def institution_view(i: Institution) -> dict[str, Any]:
    return {"id": i.id, "code": i.code, "name_zh": i.name_zh, "name_en": i.name_en, "type": i.type,
            "county": i.county, "address": i.address, "location": location(i),
            "credit_rating": i.credit_rating, "disability_base": i.disability_base, "phone": i.phone}


def course_view(c: Course, distance_km: float | None, levels: dict[str, int]) -> dict[str, Any]:
    occ, inst = c.occupation, c.institution
    return {
        "id": c.id, "code": c.code, "title_zh": c.title_zh, "title_en": c.title_en,
        "institution": {"id": inst.id, "code": inst.code, "name_zh": inst.name_zh, "name_en": inst.name_en,
                        "type": inst.type, "credit_rating": inst.credit_rating},
        "occupation": {"code": occ.code, "name_zh": occ.name_zh, "name_en": occ.name_en,
                       "category": occ.category, "shortage_level": levels.get(occ.code),
                       "access_restricted": occ.access_restricted, "special_operation": occ.special_operation},
        "level": c.level, "training_type": c.training_type, "certificate_type": c.certificate_type,
        "hours": c.hours, "online_hours": c.online_hours, "start_date": c.start_date,
        "end_date": c.end_date, "enrol_deadline": c.enrol_deadline, "seats": c.seats,
        "seats_taken": c.seats_taken, "seats_left": max(c.seats - c.seats_taken, 0),
        "county": c.county, "address": c.address, "location": location(c),
        "delivery_mode": c.delivery_mode, "subsidy_cny": c.subsidy_cny,
        "target_groups": list(c.target_groups), "reserved_for": list(c.reserved_for or ()),
        "stage": c.stage, "free_for_key_groups": c.free_for_key_groups,
        "accessible": c.accessible, "project_based": c.project_based, "distance_km": distance_km,
    }


def check_codes(args: dict[str, Any]) -> None:
    """Codes a schema cannot know (they are data): an unknown one is 422, never an empty list."""
    checks = (("county", County.code), ("occupation", Occupation.code), ("institution", Institution.code))
    errors = {name: [f"unknown {name} code {args[name]!r}"] for name, column in checks
              if args.get(name) and db().scalar(select(column).where(column == args[name])) is None}
    if errors:
        fail(422, "Unknown codes in the filter; see /v1/reference.", errors={"query": errors})


def course_filter(args: dict[str, Any]) -> CourseFilter:
    check_codes(args)
    if not args.pop("include_ended", False):
        args["ends_on_or_after"] = today()
    near = None
    if "near" in args:
        lat, lon = args.pop("near")
        near = Near(lat, lon, args.pop("radius_km", DEFAULT_RADIUS_KM))
    for key in ("page", "per_page", "limit"):
        args.pop(key, None)
    return CourseFilter(near=near, **args)


@blp.route("/occupations")
@requires(blp, *ANY_ROLE)
@blp.arguments(OccupationQuery, location="query", as_kwargs=True)
@blp.response(200, OccupationPage)
def list_occupations(page: int, per_page: int, shortage: bool | None = None,
                     category: str | None = None, q: str | None = None) -> dict[str, Any]:
    """List occupations (filter by shortage list, category, text in Chinese or English)."""
    rows, total = search_occupations(db(), shortage=shortage, category=category, q=q, on=today(),
                                     page=Page(page, per_page))
    items = [{"code": o.code, "name_zh": o.name_zh, "name_en": o.name_en, "category": o.category,
              "shortage": level is not None, "shortage_level": level,
              "access_restricted": o.access_restricted, "special_operation": o.special_operation,
              "levels": list(o.levels)} for o, level in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@blp.route("/institutions")
@requires(blp, *ANY_ROLE)
@blp.arguments(InstitutionQuery, location="query", as_kwargs=True)
@blp.response(200, InstitutionPage)
def list_institutions(page: int, per_page: int, county: str | None = None, type: str | None = None,
                      disability_base: bool | None = None, q: str | None = None) -> dict[str, Any]:
    """List accredited training institutions."""
    check_codes({"county": county})
    rows, total = search_institutions(db(), county=county, type_=type, disability_base=disability_base,
                                      q=q, page=Page(page, per_page))
    return {"items": [institution_view(i) for i in rows], "total": total, "page": page, "per_page": per_page}


@blp.route("/courses")
@requires(blp, *ANY_ROLE)
@blp.arguments(CourseQuery, location="query")
@blp.response(200, CoursePage)
def list_courses(args: dict[str, Any]) -> dict[str, Any]:
    """Search courses; with `near` only those within `radius_km`, nearest first."""
    page = Page(args["page"], args["per_page"])
    rows, total = find_courses(services(), db(), course_filter(dict(args)), page, today())
    levels = shortage_levels(db(), today())
    return {"items": [course_view(c, d, levels) for c, d in rows], "total": total,
            "page": page.page, "per_page": page.per_page}


@blp.route("/courses/<int:course_id>")
@requires(blp, *ANY_ROLE)
@blp.response(200, CourseSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_course(course_id: int) -> dict[str, Any]:
    """One course with its institution and occupation."""
    course = db().get(Course, course_id)
    if course is None:
        fail(404, f"No course with id {course_id}.")
    return course_view(course, None, shortage_levels(db(), today()))


def map_position(args: dict[str, Any], crs: Crs) -> None:
    """The app sends its position in its map's system; the query runs in WGS-84. The position is
    used for this query only and never stored."""
    if "near" in args:
        lat, lon = args["near"]
        args["near"] = to_wgs84(lat, lon, crs)


def geojson(body: dict[str, Any], schema: FeatureCollectionSchema) -> Response:
    # Returned as a Response so the registered GeoJSON media type goes out, not application/json.
    return Response(json.dumps(schema.dump(body), ensure_ascii=False), mimetype="application/geo+json")


@blp.route("/map/courses")
@requires(blp, *ANY_ROLE)
@blp.arguments(MapQuery, location="query")
@blp.response(200, FeatureCollectionSchema, content_type="application/geo+json")
def map_courses(args: dict[str, Any]) -> Response:
    """Courses as a GeoJSON FeatureCollection (RFC 7946) for the app's map, as pins or clusters."""
    args = dict(args)
    limit, crs, zoom = args.pop("limit"), args.pop("crs"), args.pop("zoom", None)
    map_position(args, crs)
    rows, total = search_courses(db(), course_filter(args), Page(1, limit))
    pins = [Pin(c.id, c.lat, c.lon, {
        "id": c.id, "code": c.code, "title_zh": c.title_zh, "title_en": c.title_en,
        "institution_name_zh": c.institution.name_zh, "occupation_code": c.occupation_code,
        "occupation_name_zh": c.occupation.name_zh, "level": c.level, "training_type": c.training_type,
        "delivery_mode": c.delivery_mode, "start_date": c.start_date,
        "seats_left": max(c.seats - c.seats_taken, 0), "subsidy_cny": c.subsidy_cny, "distance_km": d,
    }) for c, d in rows]
    return geojson(feature_collection(pins, crs=crs, zoom=zoom, truncated=total > len(rows)),
                   FeatureCollectionSchema())


@blp.route("/map/institutions")
@requires(blp, *ANY_ROLE)
@blp.arguments(InstitutionMapQuery, location="query")
@blp.response(200, InstitutionCollectionSchema, content_type="application/geo+json")
def map_institutions_view(args: dict[str, Any]) -> Response:
    """Training institutions as GeoJSON for the app's map, with their open courses, as pins or clusters."""
    args = dict(args)
    crs, zoom = args["crs"], args.get("zoom")
    map_position(args, crs)
    near = None
    if "near" in args:
        lat, lon = args["near"]
        near = Near(lat, lon, args.get("radius_km", DEFAULT_RADIUS_KM))
    rows, total = map_institutions(db(), near=near, county=args.get("county"), type_=args.get("type"),
                                   disability_base=args.get("disability_base"),
                                   with_open_courses=args.get("with_open_courses"), on=today(),
                                   limit=args["limit"])
    pins = [Pin(i.id, i.lat, i.lon, {
        "id": i.id, "code": i.code, "name_zh": i.name_zh, "name_en": i.name_en, "type": i.type,
        "county": i.county, "address": i.address, "phone": i.phone, "credit_rating": i.credit_rating,
        "disability_base": i.disability_base, "open_courses": n_open, "distance_km": d,
    }) for i, d, n_open in rows]
    return geojson(feature_collection(pins, crs=crs, zoom=zoom, truncated=total > len(rows)),
                   InstitutionCollectionSchema())
