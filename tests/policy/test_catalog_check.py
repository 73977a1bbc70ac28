"""The catalog's rule check: the batch path (used by the import) agrees with the one-course path."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.catalog_check import reserved_group_refusals, reserved_group_refusals_many
from policy.profile import CourseFacts
from tests.policy.policy_examples import course
from tests.policy.test_bulk import courses


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(courses(), min_size=1, max_size=15))
def test_batch_check_equals_one_by_one(batch: list[CourseFacts]) -> None:
    many = reserved_group_refusals_many(batch)
    assert [[str(r) for r in found] for found in many] == [
        [str(r) for r in reserved_group_refusals(c)] for c in batch]


def test_refusal_names_group_codes_and_reason() -> None:
    upgrade = course(training_type="skill_upgrade", reserved_for=frozenset({"veteran", "enterprise_employee"}))
    [refusal] = reserved_group_refusals_many([upgrade])[0]
    assert refusal.group == "veteran" and refusal.codes == ("R9_TRAINING_TYPE_AUDIENCE",)
    refresher = course(occupation_code="SO-2.1", training_type="safety", certificate_type="special_operation",
                       stage="refresher", reserved_for=frozenset({"laid_off_unemployed"}),
                       start_date=date(2026, 3, 2), end_date=date(2026, 3, 4))
    assert reserved_group_refusals_many([refresher]) == [[]]  # a member holding what it renews
