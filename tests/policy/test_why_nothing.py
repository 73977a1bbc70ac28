"""The pure "why nothing?" function: counts per rule and availability fact, nearest misses."""

from __future__ import annotations

from datetime import date

from policy.availability import AvailabilityArrays, availability
from policy.profile import CourseFacts, WorkerProfile
from policy.table import CourseTable
from policy.why_nothing import why_nothing

ON = date(2026, 11, 29)


def course(i: int, **kw: object) -> CourseFacts:
    base: dict[str, object] = dict(id=i, occupation_code="4-10-01-06", level=4, training_type="employment_skills",
                                   certificate_type="skill_level", county="tinghu", start_date=date(2026, 12, 10),
                                   end_date=date(2027, 1, 20), subsidy_cny=1200.0)
    base.update(kw)
    return CourseFacts(**base)  # type: ignore[arg-type]


def run(profile: WorkerProfile, courses: list[CourseFacts], seats: list[int], deadlines: list[date]):  # type: ignore[no-untyped-def]
    avail = AvailabilityArrays.of(seats, [d.toordinal() for d in deadlines], [c.end_date.toordinal() for c in courses], ON)
    return why_nothing(profile, courses, CourseTable.from_courses(courses), avail, ON)


WORKER = WorkerProfile(birth_date=date(1990, 1, 9), residence_county="tinghu", employment_status="unemployed",
                       priority_groups=frozenset({"laid_off_unemployed"}))


def test_r5_pension_excludes_everything_and_every_course_is_a_near_miss() -> None:
    courses = [course(1), course(2, start_date=date(2026, 12, 1))]
    result = run(WorkerProfile(**{**WORKER.__dict__, "draws_pension": True}), courses, [5, 5], [ON, ON])
    assert result.eligible == 0 and [(e.code, e.courses, e.alone) for e in result.rules] == [("R5_PENSION", 2, 2)]
    assert [m.course_id for m in result.nearest_misses] == [2, 1]  # soonest start first
    assert "养老金" in result.summary_zh and "R5" not in result.summary_zh


def test_availability_counts_only_courses_the_rules_allow() -> None:
    courses = [course(1), course(2), course(3, end_date=date(2026, 10, 1), start_date=date(2026, 9, 1)),
               course(4, training_type="skill_upgrade")]  # R9: not for the unemployed
    result = run(WORKER, courses, [0, 3, 3, 0], [ON, date(2026, 11, 1), date(2026, 8, 25), ON])
    assert (result.total_courses, result.eligible, result.eligible_and_open) == (4, 3, 0)
    by_code = {e.code: (e.courses, e.alone) for e in result.availability}
    assert by_code == {"COURSE_ENDED": (1, 0), "ENROL_DEADLINE_PASSED": (2, 1), "COURSE_FULL": (1, 1)}
    assert [e.code for e in result.rules] == ["R9_TRAINING_TYPE_AUDIENCE"]
    misses = {m.course_id: m.code for m in result.nearest_misses}
    assert misses == {1: "COURSE_FULL", 2: "ENROL_DEADLINE_PASSED"}  # the ended one is no near miss


def test_a_full_course_points_to_the_next_open_class() -> None:
    courses = [course(1), course(2, start_date=date(2027, 2, 1), end_date=date(2027, 3, 1))]
    result = run(WORKER, courses, [0, 4], [ON, date(2027, 1, 25)])
    [miss] = result.nearest_misses
    assert miss.course_id == 1 and "2027-02-01" in miss.hint_zh and "2027-02-01" in miss.hint_en


def test_availability_of_one_course() -> None:
    a = availability(0, date(2026, 11, 28), date(2027, 1, 1), ON)
    assert (a.full, a.deadline_passed, a.ended, a.open) == (True, True, False, False)
    assert a.codes == ("ENROL_DEADLINE_PASSED", "COURSE_FULL")
    assert availability(3, ON, ON, ON).open  # the deadline day and the last day still count
