"""Liveness and readiness for the operator and the load balancer."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint, abort
from sqlalchemy import text

from api.context import services
from api.db import db

blp = Blueprint("health", __name__, url_prefix="/health", description="Liveness and readiness")


class LiveSchema(ma.Schema):
    status = ma.fields.String(required=True)


class ModelStatusSchema(ma.Schema):
    serving = ma.fields.String(required=True, metadata={"description": "'model' or 'rule_based'"})
    version = ma.fields.String(allow_none=True, required=True)
    trained_at = ma.fields.String(allow_none=True, required=True)
    last_error = ma.fields.String(allow_none=True, required=True,
                                  metadata={"description": "Why the newest artifact was refused, if it was"})


class ReadySchema(ma.Schema):
    status = ma.fields.String(required=True)
    database = ma.fields.String(required=True)
    model = ma.fields.Nested(ModelStatusSchema, required=True)


@blp.route("/live")
@blp.response(200, LiveSchema)
@blp.doc(security=[])
def live() -> dict[str, str]:
    """The process is up (no dependency is checked)."""
    return {"status": "ok"}


@blp.route("/ready")
@blp.response(200, ReadySchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
@blp.doc(security=[])
def ready() -> dict[str, Any]:
    """Ready to serve: the database answers; says which model version is serving."""
    try:
        db().execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        abort(503, message="The database cannot be reached.", headers={"Retry-After": "5"})
    return {"status": "ok", "database": "ok", "model": services().models.status()}
