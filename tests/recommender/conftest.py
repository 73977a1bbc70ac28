"""Fixtures of the recommender tests: a tiny hand-made catalog and population."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from policy.profile import Certificate, CourseFacts, WorkerProfile
from recommender.items import CourseItem, Interaction, TrainingData

TODAY = date(2027, 3, 1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than ~10 s (still run in CI)")


def make_course(cid: int, occupation: str = "4-10-01-06", category: str = "modern_services", level: int | None = 5,
                training_type: str = "employment_skills", county: str = "tinghu", institution: str = "YC-INST-001",
                rating: str = "AA", shortage: int | None = None, seats_left: int = 10,
                deadline: date = TODAY + timedelta(days=20), start: date = TODAY + timedelta(days=30),
                targets: frozenset[str] = frozenset(), mode: str = "offline",
                lat: float = 33.39, lon: float = 120.14) -> CourseItem:
    facts = CourseFacts(id=cid, occupation_code=occupation, level=level, training_type=training_type,
                        certificate_type="skill_level", county=county, start_date=start,
                        end_date=start + timedelta(days=20), subsidy_cny=1000.0, delivery_mode=mode,
                        target_groups=targets)
    return CourseItem(facts=facts, institution_code=institution, institution_credit_rating=rating,
                      occupation_category=category, shortage_level=shortage, lat=lat, lon=lon,
                      seats_left=seats_left, enrol_deadline=deadline, title_zh=f"课程{cid}",
                      title_en=f"Course {cid}", institution_name_zh="机构")


@pytest.fixture
def tiny_data() -> TrainingData:
    """Two tastes: farmers take agriculture, employees take manufacturing upgrades."""
    courses = {
        1: make_course(1, "5-01-02-01", "agriculture", institution="I1"),
        2: make_course(2, "5-04-01-01", "agriculture", institution="I2"),
        3: make_course(3, "6-31-01-03", "advanced_manufacturing", 4, "skill_upgrade", institution="I3"),
        4: make_course(4, "6-18-02-04", "advanced_manufacturing", 4, "skill_upgrade", institution="I3"),
        5: make_course(5, "4-10-01-06", "modern_services", institution="I4"),
        6: make_course(6, "4-01-02-02", "digital", institution="I4"),
    }
    workers: dict[int, WorkerProfile] = {}
    events: list[Interaction] = []
    t0 = datetime(2026, 6, 1, 9)
    for w in range(1, 21):
        farmer = w % 2 == 0
        workers[w] = WorkerProfile(
            birth_date=date(1980 + w % 10, 1, 1), hukou_county="funing" if farmer else "tinghu",
            residence_county="funing" if farmer else "tinghu", jobseeking_county="tinghu",
            employment_status="farmer" if farmer else "employed",
            priority_groups=frozenset({"professional_farmer"} if farmer else {"enterprise_employee"}),
            rural=farmer, education="junior_high", gender="female" if w % 3 else "male",
            current_occupation_code=None if farmer else "6-31-01-03",
            certificates=() if farmer else (Certificate("6-31-01-03", 5, "skill_level"),),
        )
        liked = (1, 2) if farmer else (3, 4)
        for j, c in enumerate(liked):
            events.append(Interaction(w, c, "view", t0 + timedelta(days=w, hours=j)))
            events.append(Interaction(w, c, "enrol", t0 + timedelta(days=w, hours=j, minutes=5)))
        if w % 5 == 0:
            events.append(Interaction(w, 5, "view", t0 + timedelta(days=w, hours=3)))
    return TrainingData(workers, courses, events, {w: "JC-tinghu" for w in workers})


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def course_factory() -> object:
    """The :func:`make_course` builder (test modules cannot import conftest as a package)."""
    return make_course
