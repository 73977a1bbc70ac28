"""Schemas of the catalog endpoints: query filters in, occupations/institutions/courses out."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.fields import NearQuery, PageMeta, PageQuery
from catalog.coordinates import CRS_NAMES
from catalog.import_schemas import CATEGORIES, DomainDate
from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    CREDIT_RATINGS,
    DELIVERY_MODES,
    INSTITUTION_TYPES,
    PRIORITY_GROUPS,
    SKILL_LEVELS,
    TRAINING_TYPES,
)

COUNTY_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,31}$")
OCCUPATION_CODE = validate.Regexp(r"^(\d-\d{2}-\d{2}-\d{2}|SO-\d{1,2}\.\d{1,2})$")


class OccupationQuery(PageQuery):
    shortage = fields.Boolean(metadata={"description": "Only (or never) occupations on the shortage list in force"})
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    q = fields.String(validate=validate.Length(1, 64),
                      metadata={"description": "Text in the Chinese or English name, or a code prefix"})


class OccupationSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "4-10-01-06"})
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    category = fields.String(required=True)
    shortage = fields.Boolean(required=True)
    shortage_level = fields.Integer(allow_none=True, required=True, metadata={"description": "1 = most urgent"})
    access_restricted = fields.Boolean(required=True)
    special_operation = fields.Boolean(required=True)
    levels = fields.List(fields.Integer(), required=True)


class OccupationPage(PageMeta):
    items = fields.List(fields.Nested(OccupationSchema), required=True)


class InstitutionQuery(PageQuery):
    county = fields.String(validate=COUNTY_CODE)
    type = fields.String(validate=validate.OneOf(tuple(INSTITUTION_TYPES)))
    disability_base = fields.Boolean()
    q = fields.String(validate=validate.Length(1, 64))


class LocationSchema(ma.Schema):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)


class InstitutionSchema(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(tuple(INSTITUTION_TYPES)))
    county = fields.String(required=True)
    address = fields.String(required=True)
    location = fields.Nested(LocationSchema, required=True)
    credit_rating = fields.String(required=True, validate=validate.OneOf(CREDIT_RATINGS))
    disability_base = fields.Boolean(required=True)
    phone = fields.String(required=True)


class InstitutionPage(PageMeta):
    items = fields.List(fields.Nested(InstitutionSchema), required=True)


class CourseFilterQuery(NearQuery):
    county = fields.String(validate=COUNTY_CODE)
    occupation = fields.String(validate=OCCUPATION_CODE, metadata={"example": "4-10-01-06"})
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    level = fields.Integer(validate=validate.OneOf(tuple(SKILL_LEVELS)))
    training_type = fields.String(validate=validate.OneOf(tuple(TRAINING_TYPES)))
    delivery_mode = fields.String(validate=validate.OneOf(tuple(DELIVERY_MODES)))
    priority_group = fields.String(validate=validate.OneOf(tuple(PRIORITY_GROUPS)),
                                   metadata={"description": "Courses aimed at this priority group"})
    institution = fields.String(validate=validate.Length(1, 64), metadata={"description": "Institution code"})
    starts_after = DomainDate(metadata={"description": "Start date on or after (YYYY-MM-DD)"})
    starts_before = DomainDate(metadata={"description": "Start date on or before (YYYY-MM-DD)"})
    has_open_seats = fields.Boolean()
    include_ended = fields.Boolean(load_default=False, metadata={
        "description": "Also courses that have ended (hidden by default)"})
    q = fields.String(validate=validate.Length(1, 64), metadata={"description": "Text in the title"})

    class Meta:
        unknown = ma.RAISE


class CourseQuery(CourseFilterQuery, PageQuery):
    class Meta:
        unknown = ma.RAISE


class MapDisplayQuery(ma.Schema):
    crs = fields.String(load_default="wgs84", validate=validate.OneOf(CRS_NAMES), metadata={
        "description": "Coordinate system of `near` and of every coordinate in the response: `wgs84` "
                       "(GPS, the default), `gcj02` (AMap, Tencent) or `bd09` (Baidu). The position "
                       "is used for this query only and never stored."})
    zoom = fields.Integer(validate=validate.Range(0, 22), metadata={
        "description": "Map zoom level: pins closer than 64 screen pixels at this zoom come back as "
                       "one cluster feature (`cluster: true`, `point_count`, `bbox`). Without it every "
                       "match is a pin."})


class MapQuery(CourseFilterQuery, MapDisplayQuery):
    limit = fields.Integer(load_default=2000, validate=validate.Range(1, 5000),
                           metadata={"description": "At most this many courses"})

    class Meta:
        unknown = ma.RAISE


class InstitutionMapQuery(NearQuery, MapDisplayQuery):
    county = fields.String(validate=COUNTY_CODE)
    type = fields.String(validate=validate.OneOf(tuple(INSTITUTION_TYPES)))
    disability_base = fields.Boolean()
    with_open_courses = fields.Boolean(metadata={
        "description": "Only institutions with at least one course open for enrolment"})
    limit = fields.Integer(load_default=2000, validate=validate.Range(1, 5000),
                           metadata={"description": "At most this many institutions"})

    class Meta:
        unknown = ma.RAISE


class InstitutionRef(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    type = fields.String(required=True)
    credit_rating = fields.String(required=True)


class OccupationRef(ma.Schema):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    category = fields.String(required=True)
    shortage_level = fields.Integer(allow_none=True, required=True)
    access_restricted = fields.Boolean(required=True)
    special_operation = fields.Boolean(required=True)


class CourseSchema(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    institution = fields.Nested(InstitutionRef, required=True)
    occupation = fields.Nested(OccupationRef, required=True)
    level = fields.Integer(allow_none=True, required=True, metadata={"description": "5 初级工 … 1 高级技师"})
    training_type = fields.String(required=True, validate=validate.OneOf(tuple(TRAINING_TYPES)))
    certificate_type = fields.String(required=True, validate=validate.OneOf(tuple(CERTIFICATE_TYPES)))
    hours = fields.Integer(required=True)
    online_hours = fields.Integer(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    enrol_deadline = fields.Date(required=True)
    seats = fields.Integer(required=True)
    seats_taken = fields.Integer(required=True)
    seats_left = fields.Integer(required=True)
    county = fields.String(required=True)
    address = fields.String(required=True)
    location = fields.Nested(LocationSchema, required=True)
    delivery_mode = fields.String(required=True, validate=validate.OneOf(tuple(DELIVERY_MODES)))
    subsidy_cny = fields.Integer(required=True, metadata={"description": "Subsidy standard per trainee, yuan"})
    target_groups = fields.List(fields.String(), required=True,
                                metadata={"description": "Groups the course is aimed at (面向): ranking only"})
    reserved_for = fields.List(fields.String(), required=True,
                               metadata={"description": "Groups a reserved class (专班) admits; empty: open to all"})
    stage = fields.String(allow_none=True, required=True,
                          metadata={"description": "Special-operation initial/refresher, or entrepreneurship "
                                                   "stage GYB/SYB/IYB/EYB/online"})
    free_for_key_groups = fields.Boolean(required=True)
    accessible = fields.Boolean(required=True)
    project_based = fields.Boolean(required=True)
    distance_km = fields.Float(allow_none=True, required=True,
                               metadata={"description": "Distance from `near`, when given"})


class CoursePage(PageMeta):
    items = fields.List(fields.Nested(CourseSchema), required=True)


class PointSchema(ma.Schema):
    type = fields.String(required=True, validate=validate.Equal("Point"))
    coordinates = fields.List(fields.Float(), required=True, metadata={"description": "[lon, lat] (RFC 7946)"})


class ClusterProperties(ma.Schema):
    cluster = fields.Boolean(required=True, metadata={"description": "True for a cluster, false for a pin"})
    point_count = fields.Integer(metadata={"description": "Clusters: how many pins it stands for"})
    bbox = fields.List(fields.Float(), metadata={
        "description": "Clusters: [min lon, min lat, max lon, max lat] of its pins (zoom there to split it)"})


class CourseFeatureProperties(ClusterProperties):
    id = fields.Integer()
    code = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    institution_name_zh = fields.String()
    occupation_code = fields.String()
    occupation_name_zh = fields.String()
    level = fields.Integer(allow_none=True)
    training_type = fields.String()
    delivery_mode = fields.String()
    start_date = fields.Date()
    seats_left = fields.Integer()
    subsidy_cny = fields.Integer()
    distance_km = fields.Float(allow_none=True)


class InstitutionFeatureProperties(ClusterProperties):
    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    type = fields.String()
    county = fields.String()
    address = fields.String()
    phone = fields.String(allow_none=True)
    credit_rating = fields.String(allow_none=True)
    disability_base = fields.Boolean()
    open_courses = fields.Integer(metadata={"description": "Courses open for enrolment today"})
    distance_km = fields.Float(allow_none=True)


class FeatureSchema(ma.Schema):
    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.Raw(metadata={"description": "The course or institution id; clusters: `cluster-<n>`"})
    geometry = fields.Nested(PointSchema, required=True)
    properties = fields.Nested(CourseFeatureProperties, required=True)


class InstitutionFeatureSchema(FeatureSchema):
    properties = fields.Nested(InstitutionFeatureProperties, required=True)


class FeatureCollectionSchema(ma.Schema):
    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(FeatureSchema), required=True)
    bbox = fields.List(fields.Float(), metadata={"description": "[min lon, min lat, max lon, max lat]"})
    truncated = fields.Boolean(required=True, metadata={"description": "More matched than `limit`"})
    crs = fields.String(required=True, metadata={"description": "The coordinate system of every coordinate"})


class InstitutionCollectionSchema(FeatureCollectionSchema):
    features = fields.List(fields.Nested(InstitutionFeatureSchema), required=True)
