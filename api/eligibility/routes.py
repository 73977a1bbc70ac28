"""Eligibility and subsidy decisions: for a stored worker, or for an inline profile (app)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint, abort

from api.auth import current_principal, requires
from api.clock import today
from api.db import db
from api.eligibility.schemas import CourseIdQuery, DecisionList, DecisionSchema, InlineEligibilityIn
from api.workers.routes import load_worker
from policy import Decision, PolicySettings, decide
from policy.profile import WorkerProfile
from serving.snapshot import CatalogSnapshot
from workers.profiles import inline_profile, to_profile
from workers.service import audit

blp = Blueprint("eligibility", __name__, url_prefix="/v1",
                description="Eligibility and subsidy decisions with a trace of every rule (R1–R12)")


def policy_settings() -> PolicySettings:
    return current_app.extensions["reco.policy"]  # type: ignore[no-any-return]


def snapshot() -> CatalogSnapshot:
    return current_app.extensions["reco.snapshots"].get(db(), today())  # type: ignore[no-any-return]


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


def decide_courses(profile: WorkerProfile, course_ids: list[int]) -> list[dict[str, Any]]:
    snap = snapshot()
    missing = [cid for cid in course_ids if cid not in snap.row_of]
    if missing:
        abort(404, message=f"No course with id {', '.join(map(str, missing))}.")
    return [decision_view(decide(profile, snap.items[snap.row_of[cid]].facts, today(), policy_settings()))
            for cid in course_ids]


@blp.route("/workers/<int:worker_id>/eligibility")
@requires(blp, "admin", "counselor")
@blp.arguments(CourseIdQuery, location="query")
@blp.response(200, DecisionSchema)
@blp.alt_response(404, response="NOT_FOUND")
def worker_eligibility(args: dict[str, Any], worker_id: int) -> dict[str, Any]:
    """Whether a registered worker may take a course with a subsidy, rule by rule."""
    worker = load_worker(worker_id)
    result = decide_courses(to_profile(worker), [args["course_id"]])[0]
    audit(db(), current_principal(), "read", worker.id, ["eligibility"])
    db().commit()
    return result


@blp.route("/eligibility", methods=["POST"])
@requires(blp, "admin", "counselor", "app")
@blp.arguments(InlineEligibilityIn)
@blp.response(200, DecisionList)
@blp.alt_response(404, response="NOT_FOUND")
def inline_eligibility(data: dict[str, Any]) -> dict[str, Any]:
    """Decide courses for an inline profile (nothing is stored)."""
    return {"items": decide_courses(inline_profile(data["profile"]), data["course_ids"])}
