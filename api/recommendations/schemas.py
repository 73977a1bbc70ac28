"""Recommendation requests and the ranked, explained list that comes back."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.catalog.schemas import LocationSchema
from api.fields import NearQuery, StrictSchema
from api.profile_schemas import InlineProfile
from recommender.ranking import REASONS
from serving.recommendations import ALL_ELIGIBLE_LIMIT

MAX_K = 50


class RecommendationQuery(NearQuery):
    k = fields.Integer(load_default=10, validate=validate.Range(1, MAX_K), metadata={"description": "How many courses"})
    all_eligible = fields.Boolean(load_default=False, metadata={
        "description": "Every eligible course in ranked order, without the diversity caps per occupation and "
                       f"institution (up to {ALL_ELIGIBLE_LIMIT}; `k` is ignored)"})

    class Meta:
        unknown = ma.RAISE


class InlineRecommendationIn(StrictSchema):
    profile = fields.Nested(InlineProfile, required=True)
    k = fields.Integer(load_default=10, validate=validate.Range(1, MAX_K))
    dismissed_course_ids = fields.List(fields.Integer(validate=validate.Range(1, 2**31 - 1)),
                                       load_default=list, validate=validate.Length(max=500),
                                       metadata={"description": "Courses the user dismissed in the app (and did not save or "
                                                                 "enrol in since): none of them is shown"})


class ReasonSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.OneOf(tuple(REASONS)))
    text_zh = fields.String(required=True)
    text_en = fields.String(required=True)


class CourseSummary(ma.Schema):
    id = fields.Integer(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    institution_code = fields.String(required=True)
    institution_name_zh = fields.String(required=True)
    institution_credit_rating = fields.String(required=True)
    occupation_code = fields.String(required=True)
    occupation_category = fields.String(required=True)
    shortage_level = fields.Integer(allow_none=True, required=True)
    level = fields.Integer(allow_none=True, required=True)
    training_type = fields.String(required=True)
    certificate_type = fields.String(required=True)
    delivery_mode = fields.String(required=True)
    county = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    enrol_deadline = fields.Date(required=True)
    seats_left = fields.Integer(required=True)
    location = fields.Nested(LocationSchema, required=True)


class RecommendationSchema(ma.Schema):
    rank = fields.Integer(required=True)
    score = fields.Float(required=True, metadata={"description": "Blended score (model percentile + policy terms)"})
    course = fields.Nested(CourseSummary, required=True)
    subsidy_cny = fields.Float(required=True, metadata={"description": "Estimated training subsidy (catalog standard)"})
    free_training = fields.Boolean(required=True, metadata={"description": "R10: free for the worker"})
    living_allowance = fields.Boolean(metadata={"description": "R7; omitted for the app role on stored workers"})
    living_allowance_cny = fields.Float(metadata={"description": "R7 estimate; omitted like living_allowance"})
    safety_first = fields.Boolean(required=True, metadata={"description": "R11: take this safety course first"})
    distance_km = fields.Float(allow_none=True, required=True)
    days_to_start = fields.Integer(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class ServedBy(ma.Schema):
    serving = fields.String(required=True, validate=validate.OneOf(("model", "rule_based", "non_personalized")),
                            metadata={"description": "non_personalized: the worker declined profiling (PIPL Art. 24); "
                                                     "the list reads only the request's place and catalog facts"})
    version = fields.String(allow_none=True, required=True)


class RecommendationList(ma.Schema):
    worker_id = fields.Integer(allow_none=True, required=True)
    served_by = fields.Nested(ServedBy, required=True)
    eligible_courses = fields.Integer(required=True, metadata={"description": "Courses passing every hard filter"})
    items = fields.List(fields.Nested(RecommendationSchema), required=True)
