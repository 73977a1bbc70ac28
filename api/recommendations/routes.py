"""Recommendations for a registered worker (counselors, push) or an inline profile (the app)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import select

from api.auth import current_principal, requires
from api.clock import today
from api.db import db
from api.eligibility.routes import policy_settings, snapshot
from api.recommendations.schemas import InlineRecommendationIn, RecommendationList, RecommendationQuery
from api.workers.routes import load_worker
from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS
from policy.profile import WorkerProfile
from recommender.ranking import REASONS
from serving.recommend import Recommendation, RecommendationResult, recommend
from workers.profiles import approximate, inline_profile, to_profile
from workers.service import audit
from workers.tables import Event

blp = Blueprint("recommendations", __name__, url_prefix="/v1",
                description="Ranked, eligible, explained course recommendations")


def item_view(r: Recommendation, redacted: bool) -> dict[str, Any]:
    """One recommendation; ``redacted`` for the app role asking about a stored worker."""
    c = r.course
    reasons = r.reasons
    if redacted and c.facts.target_groups & SENSITIVE_PRIORITY_GROUPS:
        # "Aimed at a group you belong to" on a course for disabled or dibao workers would tell the
        # app which sensitive group the worker is in.
        reasons = tuple(code for code in reasons if code != "TARGETS_YOUR_GROUP")
    view: dict[str, Any] = {
        "rank": r.rank, "score": r.score, "subsidy_cny": r.subsidy_cny, "free_training": r.free_training,
        "safety_first": r.safety_first, "distance_km": r.distance_km, "days_to_start": r.days_to_start,
        "reasons": [{"code": code, "text_zh": REASONS[code][0], "text_en": REASONS[code][1]} for code in reasons],
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
    if not redacted:
        view["living_allowance"] = r.living_allowance
        view["living_allowance_cny"] = r.living_allowance_cny
    return view


def run(profile: WorkerProfile, worker_id: int | None, args: dict[str, Any], dismissed: list[int],
        taken: list[int]) -> RecommendationResult:
    if "near" in args:
        lat, lon = args["near"]
        profile = replace(profile, lat=approximate(lat), lon=approximate(lon),
                          max_travel_km=args.get("radius_km", profile.max_travel_km))
    return recommend(
        snapshot(), current_app.extensions["reco.serving"], profile, worker_id=worker_id, today=today(),
        settings=policy_settings(), weights=current_app.extensions["reco.weights"], k=args["k"],
        dismissed=dismissed, taken=taken, default_max_km=current_app.config["DEFAULT_MAX_KM"],
    )


def body(result: RecommendationResult, worker_id: int | None, redacted: bool) -> dict[str, Any]:
    return {"worker_id": worker_id,
            "served_by": {"serving": "model" if result.model_version else "rule_based",
                          "version": result.model_version},
            "eligible_courses": result.eligible_count,
            "items": [item_view(r, redacted) for r in result.items]}


@blp.route("/workers/<int:worker_id>/recommendations")
@requires(blp, "admin", "counselor", "app")
@blp.arguments(RecommendationQuery, location="query")
@blp.response(200, RecommendationList)
@blp.alt_response(404, response="NOT_FOUND")
def worker_recommendations(args: dict[str, Any], worker_id: int) -> dict[str, Any]:
    """The best eligible courses for a registered worker, with subsidy and reasons."""
    worker = load_worker(worker_id)
    dismissed = list(db().scalars(select(Event.course_id).where(Event.worker_id == worker.id,
                                                                Event.kind == "dismiss")))
    taken = [t.course_id for t in worker.trainings if t.course_id is not None and t.status != "dropped"]
    result = run(to_profile(worker), worker.id, args, dismissed, taken)
    audit(db(), current_principal(), "read", worker.id, ["recommendations"])
    db().commit()
    # R7's allowance follows from low-income, dibao or disability status: not for the app role.
    return body(result, worker.id, redacted=current_principal().role == "app")


@blp.route("/recommendations", methods=["POST"])
@requires(blp, "admin", "counselor", "app")
@blp.arguments(InlineRecommendationIn)
@blp.response(200, RecommendationList)
def inline_recommendations(data: dict[str, Any]) -> dict[str, Any]:
    """Recommendations for an inline, anonymous profile (nothing is stored)."""
    result = run(inline_profile(data["profile"]), None, {"k": data["k"]}, data["dismissed_course_ids"], [])
    # The app sent this profile itself: nothing in the answer is news to it.
    return body(result, None, redacted=False)
