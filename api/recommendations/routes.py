"""Recommendations for a registered worker (counselors, push) or an inline profile (the app)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_smorest import Blueprint

from api.auth import current_principal, requires
from api.context import services
from api.db import db, reads_only
from api.metrics import observe_recommendations
from api.recommendations.schemas import InlineRecommendationIn, RecommendationList, RecommendationQuery
from recommender.ranking import reason_text
from serving import recommendations
from serving.recommend import Recommendation
from workers.profiles import inline_profile

blp = Blueprint("recommendations", __name__, url_prefix="/v1",
                description="Ranked, eligible, explained course recommendations")

DISMISSAL_NOTE = ("A course the worker dismissed is not shown again, unless the worker later saves, enrols in "
                  "or completes that same course; courses already enrolled in or completed are never shown.")


def item_view(r: Recommendation, show_allowance: bool) -> dict[str, Any]:
    """One recommendation, as the use case decided it may be disclosed."""
    c = r.course
    view: dict[str, Any] = {
        "rank": r.rank, "score": r.score, "subsidy_cny": r.subsidy_cny, "free_training": r.free_training,
        "safety_first": r.safety_first, "distance_km": r.distance_km, "days_to_start": r.days_to_start,
        "reasons": [{"code": code, "text_zh": reason_text(code, "zh", c), "text_en": reason_text(code, "en", c)}
                    for code in r.reasons],
        "course": {
            "id": c.id, "title_zh": c.title_zh, "title_en": c.title_en, "institution_code": c.institution_code,
            "institution_name_zh": c.institution_name_zh, "institution_credit_rating": c.institution_credit_rating,
            "occupation_code": c.facts.occupation_code, "occupation_category": c.occupation_category,
            "shortage_level": c.shortage_level, "level": c.facts.level, "training_type": c.facts.training_type,
            "certificate_type": c.facts.certificate_type, "delivery_mode": c.facts.delivery_mode,
            "county": c.facts.county, "start_date": c.facts.start_date, "end_date": c.facts.end_date,
            "enrol_deadline": c.enrol_deadline, "seats_left": c.seats_left,
            "location": {"lat": c.lat, "lon": c.lon},
        },
    }
    if show_allowance:
        view["living_allowance"] = r.living_allowance
        view["living_allowance_cny"] = r.living_allowance_cny
    return view


def body(answer: recommendations.RecommendationList) -> dict[str, Any]:
    result = answer.result
    observe_recommendations(result.eligible_count, result.model_version)
    return {"worker_id": answer.worker_id,
            "served_by": {"serving": ("non_personalized" if not result.personalized
                                      else "model" if result.model_version else "rule_based"),
                          "version": result.model_version},
            "eligible_courses": result.eligible_count,
            "items": [item_view(r, answer.show_allowance) for r in result.items]}


COURSE_DATES = ("start_date", "end_date", "enrol_deadline")


def respond(answer: recommendations.RecommendationList) -> Response:
    """The list as JSON without a marshmallow dump (the hottest response; ~10% of its CPU).

    :func:`body` already builds exactly the documented fields with JSON types, except the dates;
    ``tests/api/test_recommendations_api.py`` checks the result equals ``RecommendationList``'s
    dump, so the OpenAPI document stays exact."""
    data = body(answer)
    for item in data["items"]:
        course = item["course"]
        for name in COURSE_DATES:
            course[name] = course[name].isoformat()
    return jsonify(data)


@blp.route("/workers/<int:worker_id>/recommendations")
@requires(blp, "admin", "counselor", "worker", scope="recommendations:read")
@blp.arguments(RecommendationQuery, location="query")
@blp.response(200, RecommendationList)
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(description=DISMISSAL_NOTE)
def worker_recommendations(args: dict[str, Any], worker_id: int) -> Response:
    """The best eligible courses for a registered worker, with subsidy and reasons."""
    return respond(recommendations.for_stored_worker(
        services(), db(), current_principal(), worker_id, k=args["k"], near=args.get("near"),
        radius_km=args.get("radius_km"), all_eligible=args["all_eligible"]))


@blp.route("/recommendations", methods=["POST"])
@reads_only
@requires(blp, "admin", "counselor", "app")
@blp.arguments(InlineRecommendationIn)
@blp.response(200, RecommendationList)
@blp.doc(description="Courses listed in `dismissed_course_ids` are not shown.")
def inline_recommendations(data: dict[str, Any]) -> Response:
    """Recommendations for an inline, anonymous profile (nothing is stored)."""
    return respond(recommendations.for_profile(services(), db(), inline_profile(data["profile"]), k=data["k"],
                                            dismissed=data["dismissed_course_ids"]))
