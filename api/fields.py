"""Request fields and schemas shared by every resource: pagination, location, strict schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import has_request_context, request
from marshmallow import fields, validate
from webargs.flaskparser import FlaskParser, abort, is_json_request

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

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        if not is_json_request(req):
            abort(415, message="The body must be application/json.",
                  messages={"json": {"_schema": ["The body must be application/json."]}})
        return super().load_json(req, schema)


def json_type_error(field: fields.Field, value: Any) -> str | None:
    """Why ``value`` (decoded JSON) is not of the JSON type the OpenAPI document gives ``field``.

    marshmallow coerces: ``Integer`` takes ``"5"`` and ``True``, ``Boolean`` takes ``0`` and ``"yes"``.
    That suits query strings and CSV rows, but a JSON body that violates the published schema
    must be rejected, not reinterpreted."""
    if value is None:
        return None  # allow_none is the field's own business
    if isinstance(field, fields.Boolean):
        return None if isinstance(value, bool) else "Not a valid boolean."
    if isinstance(field, fields.Integer):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Not a valid integer."
    if isinstance(field, fields.Number):
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "Not a valid number."
    if isinstance(field, fields.List) and isinstance(value, list):
        for item in value:
            error = json_type_error(field.inner, item)
            if error:
                return error
    return None


class StrictSchema(ma.Schema):
    """Unknown fields are an error, never silently dropped; JSON bodies must have the JSON types
    the OpenAPI document gives (no ``"5"`` for an integer, no ``0`` for a boolean)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _json_types(self, data: Any, **_: Any) -> Any:
        # Only decoded JSON objects of a JSON request: webargs hands query and form data over as a
        # MultiDictProxy (strings, coerced on purpose), and CSV imports load outside any request.
        if type(data) is dict and has_request_context() and request.is_json:
            errors: dict[str, list[str]] = {}
            for name, field in self.load_fields.items():
                key = field.data_key or name
                if key in data:
                    error = json_type_error(field, data[key])
                    if error:
                        errors[key] = [error]
            if errors:
                raise ma.ValidationError(errors)
        return data


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
