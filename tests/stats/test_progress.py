"""Counts against the plan: the tallies equal a direct count over a generated archive, and a
training counts in exactly the programs the mapping says."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from stats.archive import TrainingFact
from stats.periods import Quarter
from stats.programs import DEFAULT_MAPPING, PROGRAMS, ProgramMapping
from stats.progress import progress, tally
from stats.targets import DEFAULT_TARGETS, Target, TargetsRejected, load_targets
from tests.stats.archive_gen import random_archive

ARCHIVE = random_archive(3000, seed=11)


def _fact(**kw: object) -> TrainingFact:
    base: dict[str, object] = dict(
        job_center="JC-1", county="tinghu", worker_groups=frozenset(), training_type="employment_skills",
        occupation_code="4-10-01-06", level=5, status="completed", enrolled_on=date(2026, 8, 1),
        completed_on=date(2026, 8, 20), end_date=date(2026, 8, 20), certified=True, subsidized=True,
        subsidy_cny=900, course_id=1, course_targets=frozenset(), occupation_category="business",
        institution_code="I-1")
    base.update(kw)
    return TrainingFact(**base)  # type: ignore[arg-type]


def _programs(f: TrainingFact, mapping: ProgramMapping = DEFAULT_MAPPING) -> frozenset[str]:
    return mapping.programs_for(f.enrolled_on, f.training_type, f.worker_groups, f.course_targets,
                                f.occupation_category)


def test_counts_per_program_county_group_and_quarter_equal_a_direct_count() -> None:
    got = tally(ARCHIVE, DEFAULT_MAPPING, ("county", "group", "quarter"))
    expected: dict[tuple[str, ...], Counter[str]] = {}
    for f in ARCHIVE:
        if not f.subsidized:
            continue
        dates = {"enrolled": f.enrolled_on}
        if f.status == "completed":
            dates["completed"] = f.completed_on  # type: ignore[assignment]
            if f.certified:
                dates["certified"] = f.completed_on  # type: ignore[assignment]
        for program in _programs(f):
            for group in (f.worker_groups or {"none"}):
                for stage, day in dates.items():
                    q = f"{day.year}Q{(day.month - 1) // 3 + 1}"
                    expected.setdefault((program, f.county, group, q), Counter())[stage] += 1
    assert set(got) == set(expected)
    for key, counts in expected.items():
        assert got[key] == {s: counts.get(s, 0) for s in ("enrolled", "completed", "certified")}, key
    # Non-trivial: many cells, every program met.
    assert len(got) > 1000
    assert {k[0] for k in got} == set(PROGRAMS)


def test_total_per_quarter_is_the_number_of_subsidized_enrolments_that_quarter() -> None:
    got = tally(ARCHIVE, DEFAULT_MAPPING, ("quarter",))
    direct = Counter(str(Quarter.of(f.enrolled_on)) for f in ARCHIVE if f.subsidized)
    assert {k[1]: v["enrolled"] for k, v in got.items() if k[0] == "all" and v["enrolled"]} == dict(direct)


def test_self_paid_trainings_count_nowhere() -> None:
    assert tally([_fact(subsidized=False)], DEFAULT_MAPPING) == {}


@pytest.mark.parametrize(("fact", "programs"), [
    (dict(training_type="safety", worker_groups=frozenset({"enterprise_employee", "high_risk_worker"})),
     {"all", "enterprise_employee", "safety"}),
    (dict(training_type="safety", worker_groups=frozenset({"high_risk_worker"})), {"all", "safety"}),
    (dict(training_type="apprenticeship", worker_groups=frozenset({"enterprise_employee"})),
     {"all", "enterprise_employee", "apprenticeship"}),
    (dict(training_type="employment_skills", worker_groups=frozenset({"veteran"}),
          occupation_category="modern_services"), {"all", "veteran", "modern_services"}),
    # Skill upgrade is not what the plan counts for veterans (就业技能培训).
    (dict(training_type="skill_upgrade", worker_groups=frozenset({"veteran"})), {"all"}),
    (dict(training_type="entrepreneurship", worker_groups=frozenset({"returning_migrant"})),
     {"all", "entrepreneurship"}),
    (dict(training_type="employment_skills", course_targets=frozenset({"professional_farmer"})),
     {"all", "farmer"}),
    (dict(training_type="skill_upgrade", worker_groups=frozenset({"professional_farmer", "dibao"})),
     {"all", "farmer", "poverty"}),
    (dict(training_type="employment_skills", worker_groups=frozenset({"community_correction", "disabled"})),
     {"all", "community_correction", "disabled"}),
    (dict(training_type="employment_skills", worker_groups=frozenset({"two_after_youth"})),
     {"all", "youth_graduate"}),
    (dict(training_type="transfer", worker_groups=frozenset({"laid_off_unemployed"})), {"all"}),
])
def test_a_training_counts_in_exactly_the_programs_the_mapping_says(fact: dict[str, object],
                                                                    programs: set[str]) -> None:
    f = _fact(**fact)
    assert _programs(f) == programs
    # …and the tallies follow the mapping, not some other reading of it.
    assert {k[0] for k in tally([f], DEFAULT_MAPPING)} == programs


def test_the_mapping_is_dated_a_training_is_judged_by_the_version_in_force_when_it_started() -> None:
    mapping = ProgramMapping.from_mapping({"versions": [
        {"effective_from": "2019-01-01", "programs": {"safety": [{"training_types": ["safety"]}]}},
        {"effective_from": "2026-07-01", "programs": {"safety": [{"training_types": ["safety", "pre_job"]}]}},
    ]})
    before = _fact(training_type="pre_job", enrolled_on=date(2026, 6, 30))
    after = _fact(training_type="pre_job", enrolled_on=date(2026, 7, 1))
    assert _programs(before, mapping) == {"all"}
    assert _programs(after, mapping) == {"all", "safety"}
    assert ProgramMapping.from_mapping(mapping.to_mapping()) == mapping


def test_a_bad_mapping_setting_reports_every_mistake() -> None:
    with pytest.raises(ValueError) as exc:
        ProgramMapping.from_mapping({"versions": [
            {"effective_from": "2019-01-01", "programs": {
                "safety": [{"training_types": ["flying"], "colour": ["red"]}],
                "nonsense": [{}]}}]})
    message = str(exc.value)
    for part in ("'flying'", "colour", "nonsense"):
        assert part in message


def test_progress_share_and_pace_needed() -> None:
    facts = [_fact(enrolled_on=date(2025, 2, 1), completed_on=date(2025, 3, 1)) for _ in range(30)]
    facts += [_fact(enrolled_on=date(2026, 7, 1), completed_on=date(2026, 8, 1), certified=False) for _ in range(10)]
    target = Target("p", date(2025, 1, 1), date(2027, 12, 31), "all", 200, "person_times", "")
    (row,) = progress(facts, [target], DEFAULT_MAPPING, Quarter.parse("2026Q3"))
    assert row.quarter == {"enrolled": 10, "completed": 10, "certified": 0}
    assert row.year_to_date["completed"] == 10
    assert row.plan_to_date == {"enrolled": 40, "completed": 40, "certified": 30}
    assert row.share_of_target == 0.2
    assert row.quarters_left == 5  # 2026Q4 … 2027Q4
    assert row.pace_needed_per_quarter == 32.0  # (200 - 40) / 5
    assert not row.on_track  # 7 of 12 quarters gone, a fifth done


def test_shipped_targets_hold_the_plan_figures() -> None:
    targets = {(t.plan, t.program): t.target for t in load_targets(DEFAULT_TARGETS)}
    assert targets[("yancheng-2019-2021", "all")] == 360_000
    assert targets[("yancheng-2019-2021", "community_correction")] == 21_000
    assert targets[("yancheng-2019-2021", "veteran")] == 5_100


def test_a_targets_file_with_bad_rows_is_refused_whole_and_every_row_reported(tmp_path: object) -> None:
    from pathlib import Path
    path = Path(str(tmp_path)) / "targets.csv"
    path.write_text("plan,period_start,period_end,program,target,unit,source\n"
                    "p,2025-01-01,2027-12-31,all,100,person_times,x\n"
                    "p,2025-13-01,2027-12-31,all,100,person_times,x\n"
                    "p,2025-01-01,2027-12-31,unicorns,-5,bananas,x\n", encoding="utf-8")
    with pytest.raises(TargetsRejected) as exc:
        load_targets(path)
    fields = {(e["line"], e["field"]) for e in exc.value.errors}
    assert {("3", "period_start"), ("3", "program"), ("4", "program"), ("4", "target"), ("4", "unit")} <= fields
