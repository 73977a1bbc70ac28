"""Catalog import: validate every row of every file first, then apply all of it or nothing.

An import is one database transaction. Any bad row (a field that fails its schema, a duplicate
natural key, a reference to an unknown county, institution or occupation, a course that its own
reserved groups could never take under the rules) rejects the whole batch and every bad row is
reported with file, row number, field and message. Rows are upserted by their
natural keys, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from catalog.import_schemas import IMPORT_ORDER, ROW_SCHEMAS
from catalog.tables import (
    County,
    Course,
    EvaluationInstitution,
    ImportRecord,
    Institution,
    JobCenter,
    Occupation,
    OccupationList,
    OccupationListEntry,
)
from policy.catalog_check import reserved_group_refusals_many
from policy.profile import CourseFacts
from policy.settings import PolicySettings

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # CSV: the spreadsheet row (the header is row 1); JSON: the 1-based item
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}: {self.field}: {self.message}"


class ImportRejected(Exception):
    """The batch was not applied; ``errors`` names every bad row."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} bad row(s); nothing was imported")
        self.errors = list(errors)


@dataclass
class FileSummary:
    file: str
    kind: str
    sha256: str
    rows: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    seen_before: bool = False


@dataclass
class SourceFile:
    path: str
    kind: str
    sha256: str
    rows: list[dict[str, Any]]
    first_row: int = 1  # what the first data row is called in messages
    valid: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # Rows that failed their schema: the fields that did load, so their references are checked
    # too and one run names every bad field of a row, not just the first kind of problem.
    partial: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def kind_of(path: Path, explicit: str | None = None) -> str:
    kind = explicit or path.name.split(".")[0]
    if kind not in ROW_SCHEMAS:
        raise ValueError(f"{path}: unknown kind {kind!r} (expected one of {', '.join(IMPORT_ORDER)})")
    return kind


def expand_paths(paths: Iterable[str | Path], suffixes: tuple[str, ...] = (".csv", ".json")) -> list[Path]:
    """Files given directly, plus the files with these suffixes inside given directories."""
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(q for q in p.iterdir() if q.suffix in suffixes) if p.is_dir() else [p])
    return out


def summary_lines(summaries: Sequence[FileSummary]) -> list[str]:
    """The table an import command prints: one row per file, then the totals."""
    header = ("rows", "added", "updated", "unchanged", "removed")
    width = max([24, *(len(s.kind) for s in summaries)])
    lines = [f"{'file':<40} {'kind':<{width}} " + " ".join(f"{h:>9}" for h in header)]
    totals = [0] * len(header)
    for s in summaries:
        counts = (s.rows, s.added, s.updated, s.unchanged, s.removed)
        seen = "  (same file imported before)" if s.seen_before else ""
        lines.append(f"{Path(s.file).name:<40} {s.kind:<{width}} " + " ".join(f"{c:>9}" for c in counts) + seen)
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
    lines.append(f"{'total':<40} {'':<{width}} " + " ".join(f"{t:>9}" for t in totals))
    return lines


def read_source(path: Path, kind: str) -> SourceFile:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    text = raw.decode("utf-8-sig")
    rows: list[dict[str, Any]]
    if path.suffix == ".json":
        data = json.loads(text)
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError(f"{path}: a JSON catalog file is a list of objects")
        rows = data
    else:
        # Cells beyond the header land under "__extra__", which no schema knows: a row error.
        rows = [dict(r) for r in csv.DictReader(io.StringIO(text), restkey="__extra__")]
    return SourceFile(str(path), kind, digest, rows, first_row=1 if path.suffix == ".json" else 2)


def _validate_rows(src: SourceFile, errors: list[RowError], progress: bool) -> None:
    schema = ROW_SCHEMAS[src.kind]()
    for i, row in enumerate(tqdm(src.rows, desc=f"check {Path(src.path).name}", unit="row",
                                 disable=not progress or None, leave=False), start=src.first_row):
        try:
            src.valid.append((i, schema.load(row)))
        except ValidationError as exc:
            for fld, messages in _flatten(exc.messages_dict):
                errors.append(RowError(src.path, i, fld, messages))
            if isinstance(exc.valid_data, dict):
                src.partial.append((i, exc.valid_data))


def _flatten(messages: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        elif isinstance(value, list):
            yield name, "; ".join(str(v) for v in value)
        else:
            yield name, str(value)


def _natural_key(kind: str, row: dict[str, Any]) -> Any:
    if kind == "occupation_lists":
        return (row["kind"], row.get("county") or "city", row["effective_date"], row["occupation_code"])
    return row["code"]


def _check_references(session: Session, sources: list[SourceFile], errors: list[RowError]) -> None:
    known: dict[str, set[Any]] = {
        "counties": set(session.scalars(select(County.code))),
        "occupations": set(session.scalars(select(Occupation.code))),
        "institutions": set(session.scalars(select(Institution.code))),
    }
    by_kind: dict[str, list[SourceFile]] = defaultdict(list)
    for src in sources:
        by_kind[src.kind].append(src)
    for kind in IMPORT_ORDER:
        seen: dict[Any, tuple[str, int]] = {}
        for src in by_kind.get(kind, []):
            keep: list[tuple[int, dict[str, Any]]] = []
            for i, row in src.valid:
                bad = False
                key = _natural_key(kind, row)
                if key in seen:
                    f, r = seen[key]
                    errors.append(RowError(src.path, i, "code", f"duplicate of {Path(f).name} row {r}"))
                    bad = True
                seen[key] = (src.path, i)
                unknown = _unknown_references(src.path, i, kind, row, known)
                errors.extend(unknown)
                if not bad and not unknown:
                    keep.append((i, row))
            for i, row in src.partial:
                errors.extend(_unknown_references(src.path, i, kind, row, known))
            src.valid = keep
            if kind in known:
                known[kind].update(row["code"] for _, row in keep)


def _unknown_references(path: str, i: int, kind: str, row: dict[str, Any],
                        known: dict[str, set[Any]]) -> list[RowError]:
    errors = []
    for fld, target in REFERENCES.get(kind, ()):
        values = row.get(fld)
        for v in values if isinstance(values, list) else [values]:
            if v is not None and v not in known[target]:
                errors.append(RowError(path, i, fld, f"unknown {REFERENCE_NAMES[target]} {v!r}"))
    return errors


REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "job_centers": (("counties", "counties"),),
    "occupation_lists": (("county", "counties"), ("occupation_code", "occupations")),
    "institutions": (("county", "counties"),),
    "evaluation_institutions": (("county", "counties"), ("occupation_codes", "occupations")),
    "courses": (("county", "counties"), ("institution_code", "institutions"),
                ("occupation_code", "occupations")),
}

REFERENCE_NAMES = {"counties": "county", "occupations": "occupation", "institutions": "institution"}

MODELS: dict[str, Any] = {
    "counties": County,
    "job_centers": JobCenter,
    "occupations": Occupation,
    "institutions": Institution,
    "evaluation_institutions": EvaluationInstitution,
    "courses": Course,
}


def course_facts(row: dict[str, Any]) -> CourseFacts:
    """What the rules read of one validated course row."""
    return CourseFacts(
        id=0, occupation_code=row["occupation_code"], level=row.get("level"),
        training_type=row["training_type"], certificate_type=row["certificate_type"],
        county=row["county"], start_date=row["start_date"], end_date=row["end_date"],
        subsidy_cny=float(row["subsidy_cny"]), target_groups=frozenset(row.get("target_groups") or ()),
        reserved_for=frozenset(row.get("reserved_for") or ()), stage=row.get("stage"),
    )


def _check_rules(sources: list[SourceFile], errors: list[RowError], settings: PolicySettings) -> None:
    """A course its own reserved groups cannot take contradicts the rules: a bad row."""
    for src in sources:
        if src.kind != "courses":
            continue
        found = reserved_group_refusals_many([course_facts(row) for _, row in src.valid], settings)
        keep = []
        for (i, row), refusals in zip(src.valid, found, strict=True):
            errors.extend(RowError(src.path, i, "reserved_for", str(r)) for r in refusals)
            if not refusals:
                keep.append((i, row))
        src.valid = keep


def plan(session: Session, paths: Sequence[Path], kind: str | None = None,
         progress: bool = False, settings: PolicySettings | None = None) -> list[SourceFile]:
    """Read and validate every file; raise ImportRejected naming every bad row.

    Courses are also checked against the rules under ``settings`` (the defaults when None).
    """
    errors: list[RowError] = []
    sources: list[SourceFile] = []
    for path in paths:
        try:
            sources.append(read_source(path, kind_of(path, kind)))
        except (ValueError, UnicodeDecodeError, json.JSONDecodeError, OSError) as exc:
            errors.append(RowError(str(path), 0, "file", str(exc)))
    sources.sort(key=lambda s: IMPORT_ORDER.index(s.kind))
    for src in sources:
        _validate_rows(src, errors, progress)
    _check_references(session, sources, errors)
    _check_rules(sources, errors, settings or PolicySettings())
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.file, e.row, e.field)))
    return sources


def apply(session: Session, sources: list[SourceFile], progress: bool = False) -> list[FileSummary]:
    """Upsert validated files in the session's transaction; the caller commits."""
    summaries = []
    for src in sources:
        summary = FileSummary(src.path, src.kind, src.sha256, len(src.rows))
        summary.seen_before = session.scalar(
            select(ImportRecord.id).where(ImportRecord.sha256 == src.sha256).limit(1)
        ) is not None
        rows = [row for _, row in tqdm(src.valid, desc=f"apply {Path(src.path).name}", unit="row",
                                       disable=not progress or None, leave=False)]
        if src.kind == "occupation_lists":
            _apply_lists(session, rows, summary)
        else:
            _apply_entities(session, src.kind, rows, summary)
        if summary.added or summary.updated or summary.removed or not summary.seen_before:
            session.add(ImportRecord(kind=src.kind, filename=Path(src.path).name, sha256=src.sha256,
                                     added=summary.added, updated=summary.updated,
                                     unchanged=summary.unchanged))
        summaries.append(summary)
    session.flush()
    return summaries


def _apply_entities(session: Session, kind: str, rows: list[dict[str, Any]],
                    summary: FileSummary) -> None:
    model = MODELS[kind]
    # Catalogs are thousands of rows, not millions: one query beats one per row.
    existing = {obj.code: obj for obj in session.scalars(select(model))}
    institution_ids: dict[str, int] = {}
    if kind == "courses":
        institution_ids = {code: id_ for code, id_ in session.execute(select(Institution.code, Institution.id))}
    for row in rows:
        attrs = _course_attrs(row, institution_ids) if kind == "courses" else row
        obj = existing.get(row["code"])
        if obj is None:
            session.add(model(**attrs))
            summary.added += 1
            continue
        changed = False
        for name, value in attrs.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            summary.updated += 1
        else:
            summary.unchanged += 1
    # Institutions must have ids before the courses of the same batch resolve them.
    session.flush()


def _course_attrs(row: dict[str, Any], institution_ids: dict[str, int]) -> dict[str, Any]:
    attrs = dict(row)
    attrs["institution_id"] = institution_ids[attrs.pop("institution_code")]
    return attrs


def _apply_lists(session: Session, rows: list[dict[str, Any]], summary: FileSummary) -> None:
    grouped: dict[tuple[str, str, Any], dict[str, int | None]] = defaultdict(dict)
    for row in rows:
        scope = row.get("county") or "city"
        grouped[(row["kind"], scope, row["effective_date"])][row["occupation_code"]] = row.get("shortage_level")
    for (kind, scope, effective), entries in grouped.items():
        lst = session.scalar(select(OccupationList).where(
            OccupationList.kind == kind, OccupationList.scope == scope,
            OccupationList.effective_date == effective))
        if lst is None:
            lst = OccupationList(kind=kind, scope=scope, effective_date=effective)
            session.add(lst)
        current = {e.occupation_code: e for e in lst.entries}
        for code, level in entries.items():
            entry = current.pop(code, None)
            if entry is None:
                lst.entries.append(OccupationListEntry(occupation_code=code, shortage_level=level))
                summary.added += 1
            elif entry.shortage_level != level:
                entry.shortage_level = level
                summary.updated += 1
            else:
                summary.unchanged += 1
        # The file is the whole list version: entries it no longer names are dropped.
        for entry in current.values():
            lst.entries.remove(entry)
            summary.removed += 1
