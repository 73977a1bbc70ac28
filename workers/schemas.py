"""Input schemas of worker profiles and training records, without Flask.

The API's JSON bodies (:mod:`api.workers.schemas`) and the CSV import's rows
(:mod:`workers.importing`) validate with these same fields, so a CSV cell is checked exactly
like a JSON value.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from catalog.import_schemas import DomainDate, StrictSchema
from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    COURSE_STAGES,
    EDUCATION_LEVELS,
    EMPLOYMENT_STATUSES,
    PRIORITY_GROUPS,
    SKILL_LEVELS,
    TRAINING_TYPES,
)
from workers import identity

OCCUPATION_CODE = validate.Regexp(r"^(\d-\d{2}-\d{2}-\d{2}|SO-\d{1,2}\.\d{1,2})$",
                                  error="must look like 4-10-01-06 or SO-1.2")
COUNTY = validate.Regexp(r"^[a-z][a-z0-9_]{1,31}$", error="must be a county code such as 'tinghu', or 'other'")
INTEREST = validate.Regexp(r"^(\d-\d{2}-\d{2}-\d{2}|SO-\d{1,2}\.\d{1,2}|[a-z_]{3,32})$",
                           error="must be an occupation code or a category such as 'digital'")
SERVER_OWNED = ("id", "created_at", "updated_at", "national_id_masked", "age", "credit_hours",
                "job_center_id", "national_id_hash")
GENDERS = ("female", "male")
RELATIONS = ("spouse", "parent", "child", "sibling")


class NationalId(fields.String):
    """A resident identity number; validated here, never echoed back."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = str(super()._deserialize(value, attr, data, **kwargs))
        try:
            return identity.normalize(text)
        except identity.InvalidNationalId as exc:
            raise ma.ValidationError(str(exc)) from None


class LocationIn(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))


class CertificateIn(StrictSchema):
    occupation_code = fields.String(required=True, validate=OCCUPATION_CODE)
    level = fields.Integer(allow_none=True, load_default=None, validate=validate.OneOf(tuple(SKILL_LEVELS)))
    certificate_type = fields.String(required=True, validate=validate.OneOf(tuple(CERTIFICATE_TYPES)))
    issued_on = DomainDate(allow_none=True, load_default=None)
    valid_until = DomainDate(allow_none=True, load_default=None)


class FamilyIn(StrictSchema):
    relative_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))


class WorkerIn(StrictSchema):
    """A worker profile as a counselor enters it. Lists are replaced whole on PATCH."""

    job_center = fields.String(validate=validate.Length(1, 32),
                               metadata={"description": "Job center code; counselors may omit it (their own)"})
    external_ref = fields.String(allow_none=True, validate=validate.Length(1, 64))
    name = fields.String(validate=validate.Length(0, 64))
    national_id = NationalId(allow_none=True, metadata={
        "description": "18-digit resident ID (GB 11643). Stored only as a keyed hash and a mask; never returned."})
    phone = fields.String(allow_none=True, validate=validate.Regexp(r"^1[3-9]\d{9}$", error="must be an 11-digit mobile number"))
    birth_date = DomainDate(allow_none=True, metadata={
        "description": "Kept to the month (returned as `birth_month`): the day would narrow the ID number"})
    gender = fields.String(allow_none=True, validate=validate.OneOf(GENDERS))
    education = fields.String(allow_none=True, validate=validate.OneOf(tuple(EDUCATION_LEVELS)))
    hukou_county = fields.String(allow_none=True, validate=COUNTY, metadata={"description": "户籍地"})
    residence_county = fields.String(allow_none=True, validate=COUNTY, metadata={"description": "常住地"})
    jobseeking_county = fields.String(allow_none=True, validate=COUNTY, metadata={"description": "求职就业地"})
    location = fields.Nested(LocationIn, allow_none=True,
                             metadata={"description": "Approximate location; stored rounded to ~1 km"})
    employment_status = fields.String(allow_none=True, validate=validate.OneOf(tuple(EMPLOYMENT_STATUSES)))
    draws_pension = fields.Boolean(metadata={"description": "Draws a monthly pension (R5)"})
    priority_groups = fields.List(fields.String(validate=validate.OneOf(tuple(PRIORITY_GROUPS))),
                                  validate=validate.Length(max=len(PRIORITY_GROUPS)))
    disability_grade = fields.Integer(allow_none=True, validate=validate.Range(1, 4),
                                      metadata={"description": "National grading, 1 most severe"})
    rural = fields.Boolean(allow_none=True, metadata={"description": "Rural household registration"})
    current_occupation_code = fields.String(allow_none=True, validate=OCCUPATION_CODE)
    certificates = fields.List(fields.Nested(CertificateIn), validate=validate.Length(max=50))
    family = fields.List(fields.Nested(FamilyIn), validate=validate.Length(max=20),
                         metadata={"description": "Immediate family members who are registered workers (R6)"})
    interests = fields.List(fields.String(validate=INTEREST), validate=validate.Length(max=20))
    max_travel_km = fields.Float(allow_none=True, validate=validate.Range(0, 300))
    online_ok = fields.Boolean()
    push_opt_in = fields.Boolean()
    personalized = fields.Boolean(metadata={"description": "False: the worker declines profiling (PIPL Art. 24); "
                                                           "lists use no profile and no targeted push is planned"})

    @ma.pre_load
    def _server_owned(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict):
            owned = {k: ["is set by the server and cannot be written"] for k in SERVER_OWNED if k in data}
            if owned:
                raise ma.ValidationError(owned)
        return data

    @ma.validates("priority_groups")
    def _unique_groups(self, value: list[str], **_: Any) -> None:
        if len(set(value)) != len(value):
            raise ma.ValidationError("a group is listed twice")


class WorkerPatch(WorkerIn):
    """Some fields of a worker profile; lists given are replaced whole."""


class TrainingIn(StrictSchema):
    course_id = fields.Integer(allow_none=True, validate=validate.Range(1, 2**31 - 1),
                               metadata={"description": "A catalog course; fills occupation, level, type, hours"})
    external_ref = fields.String(allow_none=True, validate=validate.Length(1, 64))
    occupation_code = fields.String(validate=OCCUPATION_CODE)
    level = fields.Integer(allow_none=True, validate=validate.OneOf(tuple(SKILL_LEVELS)))
    training_type = fields.String(validate=validate.OneOf(tuple(TRAINING_TYPES)))
    status = fields.String(required=True, validate=validate.OneOf(("enrolled", "completed", "dropped")))
    enrolled_on = DomainDate(required=True)
    end_date = DomainDate(allow_none=True)
    stage = fields.String(allow_none=True, validate=validate.OneOf(tuple(COURSE_STAGES)),
                          metadata={"description": "Special-operation initial/refresher or entrepreneurship "
                                                   "stage (R4); filled from course_id"})
    completed_on = DomainDate(allow_none=True)
    certificate_type = fields.String(allow_none=True, validate=validate.OneOf(tuple(CERTIFICATE_TYPES)),
                                     metadata={"description": "Certificate earned on completion"})
    certificate_level = fields.Integer(allow_none=True, validate=validate.OneOf(tuple(SKILL_LEVELS)))
    subsidized = fields.Boolean(load_default=False)
    subsidy_cny = fields.Integer(load_default=0, validate=validate.Range(0, 100_000))
    hours = fields.Integer(validate=validate.Range(0, 5000))
    online_hours = fields.Integer(validate=validate.Range(0, 5000))


class TrainingPatch(StrictSchema):
    """What happened to an enrolment; what was trained is fixed once recorded."""

    status = fields.String(validate=validate.OneOf(("enrolled", "completed", "dropped")))
    end_date = DomainDate(allow_none=True)
    completed_on = DomainDate(allow_none=True)
    certificate_type = fields.String(allow_none=True, validate=validate.OneOf(tuple(CERTIFICATE_TYPES)),
                                     metadata={"description": "Certificate earned on completion"})
    certificate_level = fields.Integer(allow_none=True, validate=validate.OneOf(tuple(SKILL_LEVELS)))
    subsidized = fields.Boolean()
    subsidy_cny = fields.Integer(validate=validate.Range(0, 100_000))
    hours = fields.Integer(validate=validate.Range(0, 5000))
    online_hours = fields.Integer(validate=validate.Range(0, 5000))
