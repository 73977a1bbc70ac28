"""Transfers of a worker's profile between job centers, with both centers' consent (or an admin's)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from api.auth import current_principal, now, requires
from api.db import db
from api.errors import fail
from api.fields import StrictSchema
from api.workers.routes import as_utc
from api.workers.schemas import NationalId
from catalog.tables import JobCenter
from workers.service import WorkerNotFound
from workers.tables import TransferRequest
from workers.transfers import approve, get_transfer, list_transfers, reject, request_transfer

blp = Blueprint("transfers", __name__, url_prefix="/v1/transfers",
                description="Moving a profile to another job center with both centers' consent")


class TransferIn(StrictSchema):
    national_id = NationalId(required=True, metadata={"description": "The number the person presents"})
    to_job_center = fields.String(validate=validate.Length(1, 32), metadata={
        "description": "Required for an admin; a counselor's own job center otherwise"})
    reason = fields.String(load_default="", validate=validate.Length(0, 500))


class TransferOut(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "pending, done, rejected or cancelled"})
    from_job_center = fields.String(required=True)
    to_job_center = fields.String(required=True)
    from_approved = fields.Boolean(required=True)
    to_approved = fields.Boolean(required=True)
    worker_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "The profile's id, for the center that holds it (and, once done, the receiving one)"})
    reason = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)


class TransferList(ma.Schema):
    items = fields.List(fields.Nested(TransferOut), required=True)


def transfer_view(t: TransferRequest) -> dict[str, Any]:
    codes = dict(db().execute(select(JobCenter.id, JobCenter.code)
                              .where(JobCenter.id.in_([t.from_center_id, t.to_center_id]))).all())
    principal = current_principal()
    holder = t.to_center_id if t.status == "done" else t.from_center_id
    shows_worker = principal.role == "admin" or principal.job_center_id == holder
    return {"id": t.id, "status": t.status, "from_job_center": codes.get(t.from_center_id, ""),
            "to_job_center": codes.get(t.to_center_id, ""), "from_approved": t.from_approved_by is not None,
            "to_approved": t.to_approved_by is not None, "worker_id": t.worker_id if shows_worker else None,
            "reason": t.reason, "created_at": as_utc(t.created_at),
            "decided_at": as_utc(t.decided_at) if t.decided_at else None}


def load_transfer(transfer_id: int) -> TransferRequest:
    try:
        return get_transfer(db(), current_principal(), transfer_id)
    except WorkerNotFound:
        fail(404, f"No transfer request {transfer_id}.")


@blp.route("")
class Transfers(MethodView):
    @requires(blp, "admin", "counselor")
    @blp.response(200, TransferList)
    def get(self) -> dict[str, Any]:
        """Transfer requests to or from the caller's job center (admin: all), newest first."""
        return {"items": [transfer_view(t) for t in list_transfers(db(), current_principal())]}

    @requires(blp, "admin", "counselor")
    @blp.arguments(TransferIn)
    @blp.response(201, TransferOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Ask for the profile of a person registered at another job center (audited)."""
        t = request_transfer(db(), current_principal(), data["national_id"],
                             secret_key=current_app.config["SECRET_KEY"], to_center=data.get("to_job_center"),
                             reason=data["reason"], now=now())
        db().commit()
        return transfer_view(t)


@blp.route("/<int:transfer_id>/approve", methods=["POST"])
@requires(blp, "admin", "counselor")
@blp.response(200, TransferOut)
@blp.alt_response(404, response="NOT_FOUND")
def post_approve(transfer_id: int) -> dict[str, Any]:
    """Consent for the caller's job center (admin: both); the profile moves once both consent."""
    t = approve(db(), current_principal(), load_transfer(transfer_id), now())
    db().commit()
    return transfer_view(t)


@blp.route("/<int:transfer_id>/reject", methods=["POST"])
@requires(blp, "admin", "counselor")
@blp.response(200, TransferOut)
@blp.alt_response(404, response="NOT_FOUND")
def post_reject(transfer_id: int) -> dict[str, Any]:
    """Refuse a transfer (the requesting center: withdraw it)."""
    t = reject(db(), current_principal(), load_transfer(transfer_id), now())
    db().commit()
    return transfer_view(t)
