"""Example workers, courses and trainings for the policy tests, overridden per test."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from policy.profile import CourseFacts, TrainingRecord, WorkerProfile

# Decisions are taken on this day; default courses run 3–22 March 2025.
ON = date(2025, 1, 15)
HOUSEKEEPING = "4-10-01-06"  # 家政服务员
ELECTRICIAN = "6-31-01-03"  # 电工 (a special operation)


def worker(**changes: object) -> WorkerProfile:
    """A 35-year-old laid-off worker registered in Tinghu: eligible for the default course."""
    base = WorkerProfile(
        birth_date=date(1990, 5, 1),
        hukou_county="tinghu",
        employment_status="unemployed",
        priority_groups=frozenset({"laid_off_unemployed"}),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def course(**changes: object) -> CourseFacts:
    """Employment-skills housekeeping at 初级工 in Yandu, skill-level certificate, 1,200 CNY."""
    base = CourseFacts(
        id=1,
        occupation_code=HOUSEKEEPING,
        level=5,
        training_type="employment_skills",
        certificate_type="skill_level",
        county="yandu",
        start_date=date(2025, 3, 3),
        end_date=date(2025, 3, 22),
        subsidy_cny=1200.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def training(**changes: object) -> TrainingRecord:
    """A completed, subsidized housekeeping 初级工 training that ended in 2025."""
    base = TrainingRecord(
        occupation_code=HOUSEKEEPING,
        level=5,
        training_type="employment_skills",
        status="completed",
        subsidized=True,
        end_date=date(2025, 1, 10),
    )
    return replace(base, **changes)  # type: ignore[arg-type]
