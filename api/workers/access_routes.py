"""What a counselor does about a worker's app access and app activity: activation codes,
signed-in devices, dismissed courses, and confirming who a person is by the number they present."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import fields

from api.auth import current_principal, now, requires
from api.db import db
from api.errors import fail
from api.fields import StrictSchema
from api.workers.routes import as_utc, load_worker
from api.workers.schemas import NationalId
from catalog.tables import Course
from workers import identity
from workers.events import standing_dismissals, undo_dismissal
from workers.service import audit
from workers.sign_in import issue_activation_code, live_sessions, revoke_all

blp = Blueprint("worker_access", __name__, url_prefix="/v1/workers",
                description="A worker's app sign-in, devices and dismissals; identity checks (counselors)")


class ActivationOut(ma.Schema):
    activation_code = fields.String(required=True, metadata={
        "description": "Shown once; hand it to the worker in person. Works once, until expires_at.",
        "example": "7KQ2-M9XD-4TRB"})
    expires_at = fields.DateTime(required=True)
    worker_public_id = fields.String(required=True, metadata={"description": "The id the app will know"})


class DeviceOut(ma.Schema):
    id = fields.String(required=True)
    device_name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True, required=True)


class DeviceList(ma.Schema):
    items = fields.List(fields.Nested(DeviceOut), required=True)


class RevokedOut(ma.Schema):
    revoked_sessions = fields.Integer(required=True)


class DismissalOut(ma.Schema):
    course_id = fields.Integer(required=True)
    title_zh = fields.String(required=True)
    at = fields.DateTime(required=True, metadata={"description": "The latest dismissal"})
    source = fields.String(required=True, metadata={"description": "app, counselor or admin"})


class DismissalList(ma.Schema):
    worker_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(DismissalOut), required=True)


class IdentityCheckIn(StrictSchema):
    national_id = NationalId(required=True, metadata={"description": "The number on the card the person presents"})


class IdentityCheckOut(ma.Schema):
    matches = fields.Boolean(required=True, metadata={
        "description": "Whether it is the number on file (compared as keyed hashes; no digits come back)"})


@blp.route("/<int:worker_id>/activation-codes", methods=["POST"])
@requires(blp, "admin", "counselor")
@blp.response(201, ActivationOut)
@blp.alt_response(404, response="NOT_FOUND")
def post_activation_code(worker_id: int) -> dict[str, Any]:
    """Issue a one-time code the worker enters in the app to sign in (earlier unused codes end)."""
    worker = load_worker(worker_id, for_edit=True)
    code, expires = issue_activation_code(db(), current_app.config["SECRET_KEY"], worker, now=now(),
                                          issued_by=current_principal().key_id)
    audit(db(), current_principal(), "activation", worker.id, ["activation_code"])
    db().commit()
    return {"activation_code": code, "expires_at": expires, "worker_public_id": worker.public_id}


@blp.route("/<int:worker_id>/sessions")
@requires(blp, "admin", "counselor")
@blp.response(200, DeviceList)
@blp.alt_response(404, response="NOT_FOUND")
def get_sessions(worker_id: int) -> dict[str, Any]:
    """The devices the worker is signed in on."""
    worker = load_worker(worker_id)
    rows = live_sessions(db(), worker.id, now=now())
    audit(db(), current_principal(), "read", worker.id, ["sessions"])
    db().commit()
    return {"items": [{"id": s.public_id, "device_name": s.device_name, "created_at": as_utc(s.created_at),
                       "last_used_at": as_utc(s.last_used_at) if s.last_used_at else None} for s in rows]}


@blp.route("/<int:worker_id>/sessions", methods=["DELETE"])
@requires(blp, "admin", "counselor")
@blp.response(200, RevokedOut)
@blp.alt_response(404, response="NOT_FOUND")
def delete_sessions(worker_id: int) -> dict[str, Any]:
    """Sign the worker out everywhere (a lost phone, a code handed to the wrong person)."""
    worker = load_worker(worker_id, for_edit=True)
    ended = revoke_all(db(), worker.id, now=now(), reason="revoked_by_counselor")
    audit(db(), current_principal(), "revoke", worker.id, ["sessions"])
    db().commit()
    return {"revoked_sessions": ended}


@blp.route("/<int:worker_id>/dismissals")
@requires(blp, "admin", "counselor")
@blp.response(200, DismissalList)
@blp.alt_response(404, response="NOT_FOUND")
def get_dismissals(worker_id: int) -> dict[str, Any]:
    """The courses the worker (or anyone for them) dismissed: they are not recommended again."""
    worker = load_worker(worker_id)
    rows = standing_dismissals(db(), worker.id)
    titles = {c.id: c.title_zh for c in db().query(Course).filter(Course.id.in_([r[0] for r in rows]))}
    audit(db(), current_principal(), "read", worker.id, ["dismissals"])
    db().commit()
    return {"worker_id": worker.id, "items": [{"course_id": c, "title_zh": titles.get(c, ""), "at": at,
                                               "source": src} for c, at, src in rows]}


@blp.route("/<int:worker_id>/dismissals/<int:course_id>", methods=["DELETE"])
@requires(blp, "admin", "counselor")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def delete_dismissal(worker_id: int, course_id: int) -> None:
    """Undo a dismissal: the course may be recommended again."""
    worker = load_worker(worker_id, for_edit=True)
    if not undo_dismissal(db(), worker.id, course_id):
        fail(404, f"Worker {worker_id} has not dismissed course {course_id}.")
    audit(db(), current_principal(), "undo_dismiss", worker.id, ["dismissals"])
    db().commit()


@blp.route("/<int:worker_id>/identity-check", methods=["POST"])
@requires(blp, "admin", "counselor")
@blp.arguments(IdentityCheckIn)
@blp.response(200, IdentityCheckOut)
@blp.alt_response(404, response="NOT_FOUND")
def post_identity_check(data: dict[str, Any], worker_id: int) -> dict[str, Any]:
    """Confirm a person is this worker by the ID number they present (keyed hashes compared)."""
    worker = load_worker(worker_id)
    digest = identity.keyed_hash(current_app.config["SECRET_KEY"], data["national_id"])
    ok = identity.matches(current_app.config["SECRET_KEY"], data["national_id"], worker.national_id_hash)
    audit(db(), current_principal(), "id_check", worker.id, ["match" if ok else "no_match"],
          national_id_hash=digest)
    db().commit()
    return {"matches": ok}
