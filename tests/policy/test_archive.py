"""R3 and R4 read the archive one way (policy.archive): the rules, a worker's history and the
decision's own sentences agree."""

from __future__ import annotations

from datetime import date

from policy import PolicySettings, decide
from policy.archive import counts_toward_limits, subsidized_by_year, subsidized_in, subsidy_day
from tests.policy.policy_examples import ON, course, training, worker


def left(*trainings: object) -> int:
    return decide(worker(trainings=tuple(trainings)), course(), ON, PolicySettings()).subsidies_left_this_year


def test_r3_counts_an_open_enrolment_in_the_year_it_was_enrolled() -> None:
    open_enrolment = training(status="enrolled", end_date=None, enrolled_on=date(2025, 1, 2))
    assert subsidy_day(open_enrolment) == date(2025, 1, 2)
    assert subsidized_in([open_enrolment], 2025) == 1
    assert left(open_enrolment) == 2  # the course ends in 2025 too


def test_r3_counts_the_end_year_once_known() -> None:
    spanning = training(status="enrolled", end_date=date(2026, 1, 20), enrolled_on=date(2025, 11, 1))
    assert subsidized_by_year([spanning]) == {2026: 1}
    assert left(spanning) == 3  # nothing counted in 2025, the course's year


def test_r3_r4_ignore_self_paid_and_dropped_trainings() -> None:
    self_paid = training(subsidized=False)
    dropped = training(status="dropped")
    assert not counts_toward_limits(self_paid) and not counts_toward_limits(dropped)
    assert left(self_paid, dropped) == 3
    assert decide(worker(trainings=(self_paid, dropped)), course(), ON, PolicySettings()).eligible


def test_r3_three_open_enrolments_use_the_year_up() -> None:
    opens = [training(level=lvl, status="enrolled", end_date=None, enrolled_on=date(2025, 1, 3)) for lvl in (4, 3, 2)]
    decision = decide(worker(trainings=tuple(opens)), course(), ON, PolicySettings())
    assert "R3_ANNUAL_LIMIT" in decision.failed_codes and decision.subsidies_left_this_year == 0


def test_r4_names_the_year_of_an_open_enrolment() -> None:
    same = training(status="enrolled", end_date=None, enrolled_on=date(2024, 9, 1))
    decision = decide(worker(trainings=(same,)), course(), ON, PolicySettings())
    assert "R4_NO_REPEAT" in decision.failed_codes
    r4 = next(c for c in decision.checks if c.code == "R4_NO_REPEAT")
    assert "2024" in r4.message_en and "2024" in r4.message_zh
