"""/v1/stats: the quarterly report over the API, its exports read back with standard readers,
charts, scoping by role, suppression, and problem+json for bad input."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.tables import Course, JobCenter
from storage.session import writing
from tests.api.conftest import Keys
from workers.tables import TrainingRecord, Worker

Q = "2026Q3"


def _archive(app: Flask) -> None:
    """Tinghu: 12 enterprise employees and 2 in community correction; Dafeng: 5 veterans."""
    with writing(app.services.sessions) as s:
        centers = {code: cid for code, cid in s.execute(select(JobCenter.code, JobCenter.id))}
        course = s.scalars(select(Course).where(Course.training_type == "skill_upgrade").order_by(Course.id)).first()
        assert course is not None
        plan = [("JC-TINGHU", ["enterprise_employee"], 12), ("JC-TINGHU", ["community_correction"], 2),
                ("JC-DAFENG", ["veteran"], 5)]
        for center, groups, n in plan:
            for _ in range(n):
                w = Worker(job_center_id=centers[center], residence_county="tinghu", priority_groups=groups)
                s.add(w)
                s.flush()
                s.add(TrainingRecord(
                    worker_id=w.id, course_id=course.id, occupation_code=course.occupation_code, level=course.level,
                    training_type="employment_skills" if groups != ["enterprise_employee"] else "skill_upgrade",
                    status="completed", enrolled_on=date(2026, 7, 6), end_date=date(2026, 8, 20),
                    completed_on=date(2026, 8, 20), certificate_type=course.certificate_type, subsidized=True,
                    subsidy_cny=course.subsidy_cny))


def _progress(body: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["program"]: r for r in body["progress"]}


def test_admin_report_counts_the_archive_and_suppresses_small_sensitive_cells(app: Flask, client: FlaskClient,
                                                                              keys: Keys) -> None:
    _archive(app)
    r = client.get(f"/v1/stats/quarterly?quarter={Q}", headers=keys.as_admin)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["scope"] == "city" and body["plan"] == "demo-2025-2027" and len(body["digest"]) == 64
    progress = _progress(body)
    assert progress["all"]["quarter_completed"] == 19
    assert progress["enterprise_employee"]["quarter_completed"] == 12
    assert progress["veteran"]["quarter_completed"] == 5  # veterans: not a sensitive group
    assert progress["community_correction"]["quarter_completed"] is None  # 2 people: suppressed
    assert progress["community_correction"]["suppressed"]
    groups = {(g["program"], g["priority_group"]): g for g in body["by_group"]}
    assert groups[("all", "community_correction")]["completed"] is None
    # Outcomes with n and an interval, and the credit rating beside them.
    (inst,) = body["institutions"]
    assert inst["finished"] == 19 and inst["certificate_rate"] == 1.0
    assert inst["certificate_rate_low"] < 1.0 and inst["credit_rating"]
    assert "worker_id" not in r.get_data(as_text=True)


def test_counselor_sees_only_their_center(app: Flask, client: FlaskClient, keys: Keys) -> None:
    _archive(app)
    body = client.get(f"/v1/stats/quarterly?quarter={Q}", headers=keys.as_dafeng).get_json()
    assert body["scope"] == "JC-DAFENG"
    assert _progress(body)["all"]["quarter_completed"] == 5
    r = client.get(f"/v1/stats/quarterly?quarter={Q}&center=JC-TINGHU", headers=keys.as_dafeng)
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert client.get(f"/v1/stats/quarterly?quarter={Q}", headers=keys.as_app).status_code == 403
    admin = client.get(f"/v1/stats/quarterly?quarter={Q}&center=JC-TINGHU", headers=keys.as_admin).get_json()
    assert _progress(admin)["all"]["quarter_completed"] == 14


def test_xlsx_and_csv_exports_read_back_with_standard_readers(app: Flask, client: FlaskClient, keys: Keys) -> None:
    _archive(app)
    body = client.get(f"/v1/stats/quarterly?quarter={Q}", headers=keys.as_admin).get_json()
    r = client.get(f"/v1/stats/quarterly/export?quarter={Q}&format=xlsx", headers=keys.as_admin)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "report-2026Q3.xlsx" in r.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["about", "progress", "by_county", "by_group", "by_quarter", "by_year", "institutions",
                             "courses"]
    rows = list(wb["progress"].iter_rows(values_only=True))
    header = list(rows[0])
    sheet = {row[header.index("program")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    for program, expected in _progress(body).items():
        assert sheet[program]["quarter_completed"] == expected["quarter_completed"]
        assert sheet[program]["target"] == expected["target"]
    assert sheet["all"]["name_zh"] == "补贴性职业技能培训（全部）"
    r = client.get(f"/v1/stats/quarterly/export?quarter={Q}&format=csv&table=by_group", headers=keys.as_admin)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    by = {(t["program"], t["priority_group"]): t for t in table}
    assert by[("all", "enterprise_employee")]["completed"] == "12"
    assert by[("all", "community_correction")]["completed"] == ""  # suppressed: empty, not 2


def test_charts_are_png_and_svg(app: Flask, client: FlaskClient, keys: Keys) -> None:
    _archive(app)
    png = client.get(f"/v1/stats/quarterly/charts/progress?quarter={Q}", headers=keys.as_admin)
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    svg = client.get(f"/v1/stats/quarterly/charts/funnel?quarter={Q}&format=svg", headers=keys.as_admin)
    assert svg.status_code == 200 and b"<svg" in svg.data


def test_bad_input_is_problem_json_naming_the_field(client: FlaskClient, keys: Keys) -> None:
    for query, field in (("quarter=2026Q5", "quarter"), ("quarter=2030Q1", "quarter"),
                         ("quarter=2026Q3&plan=nope", "plan"), ("quarter=2026Q3&center=JC-NOPE", "center"),
                         ("quarter=2026Q3&colour=red", "colour")):
        r = client.get(f"/v1/stats/quarterly?{query}", headers=keys.as_admin)
        assert r.status_code == 422, (query, r.get_json())
        assert r.mimetype == "application/problem+json"
        assert field in {e["field"] for e in r.get_json()["errors"]}, query
