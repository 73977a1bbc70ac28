"""Eligibility and subsidy decisions: for a stored worker, or for an inline profile (app); and
"why nothing?" over the whole catalog."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.auth import current_principal, requires
from api.context import services
from api.db import db, reads_only
from api.eligibility.schemas import (
    CourseIdQuery,
    DecisionList,
    DecisionSchema,
    InlineEligibilityIn,
    InlineWhyNothingIn,
    WhyNothingSchema,
)
from policy import Decision
from policy.availability import Availability
from policy.why_nothing import Exclusion, WhyNothing
from serving import eligibility, why_nothing
from workers.profiles import inline_profile

blp = Blueprint("eligibility", __name__, url_prefix="/v1",
                description="Eligibility and subsidy decisions with a trace of every rule (R1–R12)")


def availability_view(a: Availability) -> dict[str, Any]:
    return {"seats_left": a.seats_left, "enrol_deadline": a.enrol_deadline, "end_date": a.end_date,
            "full": a.full, "deadline_passed": a.deadline_passed, "ended": a.ended, "open": a.open,
            "codes": list(a.codes)}


def decision_view(d: Decision, avail: Availability) -> dict[str, Any]:
    return {
        "course_id": d.course_id, "eligible": d.eligible, "failed": list(d.failed_codes),
        "subsidy_cny": d.subsidy_cny, "subsidies_left_this_year": d.subsidies_left_this_year,
        "living_allowance": d.living_allowance, "living_allowance_cny": d.living_allowance_cny,
        "free_training": d.free_training, "safety_first": d.safety_first,
        "advance_payment_cny": d.advance_payment_cny,
        "checks": [{"code": c.code, "passed": c.passed, "blocking": c.blocking,
                    "message_zh": c.message_zh, "message_en": c.message_en} for c in d.checks],
        "availability": availability_view(avail),
    }


def why_nothing_view(w: WhyNothing) -> dict[str, Any]:
    snap = services().snapshots.get(db(), services().today())

    def exclusion(e: Exclusion) -> dict[str, Any]:
        return {"code": e.code, "title_zh": e.title_zh, "title_en": e.title_en, "courses": e.courses,
                "alone": e.alone}

    return {"total_courses": w.total_courses, "eligible": w.eligible, "eligible_and_open": w.eligible_and_open,
            "summary_zh": w.summary_zh, "summary_en": w.summary_en,
            "rules": [exclusion(e) for e in w.rules], "availability": [exclusion(e) for e in w.availability],
            "nearest_misses": [{"course_id": m.course_id, "title_zh": snap.items[snap.row_of[m.course_id]].title_zh,
                                "code": m.code, "hint_zh": m.hint_zh, "hint_en": m.hint_en}
                               for m in w.nearest_misses]}


@blp.route("/workers/<int:worker_id>/eligibility")
@requires(blp, "admin", "counselor")
@blp.arguments(CourseIdQuery, location="query")
@blp.response(200, DecisionSchema)
@blp.alt_response(404, response="NOT_FOUND")
def worker_eligibility(args: dict[str, Any], worker_id: int) -> dict[str, Any]:
    """Whether a registered worker may take a course with a subsidy, rule by rule, with the course's
    seats, enrolment deadline and end as separate facts."""
    decision = eligibility.for_stored_worker(services(), db(), current_principal(), worker_id, args["course_id"])
    [avail] = eligibility.availability_of(services(), db(), [args["course_id"]])
    return decision_view(decision, avail)


@blp.route("/eligibility", methods=["POST"])
@reads_only
@requires(blp, "admin", "counselor", "app")
@blp.arguments(InlineEligibilityIn)
@blp.response(200, DecisionList)
@blp.alt_response(404, response="NOT_FOUND")
def inline_eligibility(data: dict[str, Any]) -> dict[str, Any]:
    """Decide courses for an inline profile (nothing is stored)."""
    decisions = eligibility.for_profile(services(), db(), inline_profile(data["profile"]), data["course_ids"])
    avail = eligibility.availability_of(services(), db(), data["course_ids"])
    return {"items": [decision_view(d, a) for d, a in zip(decisions, avail, strict=True)]}


@blp.route("/workers/<int:worker_id>/why-nothing")
@requires(blp, "admin", "counselor")
@blp.response(200, WhyNothingSchema)
@blp.alt_response(404, response="NOT_FOUND")
def worker_why_nothing(worker_id: int) -> dict[str, Any]:
    """Why a registered worker has few or no courses: exclusions per rule and availability fact,
    and the nearest misses with what would change them."""
    return why_nothing_view(why_nothing.for_stored_worker(services(), db(), current_principal(), worker_id))


@blp.route("/why-nothing", methods=["POST"])
@reads_only
@requires(blp, "admin", "counselor", "app")
@blp.arguments(InlineWhyNothingIn)
@blp.response(200, WhyNothingSchema)
def inline_why_nothing(data: dict[str, Any]) -> dict[str, Any]:
    """'Why nothing?' for an inline profile (nothing is stored)."""
    return why_nothing_view(why_nothing.for_profile(services(), db(), inline_profile(data["profile"])))
