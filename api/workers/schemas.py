"""Schemas of worker profiles and training records (counselor-facing; redacted for the app)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.fields import PageMeta, PageQuery, StrictSchema
from catalog.vocabulary import PRIORITY_GROUPS

# The input schemas live with the workers (the CSV import validates with the same fields).
from workers.schemas import (
    COUNTY,
    GENDERS,
    INTEREST,
    OCCUPATION_CODE,
    RELATIONS,
    SERVER_OWNED,
    CertificateIn,
    FamilyIn,
    LocationIn,
    NationalId,
    TrainingPatch,
    WorkerIn,
    WorkerPatch,
)
from workers.schemas import TrainingIn as WorkerTrainingIn

__all__ = [
    "COUNTY", "GENDERS", "INTEREST", "OCCUPATION_CODE", "RELATIONS", "SERVER_OWNED", "CertificateIn",
    "CertificateOut", "FamilyIn", "FamilyOut", "LocationIn", "LocationOut", "NationalId", "TrainingHistory",
    "TrainingIn", "TrainingOut", "TrainingPatch", "WorkerIn", "WorkerOut", "WorkerPage", "WorkerPatch",
    "WorkerQuery",
]


class WorkerQuery(PageQuery):
    county = fields.String(validate=COUNTY, metadata={"description": "Residence county"})
    priority_group = fields.String(validate=validate.OneOf(tuple(PRIORITY_GROUPS)))


class CertificateOut(ma.Schema):
    occupation_code = fields.String(required=True)
    level = fields.Integer(allow_none=True, required=True)
    certificate_type = fields.String(required=True)
    issued_on = fields.Date(allow_none=True, required=True)
    valid_until = fields.Date(allow_none=True, required=True)


class FamilyOut(ma.Schema):
    relative_id = fields.Integer(required=True)
    relation = fields.String(required=True)


class LocationOut(ma.Schema):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)


class WorkerOut(ma.Schema):
    """A worker profile. Fields marked sensitive are omitted for the `app` role."""

    id = fields.Integer(required=True)
    job_center = fields.String(required=True)
    external_ref = fields.String(allow_none=True)
    name = fields.String(metadata={"description": "Sensitive: not sent to the app role"})
    national_id_masked = fields.String(allow_none=True, metadata={
        "description": "Sensitive. Province and city only, e.g. 3209**************: confirm a person with "
                       "POST /v1/workers/{worker_id}/identity-check, not by reading digits back"})
    phone = fields.String(allow_none=True, metadata={"description": "Sensitive"})
    birth_month = fields.String(allow_none=True, required=True, metadata={
        "description": "Year and month of birth (YYYY-MM); the day is not stored", "example": "1985-03"})
    age = fields.Integer(allow_none=True, required=True, metadata={
        "description": "Whole years today, counting from the last day of the birth month"})
    gender = fields.String(allow_none=True, required=True)
    education = fields.String(allow_none=True, required=True)
    hukou_county = fields.String(allow_none=True, required=True)
    residence_county = fields.String(allow_none=True, required=True)
    jobseeking_county = fields.String(allow_none=True, required=True)
    location = fields.Nested(LocationOut, allow_none=True, metadata={"description": "Sensitive"})
    employment_status = fields.String(allow_none=True, required=True)
    draws_pension = fields.Boolean(required=True)
    priority_groups = fields.List(fields.String(), required=True,
                                  metadata={"description": "Sensitive groups are omitted for the app role"})
    disability_grade = fields.Integer(allow_none=True, metadata={"description": "Sensitive"})
    rural = fields.Boolean(allow_none=True, required=True)
    current_occupation_code = fields.String(allow_none=True, required=True)
    certificates = fields.List(fields.Nested(CertificateOut), required=True)
    family = fields.List(fields.Nested(FamilyOut), metadata={"description": "Sensitive"})
    interests = fields.List(fields.String(), required=True)
    max_travel_km = fields.Float(allow_none=True, required=True)
    online_ok = fields.Boolean(required=True)
    push_opt_in = fields.Boolean(required=True)
    personalized = fields.Boolean(required=True, metadata={"description": "False: declined profiling (PIPL Art. 24)"})
    credit_hours = fields.Float(required=True, metadata={"description": "Accumulated credit hours (学分累计)"})
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class WorkerSelfOut(WorkerOut):
    """A signed-in worker's own profile: the pseudonymous id, no job-center internals."""

    class Meta:
        exclude = ("external_ref", "job_center", "national_id_masked", "family")

    id = fields.String(required=True, metadata={"description": "Pseudonymous id (not the database id)",  # type: ignore[assignment]
                                                "example": "w_3q2X9..."})


class WorkerPage(PageMeta):
    items = fields.List(fields.Nested(WorkerOut), required=True)


class TrainingIn(WorkerTrainingIn):
    """A training record as a counselor enters it: the import's fields plus a written override."""

    override_reason = fields.String(
        allow_none=True, validate=validate.Length(max=500),
        metadata={"description": "A counselor's written reason to record an enrolment the rules or the "
                                 "course's availability refuse (audited, shown in the archive)"})


class TrainingOut(ma.Schema):
    id = fields.Integer(required=True)
    course_id = fields.Integer(allow_none=True, required=True)
    external_ref = fields.String(allow_none=True, required=True)
    occupation_code = fields.String(required=True)
    level = fields.Integer(allow_none=True, required=True)
    training_type = fields.String(required=True)
    status = fields.String(required=True)
    enrolled_on = fields.Date(required=True)
    end_date = fields.Date(allow_none=True, required=True)
    stage = fields.String(allow_none=True)
    completed_on = fields.Date(allow_none=True, required=True)
    certificate_type = fields.String(allow_none=True, required=True)
    certificate_level = fields.Integer(allow_none=True, required=True)
    subsidized = fields.Boolean(required=True)
    subsidy_cny = fields.Integer(required=True)
    hours = fields.Integer(required=True)
    online_hours = fields.Integer(required=True)
    override_reason = fields.String(allow_none=True, required=True,
                                    metadata={"description": "Why a counselor recorded it over a refusal"})
    override_codes = fields.List(fields.String(), allow_none=True, required=True,
                                 metadata={"description": "What the override went past (rule and availability codes)"})


class TrainingHistory(ma.Schema):
    worker_id = fields.Integer(required=True)
    credit_hours = fields.Float(required=True)
    subsidized_this_year = fields.Integer(required=True)
    subsidies_left_this_year = fields.Integer(required=True, metadata={"description": "R3: limit minus used"})
    items = fields.List(fields.Nested(TrainingOut), required=True)


class FindClientIn(StrictSchema):
    """Sent in the body, never the URL: an ID number or phone must not reach access logs."""

    query = fields.String(validate=validate.Length(1, 64),
                          metadata={"description": "One search box: ID number, phone, the center's reference or a name prefix"})
    national_id = fields.String(validate=validate.Length(1, 32))
    phone = fields.String(validate=validate.Length(1, 20))
    external_ref = fields.String(validate=validate.Length(1, 64))
    name = fields.String(validate=validate.Length(1, 64), metadata={"description": "Name prefix"})

    @ma.validates_schema
    def _one_at_least(self, data: dict[str, object], **_: object) -> None:
        if not data:
            raise ma.ValidationError("give query, national_id, phone, external_ref or name", "query")


class ClientMatch(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    national_id_masked = fields.String(allow_none=True, required=True)
    external_ref = fields.String(allow_none=True, required=True)
    birth_date = fields.Date(allow_none=True, required=True)
    job_center = fields.String(required=True)
    matched_by = fields.String(required=True, validate=validate.OneOf(("national_id", "phone", "external_ref", "name")))


class ClientMatches(ma.Schema):
    items = fields.List(fields.Nested(ClientMatch), required=True)
