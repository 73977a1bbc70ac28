"""The quarterly report's tables as OpenAPI schemas (one row schema per table)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from stats.charts import FORMATS
from stats.periods import Quarter
from stats.programs import PROGRAMS
from stats.report import TABLES

_SUPPRESSED = {"description": "Empty when suppressed (a small sensitive cell)"}


def _count() -> fields.Integer:
    return fields.Integer(allow_none=True, metadata=_SUPPRESSED)


# Years 1990–2100, as stats.periods accepts them; stated in the schema so clients see it.
QUARTER_PATTERN = r"^(199[0-9]|20[0-9]{2}|2100)-?[Qq][1-4]$"


def _validate_quarter(value: str) -> None:
    try:
        Quarter.parse(value)
    except ValueError as exc:
        raise ma.ValidationError(str(exc)) from exc


class ReportQuery(ma.Schema):
    quarter = fields.String(required=True, validate=[validate.Regexp(QUARTER_PATTERN), _validate_quarter],
                            metadata={"example": "2026Q3"})
    center = fields.String(validate=validate.Length(1, 32),
                           metadata={"description": "Job center code (counselors: their own, the default)"})
    plan = fields.String(validate=validate.Length(1, 64),
                         metadata={"description": "Plan id of the targets file; default: the plan covering the quarter"})

    class Meta:
        unknown = ma.RAISE


class ExportQuery(ReportQuery):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))
    table = fields.String(load_default="progress", validate=validate.OneOf(tuple(TABLES)),
                          metadata={"description": "Table of a CSV export (XLSX holds them all)"})


class ChartQuery(ReportQuery):
    format = fields.String(load_default="png", validate=validate.OneOf(FORMATS))


class _Stages(ma.Schema):
    enrolled = _count()
    completed = _count()
    certified = _count()
    suppressed = fields.Boolean(required=True)


class ProgressRow(ma.Schema):
    program = fields.String(required=True, validate=validate.OneOf(tuple(PROGRAMS)))
    name_zh = fields.String()
    name_en = fields.String()
    target = fields.Integer()
    unit = fields.String()
    quarter_enrolled = _count()
    quarter_completed = _count()
    quarter_certified = _count()
    year_enrolled = fields.Integer()
    year_completed = fields.Integer()
    year_certified = fields.Integer()
    plan_enrolled = fields.Integer()
    plan_completed = fields.Integer()
    plan_certified = fields.Integer()
    share_of_target = fields.Float(metadata={"description": "Plan to date (the measure) / target"})
    expected_share = fields.Float(metadata={"description": "Share of the period elapsed"})
    on_track = fields.Boolean()
    remaining = fields.Integer()
    quarters_left = fields.Integer()
    pace_needed_per_quarter = fields.Float(allow_none=True)
    suppressed = fields.Boolean(required=True)


class CountyRow(_Stages):
    program = fields.String(required=True)
    county = fields.String(required=True)
    county_zh = fields.String()


class GroupRow(_Stages):
    program = fields.String(required=True)
    priority_group = fields.String(required=True)
    group_zh = fields.String()


class QuarterRow(_Stages):
    program = fields.String(required=True)
    quarter = fields.String(required=True)


class YearRow(_Stages):
    program = fields.String(required=True)
    year = fields.String(required=True)


_RATES = {f"{rate}{suffix}": fields.Float(allow_none=True)
          for rate in ("completion_rate", "certificate_rate", "dropout_rate", "enrolment_rate")
          for suffix in ("", "_low", "_high")}
# Each rate has its 95% Wilson interval (_low, _high) and its n (finished; enrolment: seats).
OutcomeRow = ma.Schema.from_dict({
    "key": fields.String(required=True,
                         metadata={"description": "Institution code, or institution|occupation|level|type"}),
    "institution_code": fields.String(),
    "credit_rating": fields.String(allow_none=True),
    **{name: _count() for name in ("enrolled", "finished", "completed", "certified", "dropped")},
    **_RATES,
    "seats": fields.Integer(allow_none=True),
    "subsidy_paid_cny": fields.Integer(allow_none=True),
    "suppressed": fields.Boolean(required=True),
}, name="OutcomeRow")


class ReportOut(ma.Schema):
    format = fields.Integer()
    quarter = fields.String(required=True)
    quarter_start = fields.String(metadata={"format": "date"})
    quarter_end = fields.String(metadata={"format": "date"})
    scope = fields.String(metadata={"description": "city, or the job center code"})
    plan = fields.String()
    plan_period = fields.List(fields.String(metadata={"format": "date"}))
    measure = fields.String()
    min_cell = fields.Integer(metadata={"description": "Smallest published non-zero sensitive count"})
    mapping = fields.Dict(metadata={"description": "The program mapping applied (dated versions)"})
    quarters = fields.List(fields.String())
    digest = fields.String(metadata={"description": "sha256 of the canonical report: equal digests, equal figures"})
    progress = fields.List(fields.Nested(ProgressRow))
    by_county = fields.List(fields.Nested(CountyRow))
    by_group = fields.List(fields.Nested(GroupRow))
    by_quarter = fields.List(fields.Nested(QuarterRow))
    by_year = fields.List(fields.Nested(YearRow))
    institutions = fields.List(fields.Nested(OutcomeRow))
    courses = fields.List(fields.Nested(OutcomeRow))
