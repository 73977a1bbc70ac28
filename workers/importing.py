"""Bulk import of a job center's existing worker profiles and training records from CSV.

Same contract as the catalog import (:mod:`catalog.importing`): every row of every file is
validated first, every bad row is reported as ``RowError(file, row, field, message)`` and the
whole batch is rejected; otherwise it is applied in the caller's single transaction. Rows are
matched on their natural keys (job center + the job center's own ``external_ref``; worker +
training ``external_ref``), so importing the same files again adds and changes nothing.

Profiles are written through :func:`workers.service.apply_fields`, so the ID number is kept only
as keyed hash + mask, locations are coarsened, and counties are checked the same way as for the
API. Error messages never contain an ID number or a phone number: they name the field and say
what is wrong with it.

The format is documented column by column in the README (section "Moving a job center's records in").
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from tqdm import tqdm

from catalog.import_schemas import Flag, PipeList, RowSchema
from catalog.importing import (
    FileSummary,
    ImportRejected,
    RowError,
    SourceFile,
    read_source,
)
from catalog.importing import expand_paths as catalog_expand_paths
from catalog.tables import County, Course, ImportRecord, JobCenter
from policy.date_bounds import DEFAULT_FUTURE_TOLERANCE_DAYS, profile_problems, training_problems
from workers import identity
from workers.profiles import approximate
from workers.schemas import (
    RELATIONS,
    CertificateIn,
    LocationIn,
    TrainingIn,
    WorkerIn,
)
from workers.service import CONSENT_FIELDS, OUTSIDE_CITY, ProfileError, apply_fields, audit
from workers.tables import TrainingRecord, Worker

__all__ = [
    "KINDS",
    "FileSummary",
    "ImportRejected",
    "RowError",
    "WorkerImport",
    "WorkerImportRejected",
    "apply",
    "expand_paths",
    "plan",
]

# Workers first: trainings and family links refer to workers of the same batch.
KINDS: tuple[str, ...] = ("workers", "trainings")
# Kept small so a ``WHERE … IN (…)`` stays far below every backend's bound-parameter limit.
CHUNK = 500


# --------------------------------------------------------------------------------------------
# Row schemas: the CSV shape of the API's WorkerIn / TrainingIn, reusing their fields.
# --------------------------------------------------------------------------------------------

def _api_field(schema: type[Schema], name: str, **overrides: Any) -> fields.Field:
    """A copy of the API schema's field, so a CSV cell is validated exactly like a JSON value."""
    f = copy.deepcopy(schema._declared_fields[name])
    for attr, value in overrides.items():
        setattr(f, attr, value)
    return f


def _api_pipe_list(schema: type[Schema], name: str) -> PipeList:
    """The API's list field as an ``a|b|c`` cell: same item validation, same length limit."""
    f = schema._declared_fields[name]
    assert isinstance(f, fields.List)
    return PipeList(copy.deepcopy(f.inner), validate=list(f.validators), load_default=list)


def _entries(value: Any) -> Iterator[tuple[int, str]]:
    if not isinstance(value, str):
        raise ValidationError("must be text")
    yield from enumerate((e.strip() for e in value.split("|") if e.strip()), start=1)


def _nested_messages(n: int, exc: ValidationError) -> list[str]:
    out = []
    for key, msgs in exc.normalized_messages().items():
        text = "; ".join(map(str, msgs)) if isinstance(msgs, list) else str(msgs)
        out.append(f"entry {n}: {key}: {text}")
    return out


CERTIFICATE_PARTS = ("occupation_code", "level", "certificate_type", "issued_on")


class CertificateEntries(fields.Field):
    """``occupation_code:level:certificate_type:issued_on|…`` loaded with the API's CertificateIn."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[dict[str, Any]]:
        schema = CertificateIn()
        out: list[dict[str, Any]] = []
        errors: list[str] = []
        for n, entry in _entries(value):
            parts = [p.strip() for p in entry.split(":")]
            if len(parts) == 3:  # issued_on left off altogether
                parts.append("")
            if len(parts) != 4:
                errors.append(f"entry {n}: must be occupation_code:level:certificate_type:issued_on")
                continue
            try:
                out.append(schema.load({k: v for k, v in zip(CERTIFICATE_PARTS, parts, strict=True) if v}))
            except ValidationError as exc:
                errors.extend(_nested_messages(n, exc))
        if errors:
            raise ValidationError(errors)
        for validator in WorkerIn._declared_fields["certificates"].validators:
            validator(out)
        return out


class FamilyEntries(fields.Field):
    """``external_ref:relation|…``: relatives by the job center's own reference, not our ids."""

    relation = validate.OneOf(RELATIONS)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        errors: list[str] = []
        for n, entry in _entries(value):
            # rpartition: a job center's reference may itself contain a colon.
            ref, sep, relation = (p.strip() for p in entry.rpartition(":"))
            if not sep or not ref or len(ref) > 64:
                errors.append(f"entry {n}: must be external_ref:relation")
                continue
            try:
                self.relation(relation)
            except ValidationError as exc:
                errors.extend(_nested_messages(n, ValidationError({"relation": exc.messages})))
                continue
            if any(f["external_ref"] == ref for f in out):
                errors.append(f"entry {n}: {ref!r} is listed twice")
                continue
            out.append({"external_ref": ref, "relation": relation})
        if errors:
            raise ValidationError(errors)
        for validator in WorkerIn._declared_fields["family"].validators:
            validator(out)
        return out


def _key_ref() -> fields.String:
    return fields.String(required=True, validate=validate.Length(1, 64))


class WorkerRow(RowSchema):
    """One row of ``workers.csv``. An empty cell is "no value": the row is the whole profile."""

    job_center = _api_field(WorkerIn, "job_center", required=True)
    external_ref = _key_ref()
    name = _api_field(WorkerIn, "name", load_default="")
    national_id = _api_field(WorkerIn, "national_id", load_default=None)
    phone = _api_field(WorkerIn, "phone", load_default=None)
    birth_date = _api_field(WorkerIn, "birth_date", load_default=None)
    gender = _api_field(WorkerIn, "gender", load_default=None)
    education = _api_field(WorkerIn, "education", load_default=None)
    hukou_county = _api_field(WorkerIn, "hukou_county", load_default=None)
    residence_county = _api_field(WorkerIn, "residence_county", load_default=None)
    jobseeking_county = _api_field(WorkerIn, "jobseeking_county", load_default=None)
    # Range-checked by the API's LocationIn in _consistent: lat and lon only make sense together.
    lat = fields.Float(load_default=None)
    lon = fields.Float(load_default=None)
    employment_status = _api_field(WorkerIn, "employment_status", load_default=None)
    draws_pension = Flag(load_default=False)
    priority_groups = _api_pipe_list(WorkerIn, "priority_groups")
    disability_grade = _api_field(WorkerIn, "disability_grade", load_default=None)
    rural = Flag(load_default=None, allow_none=True)
    current_occupation_code = _api_field(WorkerIn, "current_occupation_code", load_default=None)
    interests = _api_pipe_list(WorkerIn, "interests")
    max_travel_km = _api_field(WorkerIn, "max_travel_km", load_default=None)
    online_ok = Flag(load_default=True)
    # Consents change only where the file says so: an empty cell or a missing column keeps what
    # the worker said (in the app or at the desk); 否 withdraws, recorded with channel "import".
    push_opt_in = Flag(load_default=None, allow_none=True)
    personalized = Flag(load_default=None, allow_none=True)
    certificates = CertificateEntries(load_default=list)
    family = FamilyEntries(load_default=list)

    @validates("priority_groups")
    def _unique_groups(self, value: list[str], **_: Any) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("a group is listed twice")

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None):
            errors["lon" if lon is None else "lat"] = "lat and lon are given together or not at all"
        elif lat is not None:
            try:
                LocationIn().load({"lat": lat, "lon": lon})
            except ValidationError as exc:
                errors.update(exc.normalized_messages())
        number, born = data.get("national_id"), data.get("birth_date")
        if number is not None and born is not None and identity.birth_date_of(number) != born:
            errors["birth_date"] = "does not match the birth date in the ID number"
        if errors:
            raise ValidationError(errors)


# Filled from the catalog course when the row leaves them empty (as POST …/trainings does).
FROM_COURSE = ("occupation_code", "level", "training_type", "hours", "online_hours", "end_date", "stage")
TRAINING_DEFAULTS: dict[str, Any] = {"level": None, "hours": 0, "online_hours": 0, "end_date": None,
                                     "stage": None}


class TrainingRow(RowSchema):
    """One row of ``trainings.csv``: one entry of a worker's electronic training archive."""

    job_center = _api_field(WorkerIn, "job_center", required=True)
    worker_ref = _key_ref()
    external_ref = _key_ref()
    course_code = fields.String(load_default=None, validate=validate.Length(1, 64))
    # No load_default on FROM_COURSE fields: "not given" must stay distinguishable from a value.
    occupation_code = _api_field(TrainingIn, "occupation_code")
    level = _api_field(TrainingIn, "level")
    training_type = _api_field(TrainingIn, "training_type")
    status = _api_field(TrainingIn, "status")
    enrolled_on = _api_field(TrainingIn, "enrolled_on")
    end_date = _api_field(TrainingIn, "end_date")
    stage = _api_field(TrainingIn, "stage")
    completed_on = _api_field(TrainingIn, "completed_on", load_default=None)
    certificate_type = _api_field(TrainingIn, "certificate_type", load_default=None)
    certificate_level = _api_field(TrainingIn, "certificate_level", load_default=None)
    subsidized = Flag(load_default=False)
    subsidy_cny = _api_field(TrainingIn, "subsidy_cny")
    hours = _api_field(TrainingIn, "hours")
    online_hours = _api_field(TrainingIn, "online_hours")

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        # The same rules as workers.service.add_training, checked up front so they are row errors.
        errors: dict[str, str] = {}
        if data.get("course_code") is None:
            for name in ("occupation_code", "training_type"):
                if name not in data:
                    errors[name] = "required unless course_code is given"
        if data.get("status") == "completed" and data.get("completed_on") is None:
            errors["completed_on"] = "required when status is completed"
        if {"hours", "online_hours"} <= data.keys() and data["online_hours"] > data["hours"]:
            errors["online_hours"] = "must not exceed hours"
        enrolled = data.get("enrolled_on")
        for name in ("end_date", "completed_on"):
            if enrolled is not None and data.get(name) is not None and data[name] < enrolled:
                errors[name] = "must not be before enrolled_on"
        if errors:
            raise ValidationError(errors)


ROW_SCHEMAS: dict[str, type[RowSchema]] = {"workers": WorkerRow, "trainings": TrainingRow}


# --------------------------------------------------------------------------------------------
# Plan: read, validate, resolve references. Nothing is written.
# --------------------------------------------------------------------------------------------

@dataclass
class WorkerImport:
    """A validated batch, with what its rows refer to resolved to database ids."""

    sources: list[SourceFile]
    job_centers: dict[str, int]  # code -> id
    courses: dict[str, Course]  # code -> course, for the codes the batch names
    existing_refs: dict[tuple[int, str], int] = field(default_factory=dict)  # (center, ref) -> worker id
    tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS  # how far ahead "has happened" may reach
    # Every worker the batch's workers files name, valid row or not: a bad worker row is reported
    # once, not again by every training and family link that points at it.
    named: set[tuple[int, str]] = field(default_factory=set)
    # ID numbers found at another profile: (keyed hash, that profile's id), audited by the caller.
    identity_checks: list[tuple[str, int]] = field(default_factory=list)


def kind_of(path: Path) -> str:
    kind = path.name.split(".")[0]
    if kind not in KINDS or path.suffix != ".csv":
        raise ValueError(f"{path.name}: expected workers.csv or trainings.csv "
                         "(optionally with a suffix such as workers.2024.csv)")
    return kind


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files given directly, plus the .csv files inside given directories."""
    return catalog_expand_paths(paths, suffixes=(".csv",))


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _raw(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""


def _name(src: SourceFile) -> str:
    return Path(src.path).name


def _validate_rows(src: SourceFile, errors: list[RowError], progress: bool) -> None:
    schema = ROW_SCHEMAS[src.kind]()
    # An unknown column is reported once, on the header row, even where its cells are empty
    # (a misspelt column would otherwise be silently ignored), and not again on every row.
    header = [c for c in (src.rows[0] if src.rows else {}) if c != "__extra__"]
    unknown = [c for c in header if c not in schema.fields]
    for column in unknown:
        errors.append(RowError(src.path, 1, column or "(blank)", "unknown column"))
    for row in src.rows:
        for column in unknown:
            row.pop(column, None)
    for i, row in enumerate(tqdm(src.rows, desc=f"check {_name(src)}", unit="row",
                                 disable=not progress or None, leave=False), start=src.first_row):
        try:
            src.valid.append((i, schema.load(row)))
        except ValidationError as exc:
            for fld, message in sorted(exc.normalized_messages().items()):
                text = "; ".join(map(str, message)) if isinstance(message, list) else str(message)
                errors.append(RowError(src.path, i, fld, text))


def plan(session: Session, paths: Sequence[Path], *, secret_key: str, today: date,
         progress: bool = False, tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS) -> WorkerImport:
    """Read and check every file; raise ImportRejected naming every bad row."""
    errors: list[RowError] = []
    sources: list[SourceFile] = []
    for path in paths:
        try:
            sources.append(read_source(path, kind_of(path)))
        except (ValueError, UnicodeDecodeError, OSError) as exc:
            errors.append(RowError(str(path), 0, "file", str(exc)))
    sources.sort(key=lambda s: KINDS.index(s.kind))
    for src in sources:
        _validate_rows(src, errors, progress)

    job_centers = {code: id_ for code, id_ in session.execute(select(JobCenter.code, JobCenter.id))}
    batch = WorkerImport(sources, job_centers, {}, tolerance_days=tolerance_days)
    _check_workers(session, batch, errors, secret_key, today, tolerance_days)
    _check_trainings(batch, errors, today, tolerance_days)
    if errors:
        raise WorkerImportRejected(sorted(errors, key=lambda e: (e.file, e.row, e.field)), batch.identity_checks)
    return batch


class WorkerImportRejected(ImportRejected):
    """A rejected worker import, with the ID-number lookups that found a person held elsewhere:
    the caller records those in the audit trail after the rollback (they are answers about people)."""

    def __init__(self, errors: Sequence[RowError], identity_checks: list[tuple[str, int]]) -> None:
        super().__init__(errors)
        self.identity_checks = identity_checks  # (keyed hash, id of the profile that holds it)


def _existing_workers(session: Session, center_ids: set[int]) -> dict[tuple[int, str], int]:
    out: dict[tuple[int, str], int] = {}
    for chunk in _chunks(sorted(center_ids)):
        for id_, center, ref in session.execute(
                select(Worker.id, Worker.job_center_id, Worker.external_ref)
                .where(Worker.job_center_id.in_(chunk), Worker.external_ref.is_not(None))):
            if ref is not None:
                out[(center, ref)] = id_
    return out


def _check_workers(session: Session, batch: WorkerImport, errors: list[RowError],
                   secret_key: str, today: date, tolerance_days: int) -> None:
    worker_sources = [s for s in batch.sources if s.kind == "workers"]
    training_sources = [s for s in batch.sources if s.kind == "trainings"]
    centers = batch.job_centers
    center_ids = {centers[_raw(r, "job_center")] for s in batch.sources for r in s.rows
                  if _raw(r, "job_center") in centers}
    batch.existing_refs = _existing_workers(session, center_ids)
    batch.named = named = {(centers[_raw(r, "job_center")], _raw(r, "external_ref"))
                           for s in worker_sources for r in s.rows if _raw(r, "job_center") in centers}
    counties = set(session.scalars(select(County.code))) | {OUTSIDE_CITY}

    hashes = {identity.keyed_hash(secret_key, row["national_id"])
              for src in worker_sources for _, row in src.valid if row["national_id"] is not None}
    owners: dict[str, tuple[int, str | None]] = {}
    owner_ids: dict[str, int] = {}
    for chunk in _chunks(sorted(hashes)):
        for digest, owner_center, owner_ref, owner_id in session.execute(
                select(Worker.national_id_hash, Worker.job_center_id, Worker.external_ref, Worker.id)
                .where(Worker.national_id_hash.in_(chunk))):
            if digest is not None:
                owners[digest] = (owner_center, owner_ref)
                owner_ids[digest] = owner_id
    center_codes = {id_: code for code, id_ in centers.items()}

    seen: dict[tuple[int, str], tuple[str, int]] = {}
    seen_ids: dict[str, tuple[str, int]] = {}
    for src in worker_sources:
        keep: list[tuple[int, dict[str, Any]]] = []
        for i, row in src.valid:
            bad: list[RowError] = []
            center = centers.get(row["job_center"])
            if center is None:
                bad.append(RowError(src.path, i, "job_center", f"unknown job center {row['job_center']!r}"))
            else:
                key = (center, row["external_ref"])
                if key in seen:
                    f, r = seen[key]
                    bad.append(RowError(src.path, i, "external_ref", f"duplicate of {Path(f).name} row {r}"))
                else:
                    seen[key] = (src.path, i)
                for n, rel in enumerate(row["family"], start=1):
                    if rel["external_ref"] == row["external_ref"]:
                        bad.append(RowError(src.path, i, "family", f"entry {n}: a worker is not their own relative"))
                    elif (center, rel["external_ref"]) not in named and (center, rel["external_ref"]) not in batch.existing_refs:
                        bad.append(RowError(src.path, i, "family",
                                            f"entry {n}: unknown worker {rel['external_ref']!r} at job center "
                                            f"{row['job_center']} (not in this file or the database)"))
            for name in ("hukou_county", "residence_county", "jobseeking_county"):
                if row[name] is not None and row[name] not in counties:
                    bad.append(RowError(src.path, i, name,
                                        f"unknown county {row[name]!r} (use a county code or {OUTSIDE_CITY!r})"))
            # The same date rules as the API (policy/date_bounds.py).
            bad.extend(RowError(src.path, i, name, message)
                       for name, message in profile_problems(row, today, tolerance_days).items())
            if row["national_id"] is not None:
                # Matched through the keyed hash; the messages never repeat the number itself.
                digest = identity.keyed_hash(secret_key, row["national_id"])
                if digest in seen_ids:
                    f, r = seen_ids[digest]
                    bad.append(RowError(src.path, i, "national_id",
                                        f"same ID number as {Path(f).name} row {r}"))
                else:
                    seen_ids[digest] = (src.path, i)
                owner = owners.get(digest)
                if owner is not None and (center is None or owner != (center, row["external_ref"])):
                    batch.identity_checks.append((digest, owner_ids[digest]))
                    held_by = center_codes.get(owner[0], "?")
                    if owner[0] == center:
                        bad.append(RowError(src.path, i, "national_id",
                                            "another profile of this job center has this ID number"))
                    else:
                        bad.append(RowError(src.path, i, "national_id",
                                            f"this person is registered at job center {held_by}; ask for a "
                                            f"transfer (POST /v1/transfers), which {held_by} or an admin approves"))
            errors.extend(bad)
            if not bad:
                keep.append((i, row))
        src.valid = keep

    course_codes = sorted({row["course_code"] for s in training_sources for _, row in s.valid
                           if row.get("course_code")})
    for chunk in _chunks(course_codes):
        batch.courses.update((c.code, c) for c in session.scalars(select(Course).where(Course.code.in_(chunk))))


def _check_trainings(batch: WorkerImport, errors: list[RowError], today: date, tolerance_days: int) -> None:
    named = batch.named
    seen: dict[tuple[int, str, str], tuple[str, int]] = {}
    for src in (s for s in batch.sources if s.kind == "trainings"):
        keep: list[tuple[int, dict[str, Any]]] = []
        for i, row in src.valid:
            # The same date rules as the API (policy/date_bounds.py): nothing recorded has happened
            # in the future.
            bad = [RowError(src.path, i, name, message)
                   for name, message in training_problems(row, today, tolerance_days).items()]
            center = batch.job_centers.get(row["job_center"])
            if center is None:
                bad.append(RowError(src.path, i, "job_center", f"unknown job center {row['job_center']!r}"))
            else:
                who = (center, row["worker_ref"])
                if who not in named and who not in batch.existing_refs:
                    bad.append(RowError(src.path, i, "worker_ref",
                                        f"unknown worker {row['worker_ref']!r} at job center {row['job_center']} "
                                        "(not in workers.csv or the database)"))
                key = (center, row["worker_ref"], row["external_ref"])
                if key in seen:
                    f, r = seen[key]
                    bad.append(RowError(src.path, i, "external_ref", f"duplicate of {Path(f).name} row {r}"))
                else:
                    seen[key] = (src.path, i)
            course = batch.courses.get(row["course_code"]) if row["course_code"] is not None else None
            if row["course_code"] is not None and course is None:
                bad.append(RowError(src.path, i, "course_code", f"unknown course {row['course_code']!r}"))
            else:
                # Hours may come partly from the course, so this is checked after filling them in.
                attrs = _training_attrs(row, course)
                if attrs["online_hours"] > attrs["hours"]:
                    bad.append(RowError(src.path, i, "online_hours", "must not exceed hours"))
            errors.extend(bad)
            if not bad:
                keep.append((i, row))
        src.valid = keep


def _training_attrs(row: dict[str, Any], course: Course | None) -> dict[str, Any]:
    """The record's stored values: the row, then the course, then defaults (as add_training)."""
    attrs = {k: v for k, v in row.items() if k not in ("job_center", "worker_ref", "course_code")}
    attrs["course_id"] = course.id if course is not None else None
    for name in FROM_COURSE:
        if name not in attrs:
            attrs[name] = getattr(course, name) if course is not None else TRAINING_DEFAULTS[name]
    return attrs


# --------------------------------------------------------------------------------------------
# Apply: upsert in the caller's transaction.
# --------------------------------------------------------------------------------------------

def _profile_data(row: dict[str, Any]) -> dict[str, Any]:
    """A row as workers.service.apply_fields takes it (family is set in a second pass)."""
    data = {k: v for k, v in row.items() if k not in ("job_center", "lat", "lon", "family")
            and not (k in CONSENT_FIELDS and v is None)}
    data["location"] = {"lat": row["lat"], "lon": row["lon"]} if row["lat"] is not None else None
    if data["birth_date"] is None and data["national_id"] is not None:
        # Stated explicitly so comparing with the stored value sees the date the ID number implies.
        data["birth_date"] = identity.birth_date_of(data["national_id"])
    return data


def _differs(worker: Worker, name: str, value: Any, secret_key: str) -> bool:
    if name == "national_id":
        return (identity.keyed_hash(secret_key, value) if value else None) != worker.national_id_hash
    if name == "location":
        want = (approximate(value["lat"]), approximate(value["lon"])) if value else (None, None)
        return want != (worker.lat, worker.lon)
    if name == "certificates":
        have = [(c.occupation_code, c.level, c.certificate_type, c.issued_on, c.valid_until)
                for c in worker.certificates]
        return have != [(c["occupation_code"], c["level"], c["certificate_type"], c["issued_on"],
                         c["valid_until"]) for c in value]
    if name == "birth_date" and value is not None:
        value = identity.birth_month(value)  # only the month is kept
    return bool(getattr(worker, name) != value)


def apply(session: Session, batch: WorkerImport, *, secret_key: str, today: date,
          progress: bool = False) -> list[FileSummary]:
    """Upsert a planned batch in the session's transaction; the caller commits (or rolls back)."""
    touched: dict[int, set[str]] = {}  # worker id -> field names for its one audit entry
    summaries: list[FileSummary] = []
    refs = dict(batch.existing_refs)
    try:
        for src in batch.sources:
            summary = FileSummary(src.path, src.kind, src.sha256, len(src.rows))
            summary.seen_before = session.scalar(
                select(ImportRecord.id).where(ImportRecord.sha256 == src.sha256).limit(1)) is not None
            rows = list(tqdm(src.valid, desc=f"apply {_name(src)}", unit="row",
                             disable=not progress or None, leave=False))
            if src.kind == "workers":
                _apply_workers(session, batch, rows, summary, refs, touched, secret_key, today)
            else:
                _apply_trainings(session, batch, rows, summary, refs, touched)
            if summary.added or summary.updated or not summary.seen_before:
                session.add(ImportRecord(kind=src.kind, filename=_name(src), sha256=src.sha256,
                                         added=summary.added, updated=summary.updated,
                                         unchanged=summary.unchanged))
            summaries.append(summary)
        for worker_id, names in sorted(touched.items()):
            audit(session, None, "import", worker_id, sorted(names))
        session.flush()
    except ProfileError as exc:  # a rule the plan should have caught; still, nothing is applied
        raise ImportRejected([RowError(batch.sources[0].path if batch.sources else "", 0, exc.field,
                                       exc.message)]) from None
    except IntegrityError:
        # The driver's message carries the row's values (names, phones): never pass it on.
        raise ImportRejected([RowError("", 0, "file", "conflicts with data changed in the database "
                                                      "meanwhile; nothing was imported, try again")]) from None
    return summaries


def _apply_workers(session: Session, batch: WorkerImport, rows: list[tuple[int, dict[str, Any]]],
                   summary: FileSummary, refs: dict[tuple[int, str], int], touched: dict[int, set[str]],
                   secret_key: str, today: date) -> None:
    keys = [(batch.job_centers[row["job_center"]], row["external_ref"]) for _, row in rows]
    existing_ids = [refs[k] for k in keys if k in refs]
    loaded: dict[int, Worker] = {}
    for chunk in _chunks(existing_ids):
        stmt = (select(Worker).where(Worker.id.in_(chunk))
                .options(selectinload(Worker.certificates), selectinload(Worker.family_links)))
        loaded.update((w.id, w) for w in session.scalars(stmt))

    workers: list[tuple[Worker, dict[str, Any], set[str]]] = []
    # Duplicates and references were checked in plan(): no need to flush before every query.
    with session.no_autoflush:
        for (_, row), key in zip(rows, keys, strict=True):
            data = _profile_data(row)
            worker = loaded.get(refs[key]) if key in refs else None
            if worker is None:
                worker = Worker(job_center_id=key[0], priority_groups=[], interests=[])
                written = set(apply_fields(session, worker, data, secret_key=secret_key,
                                           principal=None, today=today, tolerance_days=batch.tolerance_days)) | {"job_center"}
                session.add(worker)
                summary.added += 1
            else:
                changed = {k: v for k, v in data.items() if _differs(worker, k, v, secret_key)}
                written = set(apply_fields(session, worker, changed, secret_key=secret_key, principal=None,
                                           today=today, tolerance_days=batch.tolerance_days)) if changed else set()
            workers.append((worker, row, written))
    session.flush()  # ids for new workers, so family links can point at them
    for (worker, _, _), key in zip(workers, keys, strict=True):
        refs[key] = worker.id

    for worker, row, written in workers:
        center = batch.job_centers[row["job_center"]]
        want = [{"relative_id": refs[(center, f["external_ref"])], "relation": f["relation"]}
                for f in row["family"]]
        have = {(link.relative_id, link.relation) for link in worker.family_links}
        if have != {(f["relative_id"], f["relation"]) for f in want}:
            written |= set(apply_fields(session, worker, {"family": want}, secret_key=secret_key,
                                        principal=None, today=today, tolerance_days=batch.tolerance_days))
        if written:
            touched.setdefault(worker.id, set()).update(written)
            if worker.id in loaded:
                summary.updated += 1
        elif worker.id in loaded:
            summary.unchanged += 1
    session.flush()


def _apply_trainings(session: Session, batch: WorkerImport, rows: list[tuple[int, dict[str, Any]]],
                     summary: FileSummary, refs: dict[tuple[int, str], int],
                     touched: dict[int, set[str]]) -> None:
    worker_ids = sorted({refs[(batch.job_centers[row["job_center"]], row["worker_ref"])] for _, row in rows})
    existing: dict[tuple[int, str], TrainingRecord] = {}
    for chunk in _chunks(worker_ids):
        for record in session.scalars(select(TrainingRecord).where(
                TrainingRecord.worker_id.in_(chunk), TrainingRecord.external_ref.is_not(None))):
            existing[(record.worker_id, record.external_ref or "")] = record
    for _, row in rows:
        worker_id = refs[(batch.job_centers[row["job_center"]], row["worker_ref"])]
        attrs = _training_attrs(row, batch.courses.get(row["course_code"]) if row.get("course_code") else None)
        found = existing.get((worker_id, row["external_ref"]))
        if found is None:
            session.add(TrainingRecord(worker_id=worker_id, **attrs))
            summary.added += 1
        else:
            changed = {k: v for k, v in attrs.items() if getattr(found, k) != v}
            if not changed:
                summary.unchanged += 1
                continue
            for k, v in changed.items():
                setattr(found, k, v)
            summary.updated += 1
        touched.setdefault(worker_id, set()).add("trainings")
    session.flush()
