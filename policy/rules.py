"""The rules R1–R12 of plan section 四(三)2, each written once as numpy masks over a course table.

Every rule decides over a :class:`~policy.table.CourseTable` (many courses or one) and a
:class:`~policy.worker_facts.WorkerFacts`. :func:`policy.decide` runs the very same code on a
one-row table and only adds the sentences, so the single-course and bulk answers cannot drift.

Rule codes, in the stable order of :attr:`policy.Decision.checks`. Blocking codes also own a bit
of :attr:`policy.BulkDecision.failed`, numbered by their position in :data:`BLOCKING_CODES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from policy.settings import PolicySettings
from policy.table import LEVEL_RADIX, NO_LEVEL, BoolArray, CourseTable
from policy.worker_facts import SAFETY_TRAINING, WorkerFacts

WORK_AS_TRAINING = "work_as_training"


@dataclass(frozen=True)
class RuleSpec:
    """One rule code: which plan rule it belongs to and whether failing it blocks the subsidy."""

    code: str
    blocking: bool
    title_en: str
    title_zh: str


RULES: tuple[RuleSpec, ...] = (
    RuleSpec("R1_PLACE", True, "Training place", "培训地点（户籍地/常住地/求职就业地）"),
    RuleSpec("R1_SUBSIDIZED_LIST", True, "County subsidized occupations", "县区政府补贴职业工种目录"),
    RuleSpec("R2_CERTIFICATE", True, "Certificate after training", "培训后取得证书"),
    RuleSpec("R3_ANNUAL_LIMIT", True, "At most 3 a year", "每人每年不超过3次"),
    RuleSpec("R4_NO_REPEAT", True, "Same occupation, same level once", "同一职业同一等级不可重复享受"),
    RuleSpec("R4_LOWER_LEVEL", True, "Not at or below a held level", "不低于已持证等级"),
    RuleSpec("R5_PENSION", True, "No monthly pension", "不具有按月领取养老金资格"),
    RuleSpec("R5_WORKING_AGE", True, "Working age", "达到法定劳动年龄"),
    RuleSpec("R6_FAMILY", False, "Family of poor or severely disabled", "贫困和重度残疾人直系亲属"),
    RuleSpec("R7_LIVING_ALLOWANCE", False, "Living allowance", "生活费补贴"),
    RuleSpec("R8_WORK_AS_TRAINING", True, "Work-as-training is the employer's", "以工代训补贴企业"),
    RuleSpec("R9_TRAINING_TYPE_AUDIENCE", True, "Training type audience", "培训类型适用人群"),
    RuleSpec("R9_TARGET_GROUPS", True, "Course target groups", "培训项目面向群体"),
    RuleSpec("R10_FREE_TRAINING", False, "Free training for key groups", "重点群体免费培训"),
    RuleSpec("R11_SAFETY_FIRST", False, "Safety training before the post", "安全技能培训合格后上岗"),
    RuleSpec("R12_ADVANCE_PAYMENT", False, "Advance payment", "先行拨付不高于50%"),
)

RULE_CODES: tuple[str, ...] = tuple(rule.code for rule in RULES)
# Bit i of BulkDecision.failed is BLOCKING_CODES[i]. Append new codes at the end only: stored
# masks and clients decode by position.
BLOCKING_CODES: tuple[str, ...] = tuple(rule.code for rule in RULES if rule.blocking)
RULE_BITS: Mapping[str, int] = MappingProxyType(
    {code: 1 << i for i, code in enumerate(BLOCKING_CODES)}
)


def codes_of_mask(mask: int) -> tuple[str, ...]:
    """The blocking rule codes whose bits are set in one ``BulkDecision.failed`` entry."""
    return tuple(code for code in BLOCKING_CODES if int(mask) & RULE_BITS[code])


@dataclass(frozen=True, eq=False)
class RuleArrays:
    """Every rule's outcome for each row of a course table, for one worker."""

    failures: Mapping[str, BoolArray]  # blocking code -> True where the rule fails
    failed: npt.NDArray[np.uint32]  # the same, packed by RULE_BITS
    eligible: BoolArray
    subsidy_cny: npt.NDArray[np.float64]  # the course's standard where eligible, else 0
    subsidies_used: npt.NDArray[np.int64]  # R3: counted trainings in the course's end year
    subsidies_left: npt.NDArray[np.int64]  # R3: limit minus that, never below 0
    living_allowance: BoolArray
    living_allowance_cny: npt.NDArray[np.float64]
    free_training: BoolArray
    safety_first: BoolArray
    advance_payment_cny: npt.NDArray[np.float64]


def evaluate(worker: WorkerFacts, table: CourseTable, settings: PolicySettings) -> RuleArrays:
    """Apply every rule to every course of ``table`` for ``worker``; no per-course Python."""
    n = len(table)
    failures: dict[str, BoolArray] = {}

    # R1: 在户籍地、常住地、求职就业地参加培训, judged at the level of the paying government.
    if settings.place_scope == "city":
        worker_in_city = bool(worker.places & settings.city_counties)
        course_in_city = table.county_is(settings.city_counties.__contains__)
        failures["R1_PLACE"] = ~course_in_city if worker_in_city else np.ones(n, bool)
    else:
        failures["R1_PLACE"] = ~table.county_is(worker.places.__contains__)
    # A county that published its 政府补贴职业工种 list subsidizes only what is on it.
    failures["R1_SUBSIDIZED_LIST"] = table.on_county_list == 0

    # R2: 取得证书（职业资格、职业技能等级、专项职业能力、特种作业操作、培训合格证书等）.
    failures["R2_CERTIFICATE"] = ~table.certificate_type_is(settings.certificate_types.__contains__)

    # R3: 每人每年可享受不超过 3 次, by the calendar year the training ends.
    used = np.zeros(n, np.int64)
    for year, count in worker.subsidized_by_year.items():
        used[table.end_year == year] = count
    failures["R3_ANNUAL_LIMIT"] = used >= settings.annual_limit
    left = np.maximum(settings.annual_limit - used, 0)

    # R4: 同一职业同一等级不可重复享受, in any year.
    pairs = [
        table.occupation_index[occupation] * LEVEL_RADIX + level
        for occupation, level in worker.repeat_pairs
        if occupation in table.occupation_index
    ]
    course_pairs = table.occupation.astype(np.int64) * LEVEL_RADIX + table.level
    failures["R4_NO_REPEAT"] = (
        np.isin(course_pairs, np.asarray(pairs, np.int64)) if pairs else np.zeros(n, bool)
    )

    # R4 (Jiangsu practice): nothing at or below a level already certified in that occupation.
    # Level numbers run backwards (5 初级工 … 1 高级技师), so "at or below" is ">=".
    lower = np.zeros(n, bool)
    if settings.lower_level_rule:
        for occupation, held in worker.held_levels.items():
            index = table.occupation_index.get(occupation)
            if index is not None:
                lower |= (table.occupation == index) & (table.level >= held)
        lower &= table.level != NO_LEVEL
    failures["R4_LOWER_LEVEL"] = lower

    # R5: 将确有培训需求、不具有按月领取养老金资格的人员纳入补贴政策范围.
    failures["R5_PENSION"] = np.full(n, worker.draws_pension)
    if worker.working_age_from is None:
        failures["R5_WORKING_AGE"] = np.zeros(n, bool)
    else:
        failures["R5_WORKING_AGE"] = table.start_ordinal < worker.working_age_from.toordinal()

    # R8: 以工代训 subsidizes the employer that hires and trains, never the worker directly.
    failures["R8_WORK_AS_TRAINING"] = table.training_type_is(WORK_AS_TRAINING.__eq__)

    # R9: each training type serves its audience (effective groups, so R6 family counts too).
    audience = settings.training_type_audience
    failures["R9_TRAINING_TYPE_AUDIENCE"] = ~table.training_type_is(
        lambda t: t not in audience or bool(audience[t] & worker.effective_groups)
    )
    # A course published for named groups (target_groups) is for those groups only.
    failures["R9_TARGET_GROUPS"] = (table.target_groups != 0) & (
        (table.target_groups & np.uint32(worker.group_mask)) == 0
    )

    failed = np.zeros(n, np.uint32)
    for code, mask in failures.items():
        failed |= mask.astype(np.uint32) * np.uint32(RULE_BITS[code])
    eligible = failed == 0
    subsidy = np.where(eligible, table.subsidy_cny, 0.0)

    # R7: 在参加就业技能培训和创业培训期间，按规定发放生活费补贴.
    allowance = (
        eligible
        & table.training_type_is(settings.living_allowance_training_types.__contains__)
        & worker.living_allowance_group
    )
    if settings.living_allowance_basis == "per_day":
        days = table.end_ordinal - table.start_ordinal + 1
        allowance_cny = np.where(allowance, days * settings.living_allowance_cny, 0.0)
    else:
        allowance_cny = np.where(allowance, settings.living_allowance_cny, 0.0)

    # R10: 重点群体免费接受职业培训, where the course takes part in the action.
    free = eligible & table.free_for_key_groups & worker.free_training_group

    # R11: 安全技能培训合格后上岗. The flag marks the matching safety course; it never blocks and
    # does not depend on the subsidy, because the worker needs that course either way.
    post_index = (
        table.occupation_index.get(worker.safety_post) if worker.safety_post is not None else None
    )
    if post_index is None:
        safety_first = np.zeros(n, bool)
    else:
        safety_first = (table.occupation == post_index) & table.training_type_is(
            SAFETY_TRAINING.__eq__
        )

    # R12: 项目制培训 may receive up to the configured share of the subsidy in advance.
    advance = np.where(table.project_based, subsidy * settings.advance_payment_share, 0.0)

    return RuleArrays(
        failures=MappingProxyType(failures),
        failed=failed,
        eligible=eligible,
        subsidy_cny=subsidy,
        subsidies_used=used,
        subsidies_left=left,
        living_allowance=allowance,
        living_allowance_cny=allowance_cny,
        free_training=free,
        safety_first=safety_first,
        advance_payment_cny=advance,
    )
