"""Interaction events from the app and counselors: the recommender's training signal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import current_principal, requires
from api.db import db
from api.fields import StrictSchema
from recommender.items import INTERACTION_KINDS
from workers.events import record_events

blp = Blueprint("events", __name__, url_prefix="/v1/events",
                description="What workers do with courses (view, click, save, enrol, complete, dismiss)")


class EventIn(StrictSchema):
    worker_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    course_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    kind = fields.String(required=True, validate=validate.OneOf(INTERACTION_KINDS),
                         metadata={"description": (
                             "`dismiss`: the course is not shown again to that worker (recommendations and "
                             "pushes) unless the worker later saves, enrols in or completes the same course; "
                             "the recommender learns it as negative evidence with the same reading")})
    at = fields.AwareDateTime(metadata={"description": "When it happened (default: now); not in the future"})
    client_event_id = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9._:-]{8,64}$"),
                                    metadata={"description": "Idempotency key: a retried event is stored once"})


class EventBatch(StrictSchema):
    events = fields.List(fields.Nested(EventIn), required=True, validate=validate.Length(1, 100))


class EventReceipt(ma.Schema):
    stored = fields.Integer(required=True)
    duplicates = fields.Integer(required=True, metadata={"description": "Events already stored (same client_event_id)"})


@blp.route("", methods=["POST"])
@requires(blp, "admin", "counselor")
@blp.arguments(EventBatch)
@blp.response(201, EventReceipt)
def post_events(data: dict[str, Any]) -> dict[str, int]:
    """Record up to 100 events for workers of the caller's job center; all are stored or none.

    The app records a signed-in worker's own events at `POST /v1/me/events`."""
    stored, duplicates = record_events(db(), current_principal(), data["events"], datetime.now(UTC))
    db().commit()
    return {"stored": stored, "duplicates": duplicates}
