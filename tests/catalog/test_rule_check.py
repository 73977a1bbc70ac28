"""The catalog import checks every course against the rules (issue 11): a class its own reserved
groups cannot take is a rejected row with a clear message, and the shipped sample passes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog.import_schemas import CourseRow
from catalog.importing import ImportRejected, course_facts
from catalog.tables import Course
from policy.catalog_check import reserved_group_refusals
from tests.catalog.test_import import copy_catalog, counts, read_csv, run_import, write_csv
from tests.conftest import SAMPLE_CATALOG


def sample_courses() -> list[dict[str, str]]:
    with open(SAMPLE_CATALOG / "courses.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_sample_catalog_has_no_course_its_reserved_groups_cannot_take() -> None:
    schema = CourseRow()
    rows = [schema.load({k: v for k, v in r.items() if v != ""}) for r in sample_courses()]
    reserved = [r for r in rows if r["reserved_for"]]
    assert len(reserved) >= 20  # the check is not vacuous: the sample has 专场 classes
    assert {g for r in reserved for g in r["reserved_for"]} >= {"disabled", "veteran", "returning_migrant"}
    refused = {r["code"]: reserved_group_refusals(course_facts(r)) for r in rows}
    assert {code: found for code, found in refused.items() if found} == {}
    # Aimed-at groups are coherent too: nobody is advertised a course the rules then refuse.
    aimed = [reserved_group_refusals(course_facts({**r, "reserved_for": r["target_groups"]})) for r in rows]
    assert sum(len(a) for a in aimed) == 0


def test_import_rejects_a_class_its_reserved_group_cannot_take(sessions: sessionmaker[Session],
                                                                tmp_path: Path) -> None:
    bad = copy_catalog(tmp_path)
    path = bad / "courses.csv"
    rows = read_csv(path)
    # A skill-upgrade course (enterprise employees) published as a veterans' class.
    i = next(i for i, r in enumerate(rows) if r["training_type"] == "skill_upgrade")
    rows[i]["reserved_for"] = "veteran"
    rows[i]["target_groups"] = "veteran"
    write_csv(path, rows)
    before = counts(sessions)

    with pytest.raises(ImportRejected) as info:
        run_import(sessions, bad)

    [error] = info.value.errors
    assert (error.file, error.row, error.field) == (str(path), i + 2, "reserved_for")
    assert error.message == (
        "reserved for veteran, but the rules refuse a member of that group: "
        "R9_TRAINING_TYPE_AUDIENCE (The worker is not in the audience of skill_upgrade training)"
    )
    assert counts(sessions) == before  # nothing of the batch was applied


def test_import_accepts_classes_the_rules_let_their_groups_take(sessions: sessionmaker[Session],
                                                                 tmp_path: Path) -> None:
    good = copy_catalog(tmp_path)
    path = good / "courses.csv"
    rows = read_csv(path)
    # A special-operation initial course reserved for laid-off job seekers (五(四): 准入类职业工种
    # 上岗前必须参加技能培训及鉴定), and a refresher reserved for high-risk staff.
    initial = next(i for i, r in enumerate(rows) if r["stage"] == "initial")
    refresher = next(i for i, r in enumerate(rows) if r["stage"] == "refresher")
    rows[initial]["reserved_for"] = "laid_off_unemployed"
    rows[initial]["target_groups"] = "laid_off_unemployed"
    rows[refresher]["reserved_for"] = "high_risk_worker"
    rows[refresher]["target_groups"] = "high_risk_worker"
    write_csv(path, rows)
    run_import(sessions, good)
    with sessions() as session:
        course = session.scalar(select(Course).where(Course.code == rows[initial]["code"]))
        assert course is not None and course.reserved_for == ["laid_off_unemployed"]
        assert course.stage == "initial"


def test_reserved_group_must_be_aimed_at_and_stage_must_fit(sessions: sessionmaker[Session],
                                                             tmp_path: Path) -> None:
    bad = copy_catalog(tmp_path)
    path = bad / "courses.csv"
    rows = read_csv(path)
    i = next(i for i, r in enumerate(rows) if r["training_type"] == "employment_skills")
    j = next(j for j, r in enumerate(rows) if r["training_type"] == "employment_skills" and j != i)
    rows[i]["reserved_for"] = "veteran"
    rows[i]["target_groups"] = ""
    rows[j]["stage"] = "SYB"
    write_csv(path, rows)
    with pytest.raises(ImportRejected) as info:
        run_import(sessions, bad)
    named = {(e.row, e.field): e.message for e in info.value.errors}
    assert "target_groups too" in named[(i + 2, "reserved_for")]
    assert "entrepreneurship" in named[(j + 2, "stage")]
