"""Row schemas for catalog files: one marshmallow schema per kind, field-level messages.

They validate one row in isolation. References between rows and to the database (an unknown
county, a course of an unknown institution) are checked by :mod:`catalog.importing`.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from catalog.reference import occupation_code_problem
from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    COURSE_STAGES,
    CREDIT_RATINGS,
    DELIVERY_MODES,
    ENTREPRENEURSHIP_STAGES,
    INSTITUTION_TYPES,
    PRIORITY_GROUPS,
    SKILL_LEVELS,
    SPECIAL_OPERATION_STAGES,
    TRAINING_TYPES,
)
from policy.date_bounds import outside_window

CATEGORIES = (
    "modern_services",
    "advanced_manufacturing",
    "digital",
    "construction",
    "agriculture",
    "safety",
    "transport",
    "handicraft",
    "healthcare",
    "business",
)

def json_type_error(field: fields.Field, value: Any) -> str | None:
    """Why ``value`` (decoded JSON) is not of the JSON type the OpenAPI document gives ``field``.

    marshmallow coerces: ``Integer`` takes ``"5"`` and ``True``, ``Boolean`` takes ``0`` and ``"yes"``.
    That suits query strings and CSV rows, but a JSON body that violates the published schema
    must be rejected, not reinterpreted."""
    if value is None:
        return None  # allow_none is the field's own business
    if isinstance(field, fields.Boolean):
        return None if isinstance(value, bool) else "Not a valid boolean."
    if isinstance(field, fields.Integer):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Not a valid integer."
    if isinstance(field, fields.Number):
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "Not a valid number."
    if isinstance(field, fields.List) and isinstance(value, list):
        for item in value:
            error = json_type_error(field.inner, item)
            if error:
                return error
    return None


class DomainDate(fields.Date):
    """A date within the domain's window (``policy/date_bounds.py``): every date field of the API's
    bodies and filters and of the imports, so no year 0001 or 9999 gets in from anywhere."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        day = super()._deserialize(value, attr, data, **kwargs)
        problem = outside_window(day)
        if problem:
            raise ValidationError(problem)
        return day


class StrictSchema(ma.Schema):
    """Unknown fields are an error, never silently dropped; JSON bodies must have the JSON types
    the OpenAPI document gives (no ``"5"`` for an integer, no ``0`` for a boolean)."""

    class Meta:
        unknown = ma.RAISE

    @staticmethod
    def is_json_request() -> bool:
        """Whether the data being loaded is a JSON request body; the web layer sets this
        (:mod:`api.fields`), so this module needs no Flask."""
        return False

    @ma.pre_load
    def _json_types(self, data: Any, **_: Any) -> Any:
        # Only decoded JSON objects of a JSON request: webargs hands query and form data over as a
        # MultiDictProxy (strings, coerced on purpose), and CSV imports load outside any request.
        if type(data) is dict and self.is_json_request():
            errors: dict[str, list[str]] = {}
            for name, field in self.load_fields.items():
                key = field.data_key or name
                if key in data:
                    error = json_type_error(field, data[key])
                    if error:
                        errors[key] = [error]
            if errors:
                raise ma.ValidationError(errors)
        return data


TRUTHY = {"true", "1", "yes", "y", "是", "t", True}
FALSY = {"false", "0", "no", "n", "否", "f", False}


class Flag(fields.Boolean):
    """A boolean that also reads the 是/否 of Chinese spreadsheets."""

    truthy = TRUTHY
    falsy = FALSY


class PipeList(fields.List):
    """A list that CSV writes as ``a|b|c`` and JSON as an array."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split("|") if part.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


def _text(max_len: int, *, required: bool = True) -> fields.String:
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=max_len))
    return fields.String(load_default="", validate=validate.Length(max=max_len))


class RowSchema(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _blank_is_missing(self, data: Any, **_: Any) -> Any:
        # CSV has no null: an empty cell means "not given".
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}
        return data


Lat = lambda: fields.Float(required=True, validate=validate.Range(-90, 90))  # noqa: E731
Lon = lambda: fields.Float(required=True, validate=validate.Range(-180, 180))  # noqa: E731
Slug = lambda: fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,31}$"))  # noqa: E731


class OccupationCode(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = str(super()._deserialize(value, attr, data, **kwargs)).strip()
        problem = occupation_code_problem(code)
        if problem:
            raise ValidationError(f"{code!r}: {problem}")
        return code


class CountyRow(RowSchema):
    code = Slug()
    name_zh = _text(64)
    name_en = _text(128)
    lat = Lat()
    lon = Lon()


class JobCenterRow(RowSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name_zh = _text(128)
    name_en = _text(256)
    counties = PipeList(fields.String(), required=True, validate=validate.Length(min=1))


class OccupationRow(RowSchema):
    code = OccupationCode(required=True)
    name_zh = _text(128)
    name_en = _text(256)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    access_restricted = Flag(load_default=False)
    special_operation = Flag(load_default=False)
    levels = PipeList(
        fields.Integer(validate=validate.OneOf(tuple(SKILL_LEVELS))),
        required=True,
        validate=validate.Length(min=1),
    )


class OccupationListRow(RowSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("shortage", "subsidized")))
    county = fields.String(load_default=None)
    effective_date = DomainDate(required=True)
    occupation_code = OccupationCode(required=True)
    shortage_level = fields.Integer(load_default=None, validate=validate.Range(1, 3))

    @validates_schema
    def _level_only_for_shortage(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") == "subsidized" and data.get("shortage_level") is not None:
            raise ValidationError("only shortage lists carry a level", "shortage_level")


class InstitutionRow(RowSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name_zh = _text(128)
    name_en = _text(256)
    type = fields.String(required=True, validate=validate.OneOf(tuple(INSTITUTION_TYPES)))
    county = fields.String(required=True)
    address = _text(256)
    lat = Lat()
    lon = Lon()
    credit_rating = fields.String(required=True, validate=validate.OneOf(CREDIT_RATINGS))
    disability_base = Flag(load_default=False)
    phone = fields.String(load_default="", validate=validate.Regexp(r"^[0-9+\-() ]{0,32}$"))


class EvaluationInstitutionRow(RowSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name_zh = _text(128)
    name_en = _text(256)
    county = fields.String(required=True)
    address = _text(256)
    lat = Lat()
    lon = Lon()
    certificate_types = PipeList(
        fields.String(validate=validate.OneOf(tuple(CERTIFICATE_TYPES))), load_default=list
    )
    occupation_codes = PipeList(OccupationCode(), load_default=list)


class CourseRow(RowSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title_zh = _text(256)
    title_en = _text(256, required=False)
    institution_code = fields.String(required=True)
    occupation_code = OccupationCode(required=True)
    level = fields.Integer(load_default=None, validate=validate.OneOf(tuple(SKILL_LEVELS)))
    training_type = fields.String(required=True, validate=validate.OneOf(tuple(TRAINING_TYPES)))
    certificate_type = fields.String(
        required=True, validate=validate.OneOf(tuple(CERTIFICATE_TYPES))
    )
    hours = fields.Integer(required=True, validate=validate.Range(1, 5000))
    online_hours = fields.Integer(load_default=0, validate=validate.Range(0, 5000))
    start_date = DomainDate(required=True)
    end_date = DomainDate(required=True)
    enrol_deadline = DomainDate(required=True)
    seats = fields.Integer(required=True, validate=validate.Range(1, 10_000))
    seats_taken = fields.Integer(load_default=0, validate=validate.Range(0, 10_000))
    county = fields.String(required=True)
    address = _text(256)
    lat = Lat()
    lon = Lon()
    delivery_mode = fields.String(required=True, validate=validate.OneOf(tuple(DELIVERY_MODES)))
    subsidy_cny = fields.Integer(required=True, validate=validate.Range(0, 100_000))
    # Aimed at (面向): a ranking term only.
    target_groups = PipeList(
        fields.String(validate=validate.OneOf(tuple(PRIORITY_GROUPS))), load_default=list
    )
    # Reserved for (专班): only these groups may take it (R9_TARGET_GROUPS).
    reserved_for = PipeList(
        fields.String(validate=validate.OneOf(tuple(PRIORITY_GROUPS))), load_default=list
    )
    stage = fields.String(load_default=None, validate=validate.OneOf(tuple(COURSE_STAGES)))
    free_for_key_groups = Flag(load_default=False)
    accessible = Flag(load_default=False)
    project_based = Flag(load_default=False)

    @validates("target_groups", "reserved_for")
    def _no_duplicate_groups(self, value: list[str], **_: Any) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("a group is listed twice")

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, str] = {}
        if {"online_hours", "hours"} <= data.keys() and data["online_hours"] > data["hours"]:
            errors["online_hours"] = "must not exceed hours"
        if {"start_date", "end_date"} <= data.keys() and data["end_date"] < data["start_date"]:
            errors["end_date"] = "must not be before start_date"
        if {"start_date", "enrol_deadline"} <= data.keys() and (
            data["enrol_deadline"] > data["start_date"]
        ):
            errors["enrol_deadline"] = "must not be after start_date"
        if {"seats", "seats_taken"} <= data.keys() and data["seats_taken"] > data["seats"]:
            errors["seats_taken"] = "must not exceed seats"
        reserved = set(data.get("reserved_for") or ())
        if reserved - set(data.get("target_groups") or ()):
            errors["reserved_for"] = "a class reserved for a group is also aimed at it: list it in target_groups too"
        stage = data.get("stage")
        if stage in SPECIAL_OPERATION_STAGES and data.get("certificate_type") not in (None, "special_operation"):
            errors["stage"] = f"{stage!r} is a special-operation stage: the certificate must be special_operation"
        if stage in ENTREPRENEURSHIP_STAGES and data.get("training_type") not in (None, "entrepreneurship"):
            errors["stage"] = f"{stage!r} is an entrepreneurship stage: the training type must be entrepreneurship"
        if errors:
            raise ValidationError(errors)


ROW_SCHEMAS: dict[str, type[RowSchema]] = {
    "counties": CountyRow,
    "job_centers": JobCenterRow,
    "occupations": OccupationRow,
    "occupation_lists": OccupationListRow,
    "institutions": InstitutionRow,
    "evaluation_institutions": EvaluationInstitutionRow,
    "courses": CourseRow,
}
# Later kinds refer to earlier ones; a directory is imported in this order.
IMPORT_ORDER: tuple[str, ...] = tuple(ROW_SCHEMAS)
