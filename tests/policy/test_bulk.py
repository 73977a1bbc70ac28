"""decide_many over a CourseTable must agree with decide, course by course, on every field."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    COURSE_STAGES,
    EMPLOYMENT_STATUSES,
    PRIORITY_GROUPS,
    TRAINING_TYPES,
)
from policy import CourseTable, PolicySettings, codes_of_mask, decide, decide_many
from policy.profile import Certificate, CourseFacts, FamilyMember, TrainingRecord, WorkerProfile
from tests.policy.policy_examples import ON, course, worker

# Few occupations and counties so that histories, certificates and courses collide often.
OCCUPATIONS = ("4-10-01-06", "6-31-01-03", "4-01-02-01")
COUNTY_CHOICES = ("tinghu", "dongtai", "yannan", "other", "nanjing")
GROUPS = tuple(PRIORITY_GROUPS)
LEVELS = st.one_of(st.none(), st.integers(1, 5))
DAYS = st.dates(min_value=date(2023, 6, 1), max_value=date(2026, 12, 31))
STAGES = st.one_of(st.none(), st.sampled_from(tuple(COURSE_STAGES)))


@st.composite
def certificates(draw: st.DrawFn) -> Certificate:
    issued = draw(st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2025, 6, 1))))
    return Certificate(
        occupation_code=draw(st.sampled_from(OCCUPATIONS)),
        level=draw(LEVELS),
        certificate_type=draw(st.sampled_from(tuple(CERTIFICATE_TYPES))),
        issued_on=issued,
        valid_until=draw(st.one_of(st.none(), DAYS)),
    )


@st.composite
def trainings(draw: st.DrawFn) -> TrainingRecord:
    return TrainingRecord(
        occupation_code=draw(st.sampled_from(OCCUPATIONS)),
        level=draw(LEVELS),
        training_type=draw(st.sampled_from(tuple(TRAINING_TYPES))),
        status=draw(st.sampled_from(("enrolled", "completed", "dropped"))),
        subsidized=draw(st.booleans()),
        end_date=draw(st.one_of(st.none(), DAYS)),
        stage=draw(STAGES),
        certificate_type=draw(st.one_of(st.none(), st.sampled_from(tuple(CERTIFICATE_TYPES)))),
        certificate_level=draw(LEVELS),
        completed_on=draw(st.one_of(st.none(), DAYS)),
    )


@st.composite
def family_members(draw: st.DrawFn) -> FamilyMember:
    return FamilyMember(
        relation=draw(st.sampled_from(("spouse", "parent", "child", "sibling"))),
        priority_groups=draw(st.frozensets(st.sampled_from(GROUPS), max_size=3)),
        disability_grade=draw(st.one_of(st.none(), st.integers(1, 4))),
    )


@st.composite
def profiles(draw: st.DrawFn) -> WorkerProfile:
    place = st.one_of(st.none(), st.sampled_from(COUNTY_CHOICES))
    return WorkerProfile(
        birth_date=draw(st.one_of(st.none(), st.dates(date(1955, 1, 1), date(2011, 12, 31)))),
        hukou_county=draw(place),
        residence_county=draw(place),
        jobseeking_county=draw(place),
        draws_pension=draw(st.booleans()),
        employment_status=draw(st.one_of(st.none(), st.sampled_from(tuple(EMPLOYMENT_STATUSES)))),
        priority_groups=draw(st.frozensets(st.sampled_from(GROUPS), max_size=4)),
        disability_grade=draw(st.one_of(st.none(), st.integers(1, 4))),
        rural=draw(st.one_of(st.none(), st.booleans())),
        current_occupation_code=draw(st.one_of(st.none(), st.sampled_from(OCCUPATIONS))),
        certificates=tuple(draw(st.lists(certificates(), max_size=3))),
        family=tuple(draw(st.lists(family_members(), max_size=2))),
        trainings=tuple(draw(st.lists(trainings(), max_size=6))),
    )


@st.composite
def courses(draw: st.DrawFn) -> CourseFacts:
    start = draw(DAYS)
    return CourseFacts(
        id=draw(st.integers(1, 10**6)),
        occupation_code=draw(st.sampled_from((*OCCUPATIONS, "9-99-99-99"))),
        level=draw(LEVELS),
        training_type=draw(st.sampled_from((*tuple(TRAINING_TYPES), "competition"))),
        certificate_type=draw(st.sampled_from((*tuple(CERTIFICATE_TYPES), "none"))),
        county=draw(st.sampled_from(COUNTY_CHOICES)),
        start_date=start,
        end_date=start + timedelta(days=draw(st.integers(0, 120))),
        subsidy_cny=draw(st.floats(0, 5000, allow_nan=False).map(lambda x: round(x, 2))),
        target_groups=draw(st.frozensets(st.sampled_from(GROUPS), max_size=2)),
        reserved_for=draw(st.frozensets(st.sampled_from(GROUPS), max_size=2)),
        stage=draw(STAGES),
        free_for_key_groups=draw(st.booleans()),
        occupation_access_restricted=draw(st.booleans()),
        occupation_special_operation=draw(st.booleans()),
        on_county_subsidized_list=draw(st.one_of(st.none(), st.booleans())),
        project_based=draw(st.booleans()),
    )


dated_changes = st.lists(
    st.tuples(DAYS, st.fixed_dictionaries({}, optional={
        "annual_limit": st.integers(0, 4), "living_allowance_cny": st.floats(0, 100),
        "lower_level_rule": st.booleans(), "place_scope": st.sampled_from(("city", "county"))})),
    max_size=3, unique_by=lambda change: change[0],
).map(lambda changes: tuple(sorted(changes, key=lambda change: change[0])))

policy_settings = st.builds(
    PolicySettings,
    place_scope=st.sampled_from(("city", "county")),
    lower_level_rule=st.booleans(),
    annual_limit=st.integers(0, 4),
    living_allowance_basis=st.sampled_from(("per_day", "per_course")),
    missing_place=st.sampled_from(("unknown", "outside")),
    refresher_exempt_from_repeat=st.booleans(),
    dated_changes=dated_changes,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    profile=profiles(),
    course_list=st.lists(courses(), min_size=1, max_size=12),
    on=DAYS,
    policy=policy_settings,
)
def test_decide_many_row_equals_decide(
    profile: WorkerProfile, course_list: list[CourseFacts], on: date, policy: PolicySettings
) -> None:
    table = CourseTable.from_courses(course_list)
    bulk = decide_many(profile, table, on, policy)
    for i, one in enumerate(course_list):
        single = decide(profile, one, on, policy)
        assert bool(bulk.eligible[i]) == single.eligible
        assert bulk.failed_codes(i) == single.failed_codes
        assert float(bulk.subsidy_cny[i]) == single.subsidy_cny
        assert int(bulk.subsidies_left[i]) == single.subsidies_left_this_year
        assert bool(bulk.living_allowance[i]) == single.living_allowance
        assert float(bulk.living_allowance_cny[i]) == single.living_allowance_cny
        assert bool(bulk.free_training[i]) == single.free_training
        assert bool(bulk.safety_first[i]) == single.safety_first
        assert float(bulk.advance_payment_cny[i]) == single.advance_payment_cny
        assert bulk.effective_groups == single.effective_groups
        assert int(bulk.course_ids[i]) == single.course_id
        # Eligibility and the packed failures are two views of one fact.
        assert single.eligible == (bulk.failed[i] == 0)
        assert single.subsidy_cny == (one.subsidy_cny if single.eligible else 0.0)


def test_decide_many_finds_each_course_its_own_reasons() -> None:
    # Row order is kept and each row carries only its own failures.
    rows = [
        course(id=10),
        course(id=11, county="nanjing"),
        course(id=12, training_type="work_as_training", certificate_type="none"),
        course(id=13, project_based=True),
    ]
    bulk = decide_many(worker(), CourseTable.from_courses(rows), ON)
    assert bulk.eligible.tolist() == [True, False, False, True]
    assert [codes_of_mask(int(m)) for m in bulk.failed] == [
        (),
        ("R1_PLACE",),
        ("R2_CERTIFICATE", "R8_WORK_AS_TRAINING"),
        (),
    ]
    assert bulk.subsidy_cny.tolist() == [1200.0, 0.0, 0.0, 1200.0]
    assert bulk.advance_payment_cny.tolist() == [0.0, 0.0, 0.0, 600.0]
    assert bulk.course_ids.tolist() == [10, 11, 12, 13]


def test_empty_table() -> None:
    bulk = decide_many(worker(), CourseTable.from_courses([]), ON)
    assert bulk.eligible.shape == (0,) and bulk.failed.dtype == np.uint32


def test_course_table_rejects_unknown_target_groups() -> None:
    with pytest.raises(ValueError, match="astronaut"):
        CourseTable.from_courses([course(target_groups=frozenset({"astronaut"}))])


def test_course_table_rejects_impossible_levels() -> None:
    with pytest.raises(ValueError, match="level"):
        CourseTable.from_courses([course(level=6)])
