"""The inline profile the app sends for anonymous eligibility and recommendations.

It carries what the rules and the ranking read, no identity (no name, ID number or phone), and is
never stored or logged.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.clock import today
from api.context import services
from api.fields import StrictSchema
from api.workers.schemas import INTEREST, OCCUPATION_CODE, RELATIONS, CertificateIn, LocationIn
from catalog.import_schemas import DomainDate
from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    COUNTIES,
    COURSE_STAGES,
    EDUCATION_LEVELS,
    EMPLOYMENT_STATUSES,
    PRIORITY_GROUPS,
    SKILL_LEVELS,
    TRAINING_TYPES,
)
from policy.date_bounds import profile_problems
from workers.service import OUTSIDE_CITY

# The same answer as a stored profile: a county the city does not have is a 422, not silently
# "outside the city" (which would refuse every course under R1).
COUNTY = validate.OneOf((*COUNTIES, OUTSIDE_CITY),
                        error="unknown county {input!r} (use a county code or 'other')")

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
    end_date = DomainDate(allow_none=True)
    enrolled_on = DomainDate(allow_none=True,
                              metadata={"description": "R3 counts an open enrolment in this year until it has an end"})
    stage = fields.String(allow_none=True, validate=validate.OneOf(tuple(COURSE_STAGES)),
                          metadata={"description": "Special-operation initial/refresher or entrepreneurship stage (R4)"})
    certificate_type = fields.String(allow_none=True, validate=validate.OneOf(tuple(CERTIFICATE_TYPES)),
                                     metadata={"description": "Certificate earned on completion; counts as held"})
    certificate_level = fields.Integer(allow_none=True, validate=validate.OneOf(tuple(SKILL_LEVELS)))
    completed_on = DomainDate(allow_none=True)


class InlineProfile(StrictSchema):
    """A worker described inline; nothing is stored."""

    birth_date = DomainDate(allow_none=True)
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

    @validates_schema
    def _dates_within_the_domain(self, data: dict[str, Any], **_: Any) -> None:
        # A stored profile and the import refuse these dates; an inline one must answer the same.
        problems = profile_problems(data, today(), services().future_tolerance_days)
        if problems:
            raise ValidationError({name: [message] for name, message in problems.items()})
