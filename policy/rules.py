"""The rules R1–R12 of plan section 四(三)2, each written once as numpy masks over a course table.

Every rule decides over a :class:`~policy.table.CourseTable` (many courses or one) and a
:class:`~policy.worker_facts.WorkerFacts`. :func:`policy.decide` runs the very same code on a
one-row table and only adds the sentences, so the single-course and bulk answers cannot drift.

Rule codes, in the stable order of :attr:`policy.Decision.checks`. Blocking codes also own a bit
of :attr:`policy.BulkDecision.failed`, numbered by their position in :data:`BLOCKING_CODES`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from policy.settings import PolicySettings
from policy.table import (
    INITIAL,
    NO_LEVEL,
    REFRESHER,
    STAGE_CODES,
    BoolArray,
    CourseTable,
    repeat_key,
)
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


def _pack(failures: Mapping[str, BoolArray | bool], n: int) -> npt.NDArray[np.uint32]:
    """Fold failure masks into one uint32 per course, bit i = BLOCKING_CODES[i].

    Horner order (shift, then OR the next lower bit) costs two in-place ops per code, about a
    third of casting and multiplying each mask by its bit.
    """
    packed = np.zeros(n, np.uint32)
    for code in reversed(BLOCKING_CODES):
        np.left_shift(packed, 1, out=packed)
        mask = failures.get(code, False)
        if isinstance(mask, bool):
            if mask:
                packed |= np.uint32(1)
        else:
            np.bitwise_or(packed, mask, out=packed)
    return packed


@dataclass(frozen=True, eq=False)
class RuleArrays:
    """Every rule's outcome for each row of a course table, for one worker."""

    failed: npt.NDArray[np.uint32]  # bit RULE_BITS[code] set where that blocking rule fails
    eligible: BoolArray
    subsidy_cny: npt.NDArray[np.float64]  # the course's standard where eligible, else 0
    subsidies_used: npt.NDArray[np.int16]  # R3: counted trainings in the course's end year
    subsidies_left: npt.NDArray[np.int16]  # R3: limit minus that, never below 0
    living_allowance: BoolArray
    living_allowance_cny: npt.NDArray[np.float64]
    free_training: BoolArray
    safety_first: BoolArray
    advance_payment_cny: npt.NDArray[np.float64]

    def failed_at(self, row: int, code: str) -> bool:
        """Whether blocking rule ``code`` failed for ``row``."""
        return bool(int(self.failed[row]) & RULE_BITS[code])


@dataclass(frozen=True, eq=False)
class _SettingsMasks:
    """Masks that depend on the table and the settings only, not on the worker (read-only)."""

    outside_city: BoolArray
    off_county_list: BoolArray
    certificate_refused: BoolArray
    refresher: BoolArray
    not_initial: BoolArray
    work_as_training: BoolArray
    allowance_types: BoolArray
    safety_training: BoolArray


# Per table (one per catalog version), the masks of the last few settings objects, by identity:
# settings are frozen, and a process serves one (or a few, with dated changes) at a time.
_MASKS: weakref.WeakKeyDictionary[CourseTable, list[tuple[PolicySettings, _SettingsMasks]]] = (
    weakref.WeakKeyDictionary())
_MASKS_LOCK = threading.Lock()
_MASKS_PER_TABLE = 8


def _settings_masks(table: CourseTable, settings: PolicySettings) -> _SettingsMasks:
    with _MASKS_LOCK:
        entries = _MASKS.get(table)
        for known, masks in entries or ():
            if known is settings:
                return masks
    masks = _SettingsMasks(
        outside_city=~table.county_is(settings.city_counties.__contains__),
        off_county_list=table.on_county_list == 0,
        certificate_refused=~table.certificate_type_is(settings.certificate_types.__contains__),
        refresher=table.stage == STAGE_CODES[REFRESHER],
        not_initial=table.stage != STAGE_CODES[INITIAL],
        work_as_training=table.training_type_is(WORK_AS_TRAINING.__eq__),
        allowance_types=table.training_type_is(settings.living_allowance_training_types.__contains__),
        safety_training=table.training_type_is(SAFETY_TRAINING.__eq__),
    )
    for f in fields(masks):
        # Shared by every decision on this table: an in-place change would leak into the next.
        getattr(masks, f.name).flags.writeable = False
    with _MASKS_LOCK:
        entries = _MASKS.setdefault(table, [])
        entries.insert(0, (settings, masks))
        del entries[_MASKS_PER_TABLE:]
    return masks


def evaluate(worker: WorkerFacts, table: CourseTable, settings: PolicySettings) -> RuleArrays:
    """Apply every rule to every course of ``table`` for ``worker``; no per-course Python.

    Each blocking rule yields a per-course failure mask (or a per-worker constant), folded into
    one uint32 per course. Written for speed over 10,000 rows: equality tests and in-place bit
    operations, no gathers or ``np.where`` on the hot path (see bench/bench_eligibility.py).
    """
    n = len(table)
    fixed = _settings_masks(table, settings)
    # Failure masks by code; a plain bool is a fact about the worker alone (all courses or none).
    failures: dict[str, BoolArray | bool] = {}

    def fail(code: str, mask: BoolArray | bool) -> None:
        failures[code] = mask

    # R1: 在户籍地、常住地、求职就业地参加培训, judged at the level of the paying government.
    if not worker.places_known and settings.missing_place == "unknown":
        pass  # no place recorded: not checked, like an unknown birth date (RULES.md, open points)
    elif settings.place_scope == "city":
        if worker.places & settings.city_counties:
            fail("R1_PLACE", fixed.outside_city)
        else:
            fail("R1_PLACE", True)
    else:
        fail("R1_PLACE", ~table.county_is(worker.places.__contains__))
    # A county that published its 政府补贴职业工种 list subsidizes only what is on it.
    fail("R1_SUBSIDIZED_LIST", fixed.off_county_list)

    # R2: 取得证书（职业资格、职业技能等级、专项职业能力、特种作业操作、培训合格证书等）.
    fail("R2_CERTIFICATE", fixed.certificate_refused)

    # R3: 每人每年可享受不超过 3 次, by the calendar year the training ends.
    # int16 keeps these small: fresh 80 KB int64 arrays cost page faults on every call.
    used = np.zeros(n, np.int16)
    for year, count in worker.subsidized_by_year.items():
        used[table.end_year == year] = count
    fail("R3_ANNUAL_LIMIT", used >= settings.annual_limit)
    left = np.maximum(np.int16(settings.annual_limit) - used, np.int16(0))

    # R4: 同一职业同一等级不可重复享受, in any year. A worker has a handful of such pairs, so a
    # loop of equality tests beats np.isin's sort. The stage is part of the key: SYB and IYB, or a
    # special-operation first certificate and its refresher (复审), are different trainings.
    repeat = np.zeros(n, bool)
    for occupation, level, stage in worker.repeat_pairs:
        index = table.occupation_index.get(occupation)
        if index is not None:
            repeat |= table.repeat_key == repeat_key(index, level, stage)
    refresher = fixed.refresher
    if settings.refresher_exempt_from_repeat:
        repeat &= ~refresher
    fail("R4_NO_REPEAT", repeat)

    # R4 (Jiangsu practice): nothing at or below a level already certified in that occupation.
    # Level numbers run backwards (5 初级工 … 1 高级技师), so "at or below" is ">=".
    if settings.lower_level_rule and worker.held_levels:
        lower = np.zeros(n, bool)
        for occupation, held in worker.held_levels.items():
            index = table.occupation_index.get(occupation)
            if index is not None:
                lower |= (table.occupation == index) & (table.level >= held)
        # A refresher renews a certificate already held: the held level cannot make it "lower".
        fail("R4_LOWER_LEVEL", lower & (table.level != NO_LEVEL) & ~refresher)

    # R5: 将确有培训需求、不具有按月领取养老金资格的人员纳入补贴政策范围.
    fail("R5_PENSION", worker.draws_pension)
    if worker.working_age_from is not None:
        fail("R5_WORKING_AGE", table.start_ordinal < worker.working_age_from.toordinal())

    # R8: 以工代训 subsidizes the employer that hires and trains, never the worker directly.
    fail("R8_WORK_AS_TRAINING", fixed.work_as_training)

    # R9: each training type serves its audience (effective groups, so R6 family counts too, and
    # an employment status such as "unemployed" for employment-skills training: 三(一) 培训的重点
    # 是：…下岗失业人员…).
    audience, statuses = settings.training_type_audience, settings.training_type_statuses
    status = worker.employment_status

    def outside_audience(training_type: str) -> bool:
        if training_type not in audience:
            return False
        if status is not None and status in statuses.get(training_type, ()):
            return False
        return not audience[training_type] & worker.effective_groups

    type_refused = table.training_type_is(outside_audience)
    # 五(四) 准入类职业工种上岗前必须参加技能培训及鉴定, and 四(三)2 lists 特种作业操作证书 among the
    # subsidized certificates: a special-operation *initial* course (取证) is how anyone becomes
    # able to take such a post, so it is open to every job seeker, not only to current staff.
    type_refused &= fixed.not_initial
    # A refresher (复审) renews a special-operation certificate: it is for its holders, whoever
    # they are, and for nobody else.
    holder = np.zeros(n, bool)
    for occupation in worker.special_operation_held:
        index = table.occupation_index.get(occupation)
        if index is not None:
            holder |= table.occupation == index
    type_refused = (type_refused & ~refresher) | (refresher & ~holder)
    fail("R9_TRAINING_TYPE_AUDIENCE", type_refused)
    # A class reserved for named groups (专班, reserved_for) is for those groups only. Groups a
    # course is merely aimed at (target_groups) are a ranking term, not a rule.
    fail(
        "R9_TARGET_GROUPS",
        (table.reserved_for != 0) & ((table.reserved_for & np.uint32(worker.group_mask)) == 0),
    )

    failed = _pack(failures, n)
    eligible = failed == 0
    # Multiplying by the mask (not np.where) is the cheap way to zero ineligible rows.
    subsidy = table.subsidy_cny * eligible

    # R7: 在参加就业技能培训和创业培训期间，按规定发放生活费补贴.
    if worker.living_allowance_group:
        allowance = eligible & fixed.allowance_types
    else:
        allowance = np.zeros(n, bool)
    if not worker.living_allowance_group:
        allowance_cny = np.zeros(n)
    elif settings.living_allowance_basis == "per_day":
        allowance_cny = (table.duration_days * settings.living_allowance_cny) * allowance
    else:
        allowance_cny = np.full(n, settings.living_allowance_cny) * allowance

    # R10: 重点群体免费接受职业培训, where the course takes part in the action.
    if worker.free_training_group:
        free = eligible & table.free_for_key_groups
    else:
        free = np.zeros(n, bool)

    # R11: 安全技能培训合格后上岗. The flag marks the matching safety course; it never blocks and
    # does not depend on the subsidy, because the worker needs that course either way.
    post_index = (
        table.occupation_index.get(worker.safety_post) if worker.safety_post is not None else None
    )
    if post_index is None:
        safety_first = np.zeros(n, bool)
    else:
        safety_first = (table.occupation == post_index) & fixed.safety_training

    # R12: 项目制培训 may receive up to the configured share of the subsidy in advance.
    advance = (subsidy * settings.advance_payment_share) * table.project_based

    return RuleArrays(
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
