"""Catalog import on SQLite and PostgreSQL: counts, idempotence, all-or-nothing rejection with
every bad row named, JSON files, duplicate keys, shortage-list versions and the CLI."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.importing import FileSummary, ImportRejected, apply, expand_paths, plan
from catalog.lists import lists_in_force, shortage_levels, subsidized_by_county
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
from storage.session import writing
from tests.conftest import SAMPLE_CATALOG, make_test_app

CATALOG_TABLES = (County, JobCenter, Occupation, OccupationList, OccupationListEntry, Institution,
                  EvaluationInstitution, Course, ImportRecord)


# --- helpers ---------------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def sample_rows(kind: str) -> list[dict[str, str]]:
    return read_csv(SAMPLE_CATALOG / f"{kind}.csv")


def run_import(sessions: sessionmaker[Session], *paths: Path, kind: str | None = None) -> list[FileSummary]:
    with writing(sessions) as session:
        return apply(session, plan(session, expand_paths(paths), kind))


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
                for t in CATALOG_TABLES}


def snapshot(sessions: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every catalog table, every column: 'unchanged' means equal to this."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with sessions() as session:
        for t in CATALOG_TABLES:
            cols = list(t.__table__.columns)
            rows = session.execute(select(*cols)).all()
            out[t.__tablename__] = sorted(tuple(map(repr, r)) for r in rows)
    return out


def copy_catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog_copy"
    shutil.copytree(SAMPLE_CATALOG, target, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    return target


def corrupt_courses(directory: Path) -> list[tuple[str, int, str]]:
    """Corrupt three course rows three ways; return the (file, spreadsheet row, field) expected."""
    path = directory / "courses.csv"
    rows = read_csv(path)
    bad_occupation, bad_lat, bad_county = 3, 100, 400  # 0-based data rows
    rows[bad_occupation]["occupation_code"] = "9-99-99-99"
    rows[bad_lat]["lat"] = "200"
    rows[bad_county]["county"] = "atlantis"
    write_csv(path, rows)
    # The header is spreadsheet row 1, so data row i is row i + 2.
    return [(str(path), bad_occupation + 2, "occupation_code"), (str(path), bad_lat + 2, "lat"),
            (str(path), bad_county + 2, "county")]


# --- counts and idempotence ------------------------------------------------------------------

def test_sample_catalog_import_counts(sessions: sessionmaker[Session]) -> None:
    summaries = run_import(sessions, SAMPLE_CATALOG)

    lists = read_csv(SAMPLE_CATALOG / "occupation_lists.csv")
    expected = {
        "counties": len(sample_rows("counties")),
        "job_centers": len(sample_rows("job_centers")),
        "occupations": len(sample_rows("occupations")),
        "institutions": len(sample_rows("institutions")),
        "evaluation_institutions": len(sample_rows("evaluation_institutions")),
        "courses": len(sample_rows("courses")),
        "occupation_lists": len({(r["kind"], r["county"], r["effective_date"]) for r in lists}),
        "occupation_list_entries": len(lists),
        "import_records": 7,  # one per file
    }
    # The sizes the README promises for the sample catalog.
    assert (expected["counties"], expected["job_centers"], expected["occupations"],
            expected["institutions"], expected["courses"]) == (11, 12, 118, 52, 710)
    assert counts(sessions) == expected

    by_kind = {s.kind: s for s in summaries}
    assert set(by_kind) == {"counties", "job_centers", "occupations", "occupation_lists",
                            "institutions", "evaluation_institutions", "courses"}
    for s in summaries:
        assert s.added == s.rows and s.updated == s.unchanged == s.removed == 0, s
        assert not s.seen_before
    assert by_kind["courses"].rows == expected["courses"]

    # Values round-trip: Chinese text, pipe lists, booleans and dates of one course.
    first = sample_rows("courses")[0]
    with sessions() as session:
        course = session.scalar(select(Course).where(Course.code == first["code"]))
        assert course is not None
        assert course.title_zh == first["title_zh"]
        assert course.institution.code == first["institution_code"]
        assert course.target_groups == first["target_groups"].split("|")
        assert course.start_date == date.fromisoformat(first["start_date"])
        assert course.lat == pytest.approx(float(first["lat"]))
        # The sha256 of every file is recorded.
        shas = set(session.scalars(select(ImportRecord.sha256)))
    assert {s.sha256 for s in summaries} == shas and all(len(h) == 64 for h in shas)


def test_reimport_changes_nothing(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run_import(sessions, SAMPLE_CATALOG)
    before = snapshot(sessions)

    summaries = run_import(sessions, SAMPLE_CATALOG)

    assert sum(s.added for s in summaries) == 0
    assert sum(s.updated for s in summaries) == 0
    assert sum(s.removed for s in summaries) == 0
    assert sum(s.unchanged for s in summaries) == sum(s.rows for s in summaries)
    assert all(s.seen_before for s in summaries)
    assert snapshot(sessions) == before

    # One changed cell is one update, and only that value moves.
    rows = sample_rows("courses")
    rows[5]["seats_taken"] = str((int(rows[5]["seats_taken"]) + 1) % (int(rows[5]["seats"]) + 1))
    write_csv(tmp_path / "courses.csv", rows)
    [summary] = run_import(sessions, tmp_path / "courses.csv")
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, len(rows) - 1)
    after = snapshot(sessions)
    with sessions() as session:
        taken = session.scalar(select(Course.seats_taken).where(Course.code == rows[5]["code"]))
    assert taken == int(rows[5]["seats_taken"])
    changed_tables = {t for t in before if before[t] != after[t]}
    assert changed_tables == {"courses", "import_records"}
    assert len(set(before["courses"]) - set(after["courses"])) == 1


def test_catalog_queries_read_the_import_back(sessions: sessionmaker[Session]) -> None:
    """The searches the API serves behave the same on this backend (JSON lists, text, distance)."""
    from catalog.geo import haversine_km
    from catalog.queries import CourseFilter, Near, Page, search_courses, search_occupations

    run_import(sessions, SAMPLE_CATALOG)
    rows = sample_rows("courses")
    with sessions() as session:
        found, total = search_courses(session, CourseFilter(priority_group="veteran"), None)
        assert {c.code for c, _ in found} == {r["code"] for r in rows if "veteran" in r["target_groups"].split("|")}
        assert total == len(found) > 0
        found, _ = search_courses(session, CourseFilter(q="家政", has_open_seats=True), None)
        assert {c.code for c, _ in found} == {r["code"] for r in rows if "家政" in r["title_zh"]
                                              and int(r["seats_taken"]) < int(r["seats"])}
        dist = haversine_km(33.35, 120.16, [float(r["lat"]) for r in rows], [float(r["lon"]) for r in rows])
        within = sorted((float(d), r["code"]) for d, r in zip(dist, rows, strict=True) if d <= 20)
        found, total = search_courses(session, CourseFilter(near=Near(33.35, 120.16, 20)), Page(1, 10))
        assert total == len(within)
        assert [d for _, d in found] == pytest.approx([d for d, _ in within[:10]], abs=1e-3)
        occupations, total = search_occupations(session, shortage=None, category=None, q="ELDERLY",
                                                on=date(2026, 11, 29), page=Page(1, 50))
        assert {o.code for o, _ in occupations} == {r["code"] for r in sample_rows("occupations")
                                                   if "elderly" in r["name_en"].lower()}


# --- all or nothing --------------------------------------------------------------------------

def assert_rejected_naming(exc: ImportRejected, expected: list[tuple[str, int, str]]) -> None:
    named = [(e.file, e.row, e.field) for e in exc.errors]
    assert sorted(named) == sorted(expected)
    for e in exc.errors:
        assert e.message and str(e.row) in str(e) and e.field in str(e)


def test_corrupted_catalog_on_empty_db_is_rejected_whole(sessions: sessionmaker[Session],
                                                        tmp_path: Path) -> None:
    bad = copy_catalog(tmp_path)
    expected = corrupt_courses(bad)
    before = counts(sessions)
    assert all(v == 0 for v in before.values())

    with pytest.raises(ImportRejected) as info:
        run_import(sessions, bad)

    assert_rejected_naming(info.value, expected)
    messages = {e.field: e.message for e in info.value.errors}
    assert "9-99-99-99" in messages["occupation_code"]
    assert "atlantis" in messages["county"]
    # The good files of the same batch (counties, institutions...) were not applied either.
    assert counts(sessions) == before


def test_corrupted_catalog_on_loaded_db_changes_nothing(sessions: sessionmaker[Session],
                                                       tmp_path: Path) -> None:
    run_import(sessions, SAMPLE_CATALOG)
    bad = copy_catalog(tmp_path)
    expected = corrupt_courses(bad)
    # Otherwise-valid changes in the same files: a changed course, a new course, a changed county.
    rows = read_csv(bad / "courses.csv")
    rows[10]["title_zh"] = rows[10]["title_zh"] + "（改）"
    new = dict(rows[11], code="YC-TEST-NEW")
    write_csv(bad / "courses.csv", [*rows, new])
    counties = read_csv(bad / "counties.csv")
    counties[0]["name_en"] = "Renamed District"
    write_csv(bad / "counties.csv", counties)
    before_counts, before = counts(sessions), snapshot(sessions)

    with pytest.raises(ImportRejected) as info:
        run_import(sessions, bad)

    assert_rejected_naming(info.value, expected)
    assert counts(sessions) == before_counts
    assert snapshot(sessions) == before
    with sessions() as session:
        assert session.scalar(select(Course).where(Course.code == "YC-TEST-NEW")) is None
        assert session.get(County, counties[0]["code"]).name_en != "Renamed District"  # type: ignore[union-attr]


def test_one_row_corrupted_three_ways_names_the_fields(sessions: sessionmaker[Session],
                                                      tmp_path: Path) -> None:
    run_import(sessions, SAMPLE_CATALOG)
    rows = sample_rows("courses")
    rows[7].update(occupation_code="9-99-99-99", lat="200", county="atlantis")
    write_csv(tmp_path / "courses.csv", rows)
    before = snapshot(sessions)

    with pytest.raises(ImportRejected) as info:
        run_import(sessions, tmp_path / "courses.csv")

    # Every problem of the row in one run, the unknown county included.
    assert sorted((e.row, e.field) for e in info.value.errors) == [
        (9, "county"), (9, "lat"), (9, "occupation_code")]
    assert snapshot(sessions) == before


def test_duplicate_natural_key_in_one_file(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    rows = sample_rows("counties")
    dup = dict(rows[2], name_en="Copy")
    write_csv(tmp_path / "counties.csv", [*rows, dup])

    with pytest.raises(ImportRejected) as info:
        run_import(sessions, tmp_path / "counties.csv")

    [error] = info.value.errors
    assert (error.row, error.field) == (len(rows) + 2, "code")
    assert "duplicate" in error.message and "row 4" in error.message  # rows[2] is spreadsheet row 4
    assert counts(sessions)["counties"] == 0


def test_reference_to_a_row_of_the_same_batch(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    """A course may name an institution that arrives in the same import, not one that doesn't."""
    run_import(sessions, SAMPLE_CATALOG / "counties.csv", SAMPLE_CATALOG / "occupations.csv")
    inst = sample_rows("institutions")[:1]
    courses = [r for r in sample_rows("courses") if r["institution_code"] == inst[0]["code"]][:2]
    courses[1] = dict(courses[1], institution_code="YC-INST-NOPE")
    write_csv(tmp_path / "institutions.csv", inst)
    write_csv(tmp_path / "courses.csv", courses)

    with pytest.raises(ImportRejected) as info:
        run_import(sessions, tmp_path)
    [error] = info.value.errors
    assert (Path(error.file).name, error.row, error.field) == ("courses.csv", 3, "institution_code")
    assert counts(sessions)["institutions"] == 0


# --- JSON ------------------------------------------------------------------------------------

def course_as_json(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in row.items() if v != ""}
    for k in ("hours", "online_hours", "seats", "seats_taken", "subsidy_cny", "level"):
        if k in out:
            out[k] = int(out[k])
    for k in ("lat", "lon"):
        out[k] = float(out[k])
    for k in ("free_for_key_groups", "accessible", "project_based"):
        out[k] = out[k] == "true"
    out["target_groups"] = row["target_groups"].split("|") if row["target_groups"] else []
    return out


def test_json_file_import(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run_import(sessions, SAMPLE_CATALOG)
    rows = sample_rows("courses")
    changed = course_as_json(rows[0])
    changed["seats"] = changed["seats"] + 5
    added = course_as_json(rows[1])
    added.update(code="YC-JSON-0001", title_zh="电商直播（JSON 导入）", target_groups=["veteran", "rural_migrant"])
    path = tmp_path / "courses.json"
    path.write_text(json.dumps([changed, added], ensure_ascii=False), encoding="utf-8")

    [summary] = run_import(sessions, path)
    assert (summary.kind, summary.rows, summary.added, summary.updated, summary.unchanged) == (
        "courses", 2, 1, 1, 0)
    with sessions() as session:
        new = session.scalar(select(Course).where(Course.code == "YC-JSON-0001"))
        assert new is not None
        assert new.title_zh == "电商直播（JSON 导入）"
        assert new.target_groups == ["veteran", "rural_migrant"]
        assert session.scalar(select(Course.seats).where(Course.code == rows[0]["code"])) == changed["seats"]

    [again] = run_import(sessions, path)
    assert (again.added, again.updated, again.unchanged, again.seen_before) == (0, 0, 2, True)

    # JSON rows are numbered from 1: a bad second item is "row 2".
    added["lat"] = 200
    path.write_text(json.dumps([changed, added], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        run_import(sessions, path)
    assert [(e.row, e.field) for e in info.value.errors] == [(2, "lat")]


def test_json_file_that_is_not_a_list_is_rejected(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    path = tmp_path / "counties.json"
    path.write_text(json.dumps({"code": "tinghu"}), encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        run_import(sessions, path)
    assert [(e.file, e.field) for e in info.value.errors] == [(str(path), "file")]


# --- shortage list versions ------------------------------------------------------------------

def test_newer_shortage_list_supersedes_and_old_is_kept(sessions: sessionmaker[Session],
                                                       tmp_path: Path) -> None:
    run_import(sessions, SAMPLE_CATALOG)
    lists = [r for r in sample_rows("occupation_lists") if r["kind"] == "shortage" and not r["county"]]
    by_date: dict[str, dict[str, int]] = {}
    for r in lists:
        by_date.setdefault(r["effective_date"], {})[r["occupation_code"]] = int(r["shortage_level"] or 3)
    older, newer = sorted(by_date)
    assert by_date[older] != by_date[newer]

    with sessions() as session:
        assert shortage_levels(session, date.fromisoformat(older) - (date(2000, 1, 2) - date(2000, 1, 1))) == {}
        assert shortage_levels(session, date.fromisoformat(older)) == by_date[older]
        assert shortage_levels(session, date.fromisoformat(newer)) == by_date[newer]

    # A bureau publishes a newer, shorter list: it supersedes; the earlier versions stay.
    codes = sorted(by_date[newer])[:3]
    new_rows = [{"kind": "shortage", "county": "", "effective_date": "2027-03-01",
                 "occupation_code": c, "shortage_level": "2"} for c in codes]
    write_csv(tmp_path / "occupation_lists.csv", new_rows)
    [summary] = run_import(sessions, tmp_path / "occupation_lists.csv")
    assert (summary.added, summary.removed) == (3, 0)

    with sessions() as session:
        assert shortage_levels(session, date(2027, 3, 1)) == dict.fromkeys(codes, 2)
        assert shortage_levels(session, date(2027, 2, 28)) == by_date[newer]
        assert shortage_levels(session, date.fromisoformat(older)) == by_date[older]
        versions = sorted(session.scalars(select(OccupationList.effective_date).where(
            OccupationList.kind == "shortage", OccupationList.scope == "city")))
        assert versions == [date.fromisoformat(older), date.fromisoformat(newer), date(2027, 3, 1)]
        assert lists_in_force(session, "shortage", date(2027, 6, 1))["city"].effective_date == date(2027, 3, 1)
        kept = session.scalar(select(func.count()).select_from(OccupationListEntry).join(OccupationList)
                              .where(OccupationList.effective_date == date.fromisoformat(older),
                                     OccupationList.kind == "shortage"))
        assert kept == len(by_date[older])

    # County subsidized lists: per county, the newest version in force on the day.
    rows = [r for r in sample_rows("occupation_lists") if r["kind"] == "subsidized"]
    on = date(2026, 12, 1)
    newest: dict[str, str] = {}
    for r in rows:
        if newest.get(r["county"], "") <= r["effective_date"] <= on.isoformat():
            newest[r["county"]] = r["effective_date"]
    expected = {county: frozenset(r["occupation_code"] for r in rows
                                  if r["county"] == county and r["effective_date"] == eff)
                for county, eff in newest.items()}
    assert len(expected) >= 2
    with sessions() as session:
        assert subsidized_by_county(session, on) == expected


# --- the CLI ---------------------------------------------------------------------------------

def test_cli_import_prints_summary_then_rejects_bad_copy(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path)
    try:
        runner = app.test_cli_runner()
        dry = runner.invoke(args=["catalog", "import", "--dry-run", str(SAMPLE_CATALOG)])
        assert dry.exit_code == 0, dry.output
        assert "dry run: nothing was written" in dry.stdout
        assert set(counts(app.services.sessions).values()) == {0}

        result = runner.invoke(args=["catalog", "import", str(SAMPLE_CATALOG)])
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["file", "kind", "rows", "added", "updated", "unchanged", "removed"]
        table = {line.split()[0]: line.split()[1:] for line in lines[1:]}
        courses = len(sample_rows("courses"))
        assert table["courses.csv"][:5] == ["courses", str(courses), str(courses), "0", "0"]
        total_rows = sum(len(read_csv(p)) for p in SAMPLE_CATALOG.glob("*.csv"))
        assert table["total"][:3] == [str(total_rows), str(total_rows), "0"]

        again = runner.invoke(args=["catalog", "import", str(SAMPLE_CATALOG)])
        assert again.exit_code == 0, again.output
        table = {line.split()[0]: line.split()[1:] for line in again.stdout.splitlines()[1:]}
        assert table["total"][:4] == [str(total_rows), "0", "0", str(total_rows)]
        assert "same file imported before" in table["courses.csv"][-1] or \
            "(same file imported before)" in again.stdout

        bad = copy_catalog(tmp_path)
        expected = corrupt_courses(bad)
        sessions: sessionmaker[Session] = app.services.sessions
        before = snapshot(sessions)
        rejected = runner.invoke(args=["catalog", "import", str(bad)])
        assert rejected.exit_code == 1
        assert "Import rejected: 3 bad row(s)" in rejected.stderr
        for file, row, field in expected:
            assert f"{file}: row {row}: {field}:" in rejected.stderr
        assert "added" not in rejected.stdout  # no summary table for a rejected batch
        assert snapshot(sessions) == before
    finally:
        app.services.engine.dispose()
