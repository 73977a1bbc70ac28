"""Request fields and schemas shared by every resource: pagination, location, strict schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

MAX_PAGE = 10_000
MAX_RADIUS_KM = 300.0


class StrictSchema(ma.Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = ma.RAISE


class LatLon(fields.String):
    """``lat,lon`` in WGS84 decimal degrees, e.g. ``33.35,120.16``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[float, float]:
        text = str(super()._deserialize(value, attr, data, **kwargs))
        parts = text.split(",")
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            raise ma.ValidationError("must be 'lat,lon' in decimal degrees, e.g. 33.35,120.16") from None
        if not (-90 <= lat <= 90) or not (-180 <= lon <= 180) or lat != lat or lon != lon:
            raise ma.ValidationError("latitude must be within -90..90 and longitude -180..180")
        return lat, lon


def page_fields(max_per_page: int = 100) -> dict[str, fields.Field]:
    return {
        "page": fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE),
                               metadata={"description": "1-based page number"}),
        "per_page": fields.Integer(load_default=20, validate=validate.Range(1, max_per_page),
                                   metadata={"description": f"Items per page (at most {max_per_page})"}),
    }


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
