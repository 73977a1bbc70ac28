"""PolicySettings: documented defaults, and config that is checked rather than trusted."""

from __future__ import annotations

import pytest

from catalog.vocabulary import COUNTIES
from policy import PolicySettings, decide
from tests.policy.policy_examples import ON, course, worker


def test_defaults_follow_the_plan_and_domain_reading() -> None:
    s = PolicySettings()
    assert s.place_scope == "city"
    assert s.city_counties == frozenset(COUNTIES)
    assert s.annual_limit == 3
    assert s.lower_level_rule is True
    assert s.severe_disability_grades == frozenset({1, 2})
    assert s.poor_groups == frozenset({"poor_labor", "low_income_household", "dibao"})
    assert s.family_relations == frozenset({"parent", "child", "spouse"})
    assert s.training_type_statuses["employment_skills"] == frozenset({"unemployed"})
    assert s.missing_place == "unknown"
    assert s.refresher_exempt_from_repeat is True
    assert s.advance_payment_share == 0.5
    assert s.min_working_age == 16
    assert s.special_operation_validity_years == 6
    assert "work_as_training" not in s.training_type_audience


def test_from_mapping_builds_sets_and_changes_decisions() -> None:
    s = PolicySettings.from_mapping(
        {
            "place_scope": "county",
            "lower_level_rule": False,
            "annual_limit": 2,
            "city_counties": ["tinghu", "yandu"],
            "severe_disability_grades": [1],
            "training_type_audience": {"employment_skills": ["veteran"]},
            "advance_payment_share": 0.4,
        }
    )
    assert s.place_scope == "county" and s.annual_limit == 2
    assert s.city_counties == frozenset({"tinghu", "yandu"})
    assert s.training_type_audience["employment_skills"] == frozenset({"veteran"})
    # The laid-off default worker is no longer in the employment-skills audience...
    assert decide(worker(employment_status=None), course(county="tinghu"), ON, s).failed_codes == (
        "R9_TRAINING_TYPE_AUDIENCE",
    )
    # ...and Yandu is not one of the worker's counties under county scope.
    veteran = worker(priority_groups=frozenset({"veteran"}))
    assert decide(veteran, course(county="tinghu"), ON, s).eligible
    assert decide(veteran, course(county="yandu"), ON, s).failed_codes == ("R1_PLACE",)


def test_from_mapping_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="annual_limt"):
        PolicySettings.from_mapping({"annual_limt": 4})


@pytest.mark.parametrize(
    "config",
    [
        {"place_scope": "province"},
        {"annual_limit": "3"},
        {"annual_limit": True},
        {"lower_level_rule": "yes"},
        {"advance_payment_share": 1.5},
        {"poor_groups": ["poor_labour"]},
        {"poor_groups": "poor_labor"},
        {"free_training_groups": [1, 2]},
        {"training_type_audience": {"yoga": ["veteran"]}},
        {"training_type_audience": {"safety": ["astronaut"]}},
        {"living_allowance_basis": "per_hour"},
        {"severe_disability_grades": ["1"]},
        {"family_relations": ["parent", "sibling"]},
        {"training_type_statuses": {"employment_skills": ["jobless"]}},
        {"missing_place": "nowhere"},
    ],
)
def test_from_mapping_rejects_bad_values(config: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        PolicySettings.from_mapping(config)


def test_settings_are_immutable() -> None:
    s = PolicySettings()
    with pytest.raises(AttributeError):
        s.annual_limit = 4  # type: ignore[misc]
