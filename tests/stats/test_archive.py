"""Reading the archive out of the database (SQLite and PostgreSQL): de-identified rows, scoped
to a job center, and as recorded before a day."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime

from sqlalchemy import select

from catalog.tables import County, Course, Institution, JobCenter, Occupation
from stats.archive import TrainingFact, load_archive
from storage.engine import make_engine
from storage.session import make_session_factory, writing
from workers.tables import TrainingRecord, Worker


def _seed(url: str) -> None:
    engine = make_engine(url)
    with writing(make_session_factory(engine)) as s:
        s.add(County(code="tinghu", name_zh="亭湖区", name_en="Tinghu", lat=33.39, lon=120.14))
        s.add(County(code="dafeng", name_zh="大丰区", name_en="Dafeng", lat=33.2, lon=120.47))
        s.add_all([JobCenter(code="JC-A", name_zh="A", name_en="A", counties=["tinghu"]),
                   JobCenter(code="JC-B", name_zh="B", name_en="B", counties=["dafeng"])])
        s.add(Occupation(code="4-10-01-06", name_zh="家政服务员", name_en="Housekeeper", category="modern_services",
                         levels=[5, 4]))
        s.flush()
        inst = Institution(code="I-1", name_zh="机构", name_en="Inst", type="hr_agency", county="dafeng",
                           address="x", lat=33.2, lon=120.4, credit_rating="AA")
        s.add(inst)
        s.flush()
        course = Course(code="C-1", title_zh="家政", institution_id=inst.id, occupation_code="4-10-01-06", level=5,
                        training_type="employment_skills", certificate_type="skill_level", hours=60,
                        start_date=date(2026, 7, 1), end_date=date(2026, 7, 20), enrol_deadline=date(2026, 6, 25),
                        seats=30, county="dafeng", address="x", lat=33.2, lon=120.4, delivery_mode="offline",
                        subsidy_cny=900, target_groups=["dibao", "rural_migrant"])
        s.add(course)
        s.flush()
        centers = {code: cid for code, cid in s.execute(select(JobCenter.code, JobCenter.id))}
        for i, (center, groups) in enumerate((("JC-A", ["dibao"]), ("JC-B", ["veteran", "rural_migrant"]))):
            w = Worker(job_center_id=centers[center], name=f"Name {i}", phone="13800000000",
                       residence_county="tinghu", priority_groups=groups, lat=33.39, lon=120.14)
            s.add(w)
            s.flush()
            s.add(TrainingRecord(worker_id=w.id, course_id=course.id, occupation_code="4-10-01-06", level=5,
                                 training_type="employment_skills", status="completed",
                                 enrolled_on=date(2026, 6, 20), end_date=date(2026, 7, 20),
                                 completed_on=date(2026, 7, 20), certificate_type="skill_level",
                                 subsidized=True, subsidy_cny=900,
                                 created_at=datetime(2026, 7, 21, tzinfo=UTC)))
            # A training outside the catalog, recorded later.
            s.add(TrainingRecord(worker_id=w.id, occupation_code="6-31-01-03", level=4, training_type="skill_upgrade",
                                 status="dropped", enrolled_on=date(2026, 8, 1), subsidized=False,
                                 created_at=datetime(2026, 10, 2, tzinfo=UTC)))
    engine.dispose()


def test_archive_rows_carry_no_identity_and_scope_by_center_and_recording_day(database_url: str) -> None:
    _seed(database_url)
    engine = make_engine(database_url)
    with make_session_factory(engine)() as s:
        facts = load_archive(s)
        assert len(facts) == 4
        in_course = [f for f in facts if f.course_id is not None]
        assert {f.county for f in in_course} == {"dafeng"}  # where the training took place
        assert {f.county for f in facts if f.course_id is None} == {"tinghu"}  # else where the worker lives
        assert all(f.certified and f.institution_code == "I-1" for f in in_course)
        assert in_course[0].course_targets == {"dibao", "rural_migrant"}
        assert in_course[0].occupation_category == "modern_services"
        names = {f.name for f in fields(TrainingFact)}
        assert not names & {"worker_id", "name", "phone", "national_id_hash", "birth_date", "lat", "lon"}
        center_a = s.scalar(select(JobCenter.id).where(JobCenter.code == "JC-A"))
        assert center_a is not None
        only_a = load_archive(s, [center_a])
        assert {f.job_center for f in only_a} == {"JC-A"} and len(only_a) == 2
        assert len(load_archive(s, recorded_before=date(2026, 10, 1))) == 2
    engine.dispose()
