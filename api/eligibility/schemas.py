"""Eligibility decisions with their full rule trace."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.fields import StrictSchema
from api.profile_schemas import InlineProfile
from policy import RULE_CODES


class CourseIdQuery(StrictSchema):
    course_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


class RuleCheckSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.OneOf(RULE_CODES), metadata={"example": "R3_ANNUAL_LIMIT"})
    passed = fields.Boolean(required=True)
    blocking = fields.Boolean(required=True, metadata={"description": "False for informational rules (R7, R10, R11, R12)"})
    message_zh = fields.String(required=True)
    message_en = fields.String(required=True)


class DecisionSchema(ma.Schema):
    course_id = fields.Integer(required=True)
    eligible = fields.Boolean(required=True)
    failed = fields.List(fields.String(), required=True, metadata={"description": "Blocking rules that failed"})
    subsidy_cny = fields.Float(required=True)
    subsidies_left_this_year = fields.Integer(required=True)
    living_allowance = fields.Boolean(required=True)
    living_allowance_cny = fields.Float(required=True)
    free_training = fields.Boolean(required=True)
    safety_first = fields.Boolean(required=True)
    advance_payment_cny = fields.Float(required=True)
    checks = fields.List(fields.Nested(RuleCheckSchema), required=True)
    availability = fields.Nested("AvailabilitySchema", required=True)


class InlineEligibilityIn(StrictSchema):
    profile = fields.Nested(InlineProfile, required=True)
    course_ids = fields.List(fields.Integer(validate=validate.Range(1, 2**31 - 1)), required=True,
                             validate=validate.Length(1, 50))


class DecisionList(ma.Schema):
    items = fields.List(fields.Nested(DecisionSchema), required=True)


class AvailabilitySchema(ma.Schema):
    """Facts about the course on the day, next to (not inside) the rule decision."""

    seats_left = fields.Integer(required=True)
    enrol_deadline = fields.Date(required=True)
    end_date = fields.Date(required=True)
    full = fields.Boolean(required=True)
    deadline_passed = fields.Boolean(required=True)
    ended = fields.Boolean(required=True)
    open = fields.Boolean(required=True, metadata={"description": "Can be enrolled in today"})
    codes = fields.List(fields.String(), required=True,
                        metadata={"description": "COURSE_ENDED, ENROL_DEADLINE_PASSED, COURSE_FULL"})


class ExclusionSchema(ma.Schema):
    code = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    courses = fields.Integer(required=True, metadata={"description": "Courses it excludes"})
    alone = fields.Integer(required=True, metadata={"description": "Courses it alone excludes"})


class NearMissSchema(ma.Schema):
    course_id = fields.Integer(required=True)
    title_zh = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "The one condition that excludes it"})
    hint_zh = fields.String(required=True)
    hint_en = fields.String(required=True)


class WhyNothingSchema(ma.Schema):
    total_courses = fields.Integer(required=True)
    eligible = fields.Integer(required=True, metadata={"description": "Courses the rules subsidize"})
    eligible_and_open = fields.Integer(required=True)
    summary_zh = fields.String(required=True)
    summary_en = fields.String(required=True)
    rules = fields.List(fields.Nested(ExclusionSchema), required=True)
    availability = fields.List(fields.Nested(ExclusionSchema), required=True,
                               metadata={"description": "Among courses the rules subsidize"})
    nearest_misses = fields.List(fields.Nested(NearMissSchema), required=True)


class InlineWhyNothingIn(StrictSchema):
    profile = fields.Nested(InlineProfile, required=True)
