"""Request fields and schemas shared by every resource: pagination, location, strict schemas."""

from __future__ import annotations

from typing import Any, NoReturn

import marshmallow as ma
from flask import has_request_context, request
from marshmallow import fields, validate
from webargs.flaskparser import FlaskParser, abort, is_json_request

from api import json_limits
from catalog.import_schemas import StrictSchema, json_type_error

__all__ = ["LatLon", "NearQuery", "PageMeta", "PageQuery", "RequestParser", "StrictSchema", "json_type_error"]

MAX_PAGE = 10_000
MAX_RADIUS_KM = 300.0


class RequestParser(FlaskParser):
    """webargs' parser with two of our rules.

    - Each query schema's own ``unknown = RAISE`` applies: webargs otherwise drops unknown query
      parameters whatever the schema says.
    - Every JSON body we declare is required, so a request without one (or with another media
      type) is 415 rather than an empty object that passes for ``{}``.
    """

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {  # noqa: RUF012  (webargs' own shape)
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None}

    def _raw_load_json(self, req: Any) -> Any:
        # Our bounds on depth and number length (api/json_limits.py), as request.get_json has.
        if not is_json_request(req):
            return ma.missing
        return json_limits.loads(req.get_data(cache=True))

    def _handle_invalid_json_error(self, error: Any, req: Any, *args: Any, **kwargs: Any) -> NoReturn:
        reason = error.message if isinstance(error, json_limits.JsonOutOfBounds) else "Invalid JSON body."
        abort(400, exc=error, messages={"json": {"_schema": [reason]}})
        raise AssertionError("abort always raises")  # pragma: no cover

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        if not is_json_request(req):
            abort(415, message="The body must be application/json.",
                  messages={"json": {"_schema": ["The body must be application/json."]}})
        return super().load_json(req, schema)


def _json_request() -> bool:
    return has_request_context() and request.is_json


# Strict schemas check JSON types only for the body of a JSON request: query strings and CSV
# rows are strings on purpose, and coercing them is right.
StrictSchema.is_json_request = staticmethod(_json_request)  # type: ignore[method-assign]


class LatLon(fields.String):
    """``lat,lon`` in WGS84 decimal degrees, e.g. ``33.35,120.16``."""

    # Documented as a string (what the client sends); loads to a (lat, lon) pair.
    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[float, float]:
        text = str(super()._deserialize(value, attr, data, **kwargs))
        parts = text.split(",")
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            raise ma.ValidationError("must be 'lat,lon' in decimal degrees, e.g. 33.35,120.16") from None
        if not (-90 <= lat <= 90) or not (-180 <= lon <= 180) or lat != lat or lon != lon:
            raise ma.ValidationError("latitude must be within -90..90 and longitude -180..180")
        return lat, lon


class PageQuery(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE),
                          metadata={"description": "1-based page number"})
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100),
                              metadata={"description": "Items per page (at most 100)"})


class NearQuery(ma.Schema):
    near = LatLon(metadata={"description": "Centre point `lat,lon`; results are sorted by distance",
                            "example": "33.35,120.16"})
    radius_km = fields.Float(validate=validate.Range(0.1, MAX_RADIUS_KM),
                             metadata={"description": "Radius around `near` in km (default 20)"})

    @ma.validates_schema
    def _radius_needs_near(self, data: dict[str, Any], **_: Any) -> None:
        if "radius_km" in data and "near" not in data:
            raise ma.ValidationError("radius_km needs near", "radius_km")


class PageMeta(ma.Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
