"""Outcomes with n and intervals; small-cell suppression on sensitive groups; reproducible reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from stats.archive import TrainingFact
from stats.outcomes import Rate, by_institution, by_offering, wilson
from stats.periods import Quarter
from stats.privacy import suppress
from stats.programs import DEFAULT_MAPPING
from stats.report import NoPlan, ReportOptions, quarterly_report, report_digest
from stats.targets import DEFAULT_TARGETS, load_targets
from tests.stats.archive_gen import RATINGS, random_archive
from tests.stats.test_progress import _fact

TARGETS = load_targets(DEFAULT_TARGETS)


def test_wilson_interval_matches_the_textbook_values_and_stays_wide_for_small_cohorts() -> None:
    lo, hi = wilson(81, 263)  # Wilson (1927) / Newcombe (1998) example: 0.2553 … 0.3662
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    lo3, hi3 = wilson(3, 3)
    assert hi3 == 1.0 and lo3 < 0.45  # three of three is not a certain 100%
    assert Rate.of(0, 0).value is None


def test_outcomes_per_institution_and_course_count_rates_over_finished_trainings() -> None:
    fs = ([_fact(status="completed", certified=True, subsidy_cny=1000)] * 6
          + [_fact(status="completed", certified=False, subsidy_cny=0)] * 2
          + [_fact(status="dropped", completed_on=None, certified=False, subsidy_cny=0)] * 2
          + [_fact(status="enrolled", completed_on=None, certified=False, subsidy_cny=0)] * 5)
    (inst,) = by_institution(fs, {"I-1": "AA"}, {1: 20})
    assert (inst.enrolled, inst.finished, inst.completed, inst.certified, inst.dropped) == (15, 10, 8, 6, 2)
    assert inst.certificate_rate.value == 0.6 and inst.certificate_rate.n == 10
    assert inst.certificate_rate.low is not None and inst.certificate_rate.low < 0.6 < inst.certificate_rate.high
    assert inst.completion_rate.value == 0.8 and inst.dropout_rate.value == 0.2
    assert inst.subsidy_paid_cny == 6000
    assert inst.credit_rating == "AA"
    assert inst.enrolment_rate is not None and inst.enrolment_rate.value == 0.75  # 15 of 20 seats
    other = replace(fs[0], occupation_code="6-31-01-03")
    offerings = by_offering([*fs, other], {"I-1": "AA"})
    assert [o.enrolled for o in offerings] == [15, 1]


def test_small_cells_of_sensitive_groups_are_suppressed_and_cannot_be_recovered_from_the_total() -> None:
    rows = [{"program": "all", "priority_group": g, "n": n} for g, n in
            (("community_correction", 3), ("veteran", 4), ("enterprise_employee", 40), ("disabled", 0),
             ("dibao", 12))]
    out = suppress(rows, ["n"], lambda r: r["priority_group"] in {"community_correction", "disabled", "dibao"},
                   lambda r: r["program"], threshold=10)
    by = {r["priority_group"]: r for r in out}
    assert by["community_correction"]["n"] is None and by["community_correction"]["suppressed"]
    assert by["disabled"]["n"] == 0  # zero identifies nobody
    assert by["dibao"]["n"] == 12 and by["enterprise_employee"]["n"] == 40  # at or over the threshold
    # One suppressed cell in the margin: the next smallest is suppressed too, or 3 = total - rest.
    assert by["veteran"]["n"] is None
    assert sum(r["suppressed"] for r in out) == 2
    # A non-sensitive small cell alone is published.
    alone = suppress([{"program": "all", "priority_group": "veteran", "n": 4}], ["n"], lambda r: False,
                     lambda r: r["program"], threshold=10)
    assert alone[0]["n"] == 4 and not alone[0]["suppressed"]


def _report(facts: list[TrainingFact], quarter: str = "2026Q3", **kw: object) -> dict[str, object]:
    return quarterly_report(facts, TARGETS, DEFAULT_MAPPING, Quarter.parse(quarter), credit_ratings=RATINGS,
                            **kw)  # type: ignore[arg-type]


def test_report_suppresses_small_sensitive_cells_in_every_table() -> None:
    facts = [_fact(worker_groups=frozenset({"community_correction"}), county="xiangshui")] * 3
    facts += [_fact(worker_groups=frozenset({"enterprise_employee"}), training_type="skill_upgrade")] * 30
    rep = _report(facts)
    groups = {(r["program"], r["priority_group"]): r for r in rep["by_group"]}  # type: ignore[attr-defined]
    assert groups[("all", "community_correction")]["completed"] is None
    assert groups[("community_correction", "community_correction")]["suppressed"]
    counties = {(r["program"], r["county"]): r for r in rep["by_county"]}  # type: ignore[attr-defined]
    assert counties[("community_correction", "xiangshui")]["enrolled"] is None
    assert counties[("all", "xiangshui")]["enrolled"] == 3  # the whole-plan count is not sensitive
    progress = {r["program"]: r for r in rep["progress"]}  # type: ignore[attr-defined]
    assert progress["community_correction"]["quarter_completed"] is None
    assert progress["enterprise_employee"]["quarter_completed"] == 30
    # With a threshold of 3 the same figures are published.
    rep3 = _report(facts, options=ReportOptions(min_cell=3))
    assert {(r["program"], r["priority_group"]): r for r in rep3["by_group"]}[  # type: ignore[attr-defined]
        ("all", "community_correction")]["completed"] == 3


def test_course_outcomes_of_courses_only_for_sensitive_groups_are_suppressed_when_small() -> None:
    small = [_fact(course_targets=frozenset({"disabled"}), institution_code="I-9", course_id=9)] * 4
    rep = _report(small)
    (row,) = rep["courses"]  # type: ignore[misc]
    assert row["enrolled"] is None and row["certificate_rate"] is None and row["suppressed"]


def test_report_has_no_personal_fields() -> None:
    rep = _report(random_archive(500, seed=3))
    for table in ("progress", "by_county", "by_group", "by_quarter", "by_year", "institutions", "courses"):
        for row in rep[table]:  # type: ignore[attr-defined]
            assert not {"worker_id", "name", "national_id_masked", "phone", "birth_date", "lat", "lon"} & set(row)


def test_a_past_quarter_is_reproducible_when_the_archive_grows_later() -> None:
    archive = random_archive(2000, seed=5, first=date(2025, 1, 1), days=540)  # up to mid 2026
    filed = _report(archive, "2026Q1")
    # Later: more trainings, and trainings running at the quarter's end finish (some after it).
    later = random_archive(800, seed=6, first=date(2026, 4, 1), days=200)
    finished_late = [replace(f, status="completed", completed_on=date(2026, 5, 15), certified=True)
                     if f.status == "enrolled" and f.enrolled_on <= date(2026, 3, 31) else f for f in archive]
    again = _report(finished_late + later, "2026Q1")
    assert report_digest(again) == report_digest(filed)
    assert again == filed
    # …while the current quarter does move.
    assert report_digest(_report(finished_late + later, "2026Q2")) != report_digest(_report(archive, "2026Q2"))


def test_a_quarter_outside_every_plan_is_refused() -> None:
    with pytest.raises(NoPlan):
        _report([], "2030Q1")


def test_yearly_figures_add_up_the_quarters_of_the_year() -> None:
    rep = _report(random_archive(1500, seed=8), "2026Q4")
    years = {(r["program"], r["year"]): r for r in rep["by_year"]}  # type: ignore[attr-defined]
    for program in ("all", "enterprise_employee", "safety"):
        quarters = [r for r in rep["by_quarter"] if r["program"] == program  # type: ignore[attr-defined]
                    and r["quarter"].startswith("2026")]
        assert years[(program, "2026")]["enrolled"] == sum(q["enrolled"] for q in quarters)
        progress = {r["program"]: r for r in rep["progress"]}  # type: ignore[attr-defined]
        assert progress[program]["year_completed"] == years[(program, "2026")]["completed"]
