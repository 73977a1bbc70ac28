"""Eligibility and subsidy decisions: for a stored worker, or for an inline profile (app)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.auth import current_principal, requires
from api.context import services
from api.db import db
from api.eligibility.schemas import CourseIdQuery, DecisionList, DecisionSchema, InlineEligibilityIn
from policy import Decision
from serving import eligibility
from workers.profiles import inline_profile

blp = Blueprint("eligibility", __name__, url_prefix="/v1",
                description="Eligibility and subsidy decisions with a trace of every rule (R1–R12)")


def decision_view(d: Decision) -> dict[str, Any]:
    return {
        "course_id": d.course_id, "eligible": d.eligible, "failed": list(d.failed_codes),
        "subsidy_cny": d.subsidy_cny, "subsidies_left_this_year": d.subsidies_left_this_year,
        "living_allowance": d.living_allowance, "living_allowance_cny": d.living_allowance_cny,
        "free_training": d.free_training, "safety_first": d.safety_first,
        "advance_payment_cny": d.advance_payment_cny,
        "checks": [{"code": c.code, "passed": c.passed, "blocking": c.blocking,
                    "message_zh": c.message_zh, "message_en": c.message_en} for c in d.checks],
    }


@blp.route("/workers/<int:worker_id>/eligibility")
@requires(blp, "admin", "counselor")
@blp.arguments(CourseIdQuery, location="query")
@blp.response(200, DecisionSchema)
@blp.alt_response(404, response="NOT_FOUND")
def worker_eligibility(args: dict[str, Any], worker_id: int) -> dict[str, Any]:
    """Whether a registered worker may take a course with a subsidy, rule by rule."""
    return decision_view(eligibility.for_stored_worker(services(), db(), current_principal(), worker_id,
                                                       args["course_id"]))


@blp.route("/eligibility", methods=["POST"])
@requires(blp, "admin", "counselor", "app")
@blp.arguments(InlineEligibilityIn)
@blp.response(200, DecisionList)
@blp.alt_response(404, response="NOT_FOUND")
def inline_eligibility(data: dict[str, Any]) -> dict[str, Any]:
    """Decide courses for an inline profile (nothing is stored)."""
    decisions = eligibility.for_profile(services(), db(), inline_profile(data["profile"]), data["course_ids"])
    return {"items": [decision_view(d) for d in decisions]}
