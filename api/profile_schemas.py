"""The inline profile the app sends for anonymous eligibility and recommendations.

It carries what the rules and the ranking read, no identity (no name, ID number or phone), and is
never stored or logged.
"""

from __future__ import annotations

from marshmallow import fields, validate

from api.fields import StrictSchema
from api.workers.schemas import COUNTY, INTEREST, OCCUPATION_CODE, RELATIONS, CertificateIn, LocationIn
from catalog.vocabulary import EDUCATION_LEVELS, EMPLOYMENT_STATUSES, PRIORITY_GROUPS, SKILL_LEVELS, TRAINING_TYPES

GROUPS = fields.List(fields.String(validate=validate.OneOf(tuple(PRIORITY_GROUPS))),
                     validate=validate.Length(max=len(PRIORITY_GROUPS)))


class InlineFamilyMember(StrictSchema):
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    priority_groups = fields.List(fields.String(validate=validate.OneOf(tuple(PRIORITY_GROUPS))),
                                  validate=validate.Length(max=len(PRIORITY_GROUPS)))
    disability_grade = fields.Integer(allow_none=True, validate=validate.Range(1, 4))


class InlineTraining(StrictSchema):
    occupation_code = fields.String(required=True, validate=OCCUPATION_CODE)
    level = fields.Integer(allow_none=True, validate=validate.OneOf(tuple(SKILL_LEVELS)))
    training_type = fields.String(required=True, validate=validate.OneOf(tuple(TRAINING_TYPES)))
    status = fields.String(required=True, validate=validate.OneOf(("enrolled", "completed", "dropped")))
    subsidized = fields.Boolean(required=True)
    end_date = fields.Date(allow_none=True)


class InlineProfile(StrictSchema):
    """A worker described inline; nothing is stored."""

    birth_date = fields.Date(allow_none=True)
    education = fields.String(allow_none=True, validate=validate.OneOf(tuple(EDUCATION_LEVELS)))
    hukou_county = fields.String(allow_none=True, validate=COUNTY)
    residence_county = fields.String(allow_none=True, validate=COUNTY)
    jobseeking_county = fields.String(allow_none=True, validate=COUNTY)
    location = fields.Nested(LocationIn, allow_none=True)
    employment_status = fields.String(allow_none=True, validate=validate.OneOf(tuple(EMPLOYMENT_STATUSES)))
    draws_pension = fields.Boolean()
    priority_groups = fields.List(fields.String(validate=validate.OneOf(tuple(PRIORITY_GROUPS))),
                                  validate=validate.Length(max=len(PRIORITY_GROUPS)))
    disability_grade = fields.Integer(allow_none=True, validate=validate.Range(1, 4))
    rural = fields.Boolean(allow_none=True)
    current_occupation_code = fields.String(allow_none=True, validate=OCCUPATION_CODE)
    certificates = fields.List(fields.Nested(CertificateIn), validate=validate.Length(max=50))
    family = fields.List(fields.Nested(InlineFamilyMember), validate=validate.Length(max=20))
    trainings = fields.List(fields.Nested(InlineTraining), validate=validate.Length(max=100))
    interests = fields.List(fields.String(validate=INTEREST), validate=validate.Length(max=20))
    max_travel_km = fields.Float(allow_none=True, validate=validate.Range(0, 300))
    online_ok = fields.Boolean()
