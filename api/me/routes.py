"""The signed-in worker's own things, for the app: `/v1/me/…` with the worker's access token.

No path names a worker: the token says who. Responses carry the worker's pseudonymous id only,
never the database id, the job center or its reference for the person."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import current_principal, now, requires
from api.context import services
from api.db import db
from api.errors import fail
from api.events.routes import EventIn, EventReceipt
from api.fields import StrictSchema
from api.recommendations.routes import body
from api.recommendations.schemas import RecommendationList, RecommendationQuery
from api.workers.routes import as_utc, worker_view
from api.workers.schemas import WorkerSelfOut
from serving.self_service import answer_my_push, my_pushes, my_recommendations
from workers.consent import PURPOSES, consent_history, record_consent
from workers.events import record_events
from workers.push_tables import PushClosed, PushNotFound
from workers.service import audit, get_worker
from workers.sign_in import live_sessions, revoke_session
from workers.tables import Worker

blp = Blueprint("me", __name__, url_prefix="/v1/me",
                description="The signed-in worker's own profile, recommendations, events and consent (the app)")


def me() -> Worker:
    principal = current_principal()
    assert principal.worker_id is not None
    return get_worker(db(), principal, principal.worker_id)


class SelfEventIn(EventIn):
    """An event of the signed-in worker: no worker id (a ``worker_id`` field is refused)."""

    class Meta(StrictSchema.Meta):
        exclude = ("worker_id",)


class SelfEventBatch(StrictSchema):
    events = fields.List(fields.Nested(SelfEventIn), required=True, validate=validate.Length(1, 100))


class ConsentIn(StrictSchema):
    push_opt_in = fields.Boolean(metadata={"description": "Course suggestions by push notification"})
    personalized = fields.Boolean(metadata={
        "description": "Let the service use the profile to choose and rank courses; false: a list from the "
                       "request's place and public catalog facts only, and no targeted push (PIPL Art. 24)"})

    @ma.validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ma.ValidationError("give push_opt_in, personalized or both", "push_opt_in")


class ConsentChangeOut(ma.Schema):
    purpose = fields.String(required=True, metadata={"description": "push | profiling"})
    granted = fields.Boolean(required=True)
    channel = fields.String(required=True, metadata={"description": "app | counter | import"})
    recorded_at = fields.DateTime(required=True)


class ConsentOut(ma.Schema):
    push_opt_in = fields.Boolean(required=True)
    personalized = fields.Boolean(required=True)
    history = fields.List(fields.Nested(ConsentChangeOut), required=True,
                          metadata={"description": "Every consent given or withdrawn, oldest first"})


class SessionOut(ma.Schema):
    id = fields.String(required=True)
    device_name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True, required=True)
    expires_at = fields.DateTime(required=True)
    current = fields.Boolean(required=True, metadata={"description": "The session of this request's token"})


class SessionList(ma.Schema):
    items = fields.List(fields.Nested(SessionOut), required=True)


def self_view(worker: Worker) -> dict[str, Any]:
    view = worker_view(worker)  # redacted for the worker role (no job-center internals)
    view["id"] = worker.public_id
    return view


@blp.route("")
@requires(blp, "worker", scope="profile:read")
@blp.response(200, WorkerSelfOut)
def get_me() -> dict[str, Any]:
    """The signed-in worker's own profile."""
    worker = me()
    view = self_view(worker)
    audit(db(), current_principal(), "read", worker.id, sorted(view))
    db().commit()
    return view


@blp.route("/recommendations")
@requires(blp, "worker", scope="recommendations:read")
@blp.arguments(RecommendationQuery, location="query")
@blp.response(200, RecommendationList)
def get_my_recommendations(args: dict[str, Any]) -> dict[str, Any]:
    """The signed-in worker's own recommendations (distances to their stored location in whole km)."""
    return body(my_recommendations(services(), db(), current_principal(), k=args["k"], near=args.get("near"),
                                   radius_km=args.get("radius_km")))


@blp.route("/events", methods=["POST"])
@requires(blp, "worker", scope="events:write")
@blp.arguments(SelfEventBatch)
@blp.response(201, EventReceipt)
def post_my_events(data: dict[str, Any]) -> dict[str, int]:
    """Record up to 100 of the signed-in worker's own events; all are stored or none."""
    stored, duplicates = record_events(db(), current_principal(), data["events"], datetime.now(UTC))
    db().commit()
    return {"stored": stored, "duplicates": duplicates}


def consent_view(worker: Worker) -> dict[str, Any]:
    return {"push_opt_in": worker.push_opt_in, "personalized": worker.personalized,
            "history": [{"purpose": e.purpose, "granted": e.granted, "channel": e.channel,
                         "recorded_at": as_utc(e.recorded_at)} for e in consent_history(db(), worker.id)]}


@blp.route("/consent")
@requires(blp, "worker", scope="profile:read")
@blp.response(200, ConsentOut)
def get_my_consent() -> dict[str, Any]:
    """The worker's consents now, and every change with its time and channel."""
    return consent_view(me())


@blp.route("/consent", methods=["PUT"])
@requires(blp, "worker", scope="consent:write")
@blp.arguments(ConsentIn)
@blp.response(200, ConsentOut)
def put_my_consent(data: dict[str, Any]) -> dict[str, Any]:
    """Give or withdraw consent (pushes, profiling); a withdrawal cancels every pending push at once."""
    worker = me()
    for purpose, flag in PURPOSES.items():
        if flag in data:
            record_consent(db(), current_principal(), worker, purpose, data[flag], at=now())
    db().commit()
    return consent_view(worker)


class PushQuery(ma.Schema):
    status = fields.String(load_default="pending", validate=validate.OneOf(("pending", "history")), metadata={
        "description": "pending: planned, not yet answered; history: sent, opened, dismissed or cancelled"})

    class Meta:
        unknown = ma.RAISE


class NotificationOut(ma.Schema):
    """What a lock screen may show: course facts only, never anything about the worker."""

    course_id = fields.Integer(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    generic_title = fields.Boolean(required=True, metadata={
        "description": "A course aimed at a sensitive group: generic title, no institution; open it in the app"})
    institution_name_zh = fields.String(allow_none=True, required=True)
    town_zh = fields.String(allow_none=True, required=True)
    start_date = fields.String(required=True, metadata={"description": "ISO date", "example": "2026-12-15"})
    subsidy_cny = fields.Float(required=True)


class PushOut(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "The push (this worker's own; not a worker id)"})
    status = fields.String(required=True, metadata={"description": "pending | sent | opened | dismissed | cancelled"})
    plan_date = fields.Date(required=True)
    due_at = fields.DateTime(required=True, metadata={"description": "Not before the end of the quiet hours"})
    notification = fields.Nested(NotificationOut, required=True)


class PushList(ma.Schema):
    items = fields.List(fields.Nested(PushOut), required=True)


class PushAnswerOut(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


@blp.route("/pushes")
@requires(blp, "worker", scope="recommendations:read")
@blp.arguments(PushQuery, location="query")
@blp.response(200, PushList)
def get_my_pushes(args: dict[str, Any]) -> dict[str, Any]:
    """The signed-in worker's pending pushes, or their history."""
    found = my_pushes(services(), db(), current_principal(), pending=args["status"] == "pending")
    return {"items": [{"id": p.id, "status": p.status, "plan_date": p.plan_date, "due_at": p.due_at,
                       "notification": p.payload} for p in found]}


def _answer(push_id: int, response: str) -> dict[str, Any]:
    try:
        status = answer_my_push(db(), current_principal(), push_id, response, now=now())
    except PushNotFound:
        fail(404, "No such push.")
    except PushClosed:
        fail(409, "This push was cancelled (consent withdrawn) and can no longer be answered.")
    db().commit()
    return {"id": push_id, "status": status}


@blp.route("/pushes/<int:push_id>/opened", methods=["POST"])
@requires(blp, "worker", scope="events:write")
@blp.response(200, PushAnswerOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def post_push_opened(push_id: int) -> dict[str, Any]:
    """The worker opened a push: recorded, and a click on its course for training."""
    return _answer(push_id, "opened")


@blp.route("/pushes/<int:push_id>/dismissed", methods=["POST"])
@requires(blp, "worker", scope="events:write")
@blp.response(200, PushAnswerOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def post_push_dismissed(push_id: int) -> dict[str, Any]:
    """The worker dismissed a push: recorded, and a dismissal of its course (not pushed or listed again)."""
    return _answer(push_id, "dismissed")


@blp.route("/sessions")
@requires(blp, "worker", scope="profile:read")
@blp.response(200, SessionList)
def get_my_sessions() -> dict[str, Any]:
    """The devices the worker is signed in on."""
    principal = current_principal()
    assert principal.worker_id is not None
    rows = live_sessions(db(), principal.worker_id, now=now())
    return {"items": [{"id": s.public_id, "device_name": s.device_name, "created_at": as_utc(s.created_at),
                       "last_used_at": as_utc(s.last_used_at) if s.last_used_at else None,
                       "expires_at": as_utc(s.expires_at), "current": s.public_id == principal.session_id}
                      for s in rows]}


@blp.route("/sessions/<session_id>", methods=["DELETE"])
@requires(blp, "worker", scope="")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def delete_my_session(session_id: str) -> None:
    """Sign out one device (a lost phone): its tokens stop working at once."""
    principal = current_principal()
    assert principal.worker_id is not None
    if not revoke_session(db(), principal.worker_id, session_id, now=now(), reason="revoked_by_worker"):
        fail(404, "No such signed-in device.")
    audit(db(), principal, "sign_out", principal.worker_id, ["session:" + session_id])
    db().commit()
