"""The report command over a database with the demo training history: files that open, the same
figures when a past quarter is recomputed after the archive grew, and outcomes that vary by
institution the way the hidden outcome model says."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from sqlalchemy import insert, select

from catalog.tables import Course, JobCenter
from storage.engine import make_engine
from storage.session import make_session_factory, writing
from training_jobs.outcome_history import history_present, write_history
from training_jobs.report import main
from workers.tables import TrainingRecord, Worker

GROUPS = ["enterprise_employee", "professional_farmer", "entrepreneur", "high_risk_worker", "rural_migrant",
          "veteran", "community_correction", "disabled", "two_after_youth", "dibao"]


@pytest.fixture(scope="module")
def demo_db(catalog_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report") / "demo.sqlite3"
    shutil.copyfile(catalog_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    rng = np.random.default_rng(1)
    with writing(make_session_factory(engine)) as s:
        centers = list(s.scalars(select(JobCenter.id).order_by(JobCenter.id)))
        s.execute(insert(Worker), [{
            "job_center_id": centers[i % len(centers)], "external_ref": f"demo-{i}", "residence_county": "tinghu",
            "priority_groups": sorted({GROUPS[int(rng.integers(len(GROUPS)))], GROUPS[int(rng.integers(len(GROUPS)))]}),
        } for i in range(1500)])
        added = write_history(s, date(2026, 11, 29), seed=3)
        assert added["classes"] > 100 and added["records"] > 3000
        assert history_present(s)
    engine.dispose()
    return url


def test_report_files_open_and_a_past_quarter_is_reproducible(demo_db: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quarter", "2026Q2", "--out", str(tmp_path), "--database-url", demo_db]) == 0
    folder = tmp_path / "2026Q2"
    filed = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert {p.name for p in folder.iterdir()} >= {"report.json", "report.xlsx", "progress.csv", "courses.csv",
                                                 "progress.png", "progress.svg", "funnel.png", "counties.svg"}
    wb = openpyxl.load_workbook(folder / "report.xlsx")
    rows = list(wb["progress"].iter_rows(values_only=True))
    assert rows[1][0] == "all" and rows[1][rows[0].index("plan_completed")] == filed["progress"][0]["plan_completed"]
    assert filed["progress"][0]["plan_completed"] > 1000
    # Later: new trainings in the following quarters, and one still running then finishes.
    engine = make_engine(demo_db)
    with writing(make_session_factory(engine)) as s:
        course = s.scalars(select(Course).order_by(Course.id)).first()
        assert course is not None
        worker = s.scalars(select(Worker.id)).first()
        s.execute(insert(TrainingRecord), [{
            "worker_id": worker, "course_id": course.id, "occupation_code": course.occupation_code, "level": None,
            "training_type": course.training_type, "status": "completed", "enrolled_on": date(2026, 7, 1 + i),
            "end_date": date(2026, 9, 1), "completed_on": date(2026, 9, 1), "certificate_type": "skill_level",
            "subsidized": True, "subsidy_cny": 800} for i in range(20)])
    engine.dispose()
    capsys.readouterr()
    assert main(["--quarter", "2026Q2", "--check", str(folder / "report.json"), "--database-url", demo_db]) == 0
    assert "same figures" in capsys.readouterr().out
    # The quarter that did change is reported as different.
    assert main(["--quarter", "2026Q3", "--out", str(tmp_path), "--database-url", demo_db]) == 0
    q3 = tmp_path / "2026Q3" / "report.json"
    engine = make_engine(demo_db)
    with writing(make_session_factory(engine)) as s:
        s.execute(insert(TrainingRecord), [{
            "worker_id": worker, "course_id": course.id, "occupation_code": course.occupation_code, "level": None,
            "training_type": course.training_type, "status": "enrolled", "enrolled_on": date(2026, 8, 1)}])
    engine.dispose()
    assert main(["--quarter", "2026Q3", "--check", str(q3), "--database-url", demo_db]) == 1


def test_demo_outcomes_vary_by_institution_with_its_rating(demo_db: str, tmp_path: Path) -> None:
    assert main(["--quarter", "2026Q4", "--out", str(tmp_path), "--database-url", demo_db, "--no-charts"]) == 0
    report = json.loads((tmp_path / "2026Q4" / "report.json").read_text(encoding="utf-8"))
    rated: dict[str, list[float]] = {}
    for r in report["institutions"]:
        if r["certificate_rate"] is not None and r["finished"] >= 30:
            rated.setdefault("good" if r["credit_rating"] in ("AAA", "AA") else "poor" if r["credit_rating"] in
                             ("B", "C") else "mid", []).append(r["certificate_rate"])
    assert np.mean(rated["good"]) > np.mean(rated["poor"]) + 0.05
    rates = [r["certificate_rate"] for r in report["courses"] if r["certificate_rate"] is not None]
    assert max(rates) - min(rates) > 0.3  # courses differ, not one rate for all


def test_unknown_plan_or_center_exits_2(demo_db: str, tmp_path: Path) -> None:
    assert main(["--quarter", "2030Q1", "--out", str(tmp_path), "--database-url", demo_db]) == 2
    assert main(["--quarter", "2026Q3", "--center", "JC-NOPE", "--out", str(tmp_path), "--database-url", demo_db]) == 2


def test_demo_history_obeys_the_rules_it_is_generated_under(demo_db: str) -> None:
    """Issue 12: every trainee of the demo history may take the class (R1–R12 with their archive
    before it; R3/R4 are kept as the history is written), a reserved class (专班) only its group."""
    from dataclasses import replace

    from policy import CourseTable, decide_many
    from serving.snapshot import build_snapshot
    from workers.profiles import to_profile

    engine = make_engine(demo_db)
    with make_session_factory(engine)() as s:
        snap = build_snapshot(s, date(2026, 11, 29))
        taken: dict[int, list[int]] = {}
        for wid, cid in s.execute(select(TrainingRecord.worker_id, TrainingRecord.course_id)):
            taken.setdefault(wid, []).append(cid)
        reserved = 0
        for worker in s.scalars(select(Worker).where(Worker.id.in_(list(taken)))):
            profile = replace(to_profile(worker), trainings=())
            facts = [snap.items[snap.row_of[c]].facts for c in taken[worker.id]]
            bulk = decide_many(profile, CourseTable.from_courses(facts), date(2026, 11, 29))
            assert bool(np.all(bulk.eligible)), (worker.id, taken[worker.id])
            reserved += sum(bool(f.reserved_for) for f in facts)
    engine.dispose()
    assert reserved > 0  # reserved classes (past ones too) were filled, and only from their groups
