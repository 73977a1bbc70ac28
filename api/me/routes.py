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
from serving.self_service import my_recommendations
from workers.events import record_events
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
    push_opt_in = fields.Boolean(required=True, metadata={"description": "Course suggestions by push notification"})


class ConsentOut(ma.Schema):
    push_opt_in = fields.Boolean(required=True)


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


@blp.route("/consent", methods=["PUT"])
@requires(blp, "worker", scope="consent:write")
@blp.arguments(ConsentIn)
@blp.response(200, ConsentOut)
def put_my_consent(data: dict[str, Any]) -> dict[str, Any]:
    """Give or withdraw consent to course suggestions by push notification."""
    worker = get_worker(db(), current_principal(), current_principal().worker_id or 0)
    worker.push_opt_in = data["push_opt_in"]
    audit(db(), current_principal(), "update", worker.id, ["push_opt_in"])
    db().commit()
    return {"push_opt_in": worker.push_opt_in}


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
