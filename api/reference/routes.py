"""Reference lists with Chinese and English names: counties, job centers, priority groups,
training types. Clients fill their filters from these rather than hard-coding codes."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from api.auth import requires
from api.db import db
from catalog.names_en import PRIORITY_GROUPS_EN, TRAINING_TYPES_EN
from catalog.tables import County, JobCenter
from catalog.vocabulary import PRIORITY_GROUPS, SENSITIVE_PRIORITY_GROUPS, TRAINING_TYPES

blp = Blueprint("reference", __name__, url_prefix="/v1/reference",
                description="Codes with their Chinese and English names")
ANY_ROLE = ("admin", "counselor", "app")


class NamedCode(ma.Schema):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)


class CountyRef(NamedCode):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)


class JobCenterRef(NamedCode):
    counties = fields.List(fields.String(), required=True)


class PriorityGroupRef(NamedCode):
    sensitive = fields.Boolean(required=True, metadata={
        "description": "Sensitive personal information (PIPL): never shown to the app role about a person"})


class CountyList(ma.Schema):
    items = fields.List(fields.Nested(CountyRef), required=True)


class JobCenterList(ma.Schema):
    items = fields.List(fields.Nested(JobCenterRef), required=True)


class PriorityGroupList(ma.Schema):
    items = fields.List(fields.Nested(PriorityGroupRef), required=True)


class NamedCodeList(ma.Schema):
    items = fields.List(fields.Nested(NamedCode), required=True)


@blp.route("/counties")
@requires(blp, *ANY_ROLE)
@blp.response(200, CountyList)
def counties() -> dict[str, Any]:
    """The city's counties and zones (codes used by every `county` field and filter)."""
    rows = db().scalars(select(County).order_by(County.code))
    return {"items": [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "lat": c.lat, "lon": c.lon}
                      for c in rows]}


@blp.route("/job-centers")
@requires(blp, *ANY_ROLE)
@blp.response(200, JobCenterList)
def job_centers() -> dict[str, Any]:
    """Public employment service offices and the counties each serves."""
    rows = db().scalars(select(JobCenter).order_by(JobCenter.code))
    return {"items": [{"code": j.code, "name_zh": j.name_zh, "name_en": j.name_en, "counties": list(j.counties)}
                      for j in rows]}


@blp.route("/priority-groups")
@requires(blp, *ANY_ROLE)
@blp.response(200, PriorityGroupList)
def priority_groups() -> dict[str, Any]:
    """Priority groups (重点群体) of the plan."""
    return {"items": [{"code": code, "name_zh": zh, "name_en": PRIORITY_GROUPS_EN[code],
                       "sensitive": code in SENSITIVE_PRIORITY_GROUPS} for code, zh in PRIORITY_GROUPS.items()]}


@blp.route("/training-types")
@requires(blp, *ANY_ROLE)
@blp.response(200, NamedCodeList)
def training_types() -> dict[str, Any]:
    """Training types of the plan."""
    return {"items": [{"code": code, "name_zh": zh, "name_en": TRAINING_TYPES_EN[code]}
                      for code, zh in TRAINING_TYPES.items()]}
