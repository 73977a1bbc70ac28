"""Every value the plan leaves to "local standards", gathered in one frozen settings object.

The plan (section 四(三)2) fixes the shape of the rules but not the numbers or the group lists.
Each field below is one such gap; its default is our reading of the plan and of Jiangsu practice,
documented beside it and in ``policy/RULES.md``. Build from configuration with
:meth:`PolicySettings.from_mapping`, which refuses unknown keys so a typo cannot silently fall
back to a default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from types import MappingProxyType
from typing import Literal, cast

from catalog.vocabulary import (
    CERTIFICATE_TYPES,
    COUNTIES,
    EMPLOYMENT_STATUSES,
    PRIORITY_GROUPS,
    TRAINING_TYPES,
)

PlaceScope = Literal["city", "county"]
AllowanceBasis = Literal["per_day", "per_course"]
MissingPlace = Literal["unknown", "outside"]

# R6: 延伸至其直系亲属. 直系 (lineal) relatives are ascendants and descendants; siblings are 旁系
# (collateral) and can never be configured in. Whether a spouse counts is the open point.
LINEAL_RELATIONS: frozenset[str] = frozenset({"parent", "child", "spouse", "grandparent", "grandchild"})

# R9 "who each training type is for" (domain.md). A training type absent from the table is open
# to everyone; work-as-training is absent on purpose because R8 already rules it out for a worker.
DEFAULT_TRAINING_TYPE_AUDIENCE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        # 就业技能: people not in stable employment, plus the groups of R7. The plan also names
        # community correction (2.1万人次 就业技能培训) and poverty labor (免费就业技能培训).
        "employment_skills": frozenset(
            {
                "rural_migrant",
                "returning_migrant",
                "two_after_youth",
                "unemployed_graduate",
                "laid_off_unemployed",
                "veteran",
                "employment_difficulty",
                "disabled",
                "low_income_household",
                "dibao",
                "zero_employment_family",
                "poor_labor",
                "community_correction",
                "professional_farmer",
            }
        ),
        # 四(一)1: 岗前培训（含特种作业人员安全作业培训）, so special-operation staff are in too.
        "pre_job": frozenset({"enterprise_employee", "high_risk_worker"}),
        "skill_upgrade": frozenset({"enterprise_employee"}),
        # 四(一)2 names 化解过剩产能企业职工 among the key groups, and domain.md counts them in
        # laid_off_unemployed: changing trade (转岗转业) is what their training is for.
        "transfer": frozenset({"enterprise_employee", "laid_off_unemployed"}),
        "apprenticeship": frozenset({"enterprise_employee"}),
        # 四(一)2: 对具备条件的劳动者特别是返乡农民工、残疾人开展创业培训.
        "entrepreneurship": frozenset({"entrepreneur", "returning_migrant", "disabled"}),
        # 四(三)2 lists 安全技能培训 among enterprise-employee trainings; 四(一)5 names high-risk staff.
        "safety": frozenset({"high_risk_worker", "enterprise_employee"}),
    }
)


# R9: employment statuses that put a worker in a training type's audience without a group.
# 三(一): 培训的重点是：…下岗失业人员…; domain.md: 就业技能 for people not in stable employment.
DEFAULT_TRAINING_TYPE_STATUSES: Mapping[str, frozenset[str]] = MappingProxyType(
    {"employment_skills": frozenset({"unemployed"})}
)


@dataclass(frozen=True)
class PolicySettings:
    """Local standards the rules read; defaults are the readings documented in RULES.md."""

    # R1: which government pays. "city": any of the worker's three places (户籍地/常住地/求职就业地)
    # inside the city and the course in the city; "county": the course in one of those counties.
    place_scope: PlaceScope = "city"
    city_counties: frozenset[str] = frozenset(COUNTIES)
    # R1: a profile with none of the three places recorded. "unknown": not checked (like an
    # unknown birth date for R5), the counselor confirms the place at enrolment; "outside": as
    # if every place were outside the city (refused).
    missing_place: MissingPlace = "unknown"

    # R2: the five certificate kinds the plan names; a course ending in none of them earns nothing.
    certificate_types: frozenset[str] = frozenset(CERTIFICATE_TYPES)

    # R3: 原则上每人每年可享受不超过 3 次, counted by the calendar year the training ends.
    annual_limit: int = 3

    # R4: Jiangsu practice, no subsidy at or below the level of a certificate already held in the
    # same occupation (holding 中级工/4 blocks courses at levels 4 and 5).
    lower_level_rule: bool = True

    # R5: the youngest legal working age in China (Labour Law art. 15).
    min_working_age: int = 16

    # R6: 重度残疾 = grades 1 and 2 of the national disability grading.
    severe_disability_grades: frozenset[int] = frozenset({1, 2})
    # R6: "贫困". Jiangsu registers rural poverty as 建档立卡低收入农户, so both the plan's 贫困劳动力
    # and that group count; the plan's poverty program (四(一)4 技能扶贫) opens with
    # "建档立卡低收入农户和城乡低保对象中的劳动力", so dibao reads as poor too.
    poor_groups: frozenset[str] = frozenset({"poor_labor", "low_income_household", "dibao"})
    # R6: 直系亲属. Parents and children are lineal by definition (settled); a spouse is counted
    # as in most Jiangsu subsidy rules (直系亲属 包括配偶、父母、子女). Siblings are refused.
    family_relations: frozenset[str] = frozenset({"parent", "child", "spouse"})

    # R7: 生活费补贴 during 就业技能培训 and 创业培训 for these groups (就业困难人员（含残疾人）, so
    # "disabled" is listed explicitly), plus rural two-after youth (urban-dibao students are
    # covered by "dibao").
    living_allowance_groups: frozenset[str] = frozenset(
        {
            "low_income_household",
            "dibao",
            "employment_difficulty",
            "disabled",
            "zero_employment_family",
        }
    )
    living_allowance_rural_two_after: bool = True
    living_allowance_training_types: frozenset[str] = frozenset(
        {"employment_skills", "entrepreneurship"}
    )
    # The plan says 按规定 and names no amount; 30 CNY per training day is a placeholder that a
    # county must replace with its own standard. "per_course" pays the amount once per course.
    living_allowance_basis: AllowanceBasis = "per_day"
    living_allowance_cny: float = 30.0

    # R9: see DEFAULT_TRAINING_TYPE_AUDIENCE.
    training_type_audience: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: DEFAULT_TRAINING_TYPE_AUDIENCE, hash=False
    )
    # R9: see DEFAULT_TRAINING_TYPE_STATUSES.
    training_type_statuses: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: DEFAULT_TRAINING_TYPE_STATUSES, hash=False
    )
    # R4: a special-operation refresher (复审) is required by law at intervals, so a second one
    # is not "the same training twice". False: a refresher counts as a repeat like any course.
    refresher_exempt_from_repeat: bool = True

    # R10: 重点群体免费接受职业培训行动, key groups as read in domain.md.
    free_training_groups: frozenset[str] = frozenset(
        {
            "two_after_youth",
            "unemployed_graduate",
            "laid_off_unemployed",
            "veteran",
            "employment_difficulty",
            "disabled",
            "low_income_household",
            "dibao",
            "zero_employment_family",
            "poor_labor",
            "community_correction",
        }
    )

    # R11: a special-operation certificate (特种作业操作证) is valid six years unless the
    # certificate itself says otherwise.
    special_operation_validity_years: int = 6

    # R12: 可先行拨付不高于 50% 的培训补贴资金.
    advance_payment_share: float = 0.5

    # Dated parameters (OpenFisca-style): the values above are in force until the first change;
    # each (effective_from, values) changes the named settings from that day on. A decision uses
    # the values in force on the course's start date (RULES.md, "Dated parameters").
    dated_changes: tuple[tuple[date, Mapping[str, object]], ...] = field(default=(), hash=False)

    def on(self, day: date) -> PolicySettings:
        """The settings in force on ``day``: every change effective on or before it applied."""
        if not self.dated_changes:
            return self
        values: dict[str, object] = {}
        for effective_from, change in self.dated_changes:
            if effective_from <= day:
                values.update(change)
        return replace(self, dated_changes=(), **values)  # type: ignore[arg-type]

    def change_days(self) -> tuple[date, ...]:
        """The days on which some setting changes, in order."""
        return tuple(day for day, _ in self.dated_changes)

    def __post_init__(self) -> None:
        if self.place_scope not in ("city", "county"):
            raise ValueError(f"place_scope must be 'city' or 'county', not {self.place_scope!r}")
        if self.living_allowance_basis not in ("per_day", "per_course"):
            raise ValueError(
                "living_allowance_basis must be 'per_day' or 'per_course', "
                f"not {self.living_allowance_basis!r}"
            )
        if not 0 <= self.annual_limit <= 366:  # counts are stored as int16 per course
            raise ValueError("annual_limit must be within 0..366")
        if not 0.0 <= self.advance_payment_share <= 1.0:
            raise ValueError("advance_payment_share must be within [0, 1]")
        if self.living_allowance_cny < 0:
            raise ValueError("living_allowance_cny must be >= 0")
        if self.min_working_age < 0 or self.special_operation_validity_years < 0:
            raise ValueError("ages and validity years must be >= 0")
        # Group lists are where a typo would silently make a rule never fire, so check them.
        if self.missing_place not in ("unknown", "outside"):
            raise ValueError(f"missing_place must be 'unknown' or 'outside', not {self.missing_place!r}")
        collateral = sorted(self.family_relations - LINEAL_RELATIONS)
        if collateral:
            raise ValueError(
                "family_relations: R6 extends to 直系亲属 (lineal relatives) only, not "
                + ", ".join(collateral)
            )
        for name in ("poor_groups", "living_allowance_groups", "free_training_groups"):
            _check_groups(name, getattr(self, name))
        for training_type, statuses in self.training_type_statuses.items():
            if training_type not in TRAINING_TYPES:
                raise ValueError(f"training_type_statuses: unknown training type {training_type!r}")
            unknown_statuses = sorted(statuses - set(EMPLOYMENT_STATUSES))
            if unknown_statuses:
                raise ValueError(
                    f"training_type_statuses[{training_type}]: unknown employment statuses "
                    + ", ".join(unknown_statuses)
                )
        for training_type, groups in self.training_type_audience.items():
            if training_type not in TRAINING_TYPES:
                raise ValueError(f"training_type_audience: unknown training type {training_type!r}")
            _check_groups(f"training_type_audience[{training_type}]", groups)
        for training_type in self.living_allowance_training_types:
            if training_type not in TRAINING_TYPES:
                raise ValueError(f"living_allowance_training_types: unknown {training_type!r}")
        days = self.change_days()
        if list(days) != sorted(set(days)):
            raise ValueError("dated_changes must be in effective_from order, one change per day")
        for day in days:
            self.on(day)  # every version must itself be valid settings

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> PolicySettings:
        """Build settings from plain config (JSON/env); lists become frozensets.

        Raises ``ValueError`` on an unknown key or a value of the wrong shape.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"unknown policy settings: {', '.join(unknown)}")
        values: dict[str, object] = {}
        for key, value in config.items():
            if key == "dated_changes":
                values[key] = _dated_changes(value)
            elif key in ("training_type_audience", "training_type_statuses"):
                if not isinstance(value, Mapping):
                    raise ValueError(f"{key} must be a mapping")
                values[key] = MappingProxyType(
                    {str(k): _string_set(key, v) for k, v in value.items()}
                )
            elif key == "severe_disability_grades":
                values[key] = frozenset(_ints(key, value))
            elif key in _SET_FIELDS:
                values[key] = _string_set(key, value)
            elif key in _INT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{key} must be an integer")
                values[key] = value
            elif key in _FLOAT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError(f"{key} must be a number")
                values[key] = float(value)
            elif key in _BOOL_FIELDS:
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
                values[key] = value
            else:  # the Literal string fields; __post_init__ checks the value
                values[key] = str(value)
        return cls(**values)  # type: ignore[arg-type]  # each value was checked above


_SET_FIELDS = frozenset(
    {
        "city_counties",
        "certificate_types",
        "poor_groups",
        "living_allowance_groups",
        "living_allowance_training_types",
        "free_training_groups",
        "family_relations",
    }
)
_INT_FIELDS = frozenset({"annual_limit", "min_working_age", "special_operation_validity_years"})
_FLOAT_FIELDS = frozenset({"living_allowance_cny", "advance_payment_share"})
_BOOL_FIELDS = frozenset(
    {"lower_level_rule", "living_allowance_rural_two_after", "refresher_exempt_from_repeat"}
)


def _dated_changes(value: object) -> tuple[tuple[date, Mapping[str, object]], ...]:
    """``[{"effective_from": "2027-01-01", "living_allowance_cny": 40}, ...]`` → dated changes,
    each checked with the same rules as the base values."""
    if isinstance(value, (str, Mapping)) or not isinstance(value, Iterable):
        raise ValueError("dated_changes must be a list of {effective_from, settings...}")
    changes = []
    for item in value:
        if not isinstance(item, Mapping) or "effective_from" not in item:
            raise ValueError("each dated change needs effective_from")
        day = item["effective_from"]
        try:
            effective = day if isinstance(day, date) else date.fromisoformat(str(day))
        except ValueError:
            raise ValueError(f"dated_changes: effective_from {day!r} is not a date") from None
        rest = {k: v for k, v in item.items() if k != "effective_from"}
        if "dated_changes" in rest:
            raise ValueError("a dated change cannot nest dated_changes")
        parsed = PolicySettings.from_mapping(rest)  # checks keys and shapes
        changes.append((effective, MappingProxyType({k: getattr(parsed, k) for k in rest})))
    return tuple(changes)


def _check_groups(name: str, groups: Iterable[str]) -> None:
    unknown = sorted(set(groups) - set(PRIORITY_GROUPS))
    if unknown:
        raise ValueError(f"{name}: unknown priority groups {', '.join(unknown)}")


def _string_set(key: str, value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{key} must be a list of strings")
    items = list(value)
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"{key} must be a list of strings")
    return frozenset(cast(list[str], items))


def _ints(key: str, value: object) -> list[int]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{key} must be a list of integers")
    items = list(value)
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise ValueError(f"{key} must be a list of integers")
    return cast(list[int], items)
