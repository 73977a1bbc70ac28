"""One worker, one course: the decision with a reason for every rule (a trace, as in Trèfle).

Messages never name a sensitive priority group (PIPL): they say *that* a group rule applied, and
the groups themselves stay in :attr:`Decision.effective_groups`, which the API must filter by role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from catalog.vocabulary import CERTIFICATE_TYPES, COUNTIES, SKILL_LEVELS, TRAINING_TYPES
from policy.archive import counts_toward_limits, subsidy_day
from policy.profile import CourseFacts, WorkerProfile
from policy.rules import RULES, RuleArrays, evaluate
from policy.settings import PolicySettings
from policy.table import NO_LEVEL, CourseTable
from policy.worker_facts import WorkerFacts


@dataclass(frozen=True)
class RuleCheck:
    """The outcome of one rule code for one course.

    For a blocking rule ``passed`` is False when the rule denies the subsidy. An informational
    rule (``blocking`` False) never denies anything; there ``passed`` is False only to flag
    something to act on (R11: take your post's safety course first).
    """

    code: str
    passed: bool
    blocking: bool
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Decision:
    """Whether a worker may take a course with a subsidy, and what comes with it."""

    course_id: int
    eligible: bool
    checks: tuple[RuleCheck, ...]
    subsidy_cny: float  # the course's catalog standard when eligible, else 0
    subsidies_left_this_year: int  # R3, for the year the course ends, before this course
    living_allowance: bool  # R7
    living_allowance_cny: float  # R7 estimate under the configured local standard
    free_training: bool  # R10
    safety_first: bool  # R11
    advance_payment_cny: float  # R12, project-based courses only
    effective_groups: frozenset[str]  # own + R6 family groups; sensitive, filter before showing

    @property
    def failed_codes(self) -> tuple[str, ...]:
        """Codes of the blocking rules that denied the subsidy, in rule order."""
        return tuple(check.code for check in self.checks if check.blocking and not check.passed)


def decide(
    profile: WorkerProfile,
    course: CourseFacts,
    on: date,
    settings: PolicySettings | None = None,
) -> Decision:
    """Decide ``course`` for ``profile`` as of ``on``.

    Runs the same rule code as :func:`policy.decide_many` on a one-row table, then explains it.
    """
    # Dated parameters: the values in force when the course starts (RULES.md).
    settings = (settings or PolicySettings()).on(course.start_date)
    worker = WorkerFacts.of(profile, on, settings)
    arrays = evaluate(worker, CourseTable.from_courses([course]), settings)
    checks = tuple(
        _check(rule.code, rule.blocking, worker, profile, course, arrays, settings)
        for rule in RULES
    )
    return Decision(
        course_id=course.id,
        eligible=bool(arrays.eligible[0]),
        checks=checks,
        subsidy_cny=float(arrays.subsidy_cny[0]),
        subsidies_left_this_year=int(arrays.subsidies_left[0]),
        living_allowance=bool(arrays.living_allowance[0]),
        living_allowance_cny=float(arrays.living_allowance_cny[0]),
        free_training=bool(arrays.free_training[0]),
        safety_first=bool(arrays.safety_first[0]),
        advance_payment_cny=float(arrays.advance_payment_cny[0]),
        effective_groups=worker.effective_groups,
    )


def _check(
    code: str,
    blocking: bool,
    worker: WorkerFacts,
    profile: WorkerProfile,
    course: CourseFacts,
    arrays: RuleArrays,
    settings: PolicySettings,
) -> RuleCheck:
    if blocking:
        passed = not arrays.failed_at(0, code)
    elif code == "R11_SAFETY_FIRST":
        passed = worker.safety_post is None or bool(arrays.safety_first[0])
    else:
        passed = True
    zh, en = _MESSAGES[code](worker, profile, course, arrays, settings, passed)
    return RuleCheck(code=code, passed=passed, blocking=blocking, message_zh=zh, message_en=en)


# ---- sentences, one function per rule code -----------------------------------------------


def _level_zh(level: int | None) -> str:
    return "无等级" if level is None or level == NO_LEVEL else SKILL_LEVELS.get(level, str(level))


def _level_en(level: int | None) -> str:
    return "no level" if level is None or level == NO_LEVEL else f"level {level}"


def _type_zh(training_type: str) -> str:
    return TRAINING_TYPES.get(training_type, training_type)


def _county_zh(county: str) -> str:
    return COUNTIES[county][0] if county in COUNTIES else county


def _certificate_zh(certificate_type: str) -> str:
    return CERTIFICATE_TYPES.get(certificate_type, certificate_type or "无")


Message = tuple[str, str]


def _r1_place(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    places = "、".join(sorted(w.places)) or "—"
    places_en = ", ".join(sorted(w.places)) or "none recorded"
    if not w.places_known and s.missing_place == "unknown":
        return (
            "未登记户籍地、常住地或求职就业地，报名时核实培训地点",
            "No household-registration, residence or job-seeking place recorded; the place is "
            "checked at enrolment",
        )
    if s.place_scope == "county":
        if ok:
            return (
                f"培训地 {_county_zh(c.county)} 是本人户籍地、常住地或求职就业地之一",
                f"Course county {c.county} is one of the worker's places ({places_en})",
            )
        return (
            f"培训地 {_county_zh(c.county)} 不是本人户籍地、常住地或求职就业地（{places}）",
            f"Course county {c.county} is not one of the worker's places ({places_en})",
        )
    worker_in_city = bool(w.places & s.city_counties)
    if ok:
        return (
            f"本人户籍地、常住地或求职就业地在本市，培训地 {_county_zh(c.county)} 在本市",
            f"The worker has a place in the city and course county {c.county} is in the city",
        )
    if not worker_in_city:
        return (
            f"户籍地、常住地、求职就业地（{places}）均不在本市",
            f"None of the worker's places ({places_en}) is in the city",
        )
    return (
        f"培训地 {_county_zh(c.county)} 不在本市",
        f"Course county {c.county} is outside the city",
    )


def _r1_list(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if c.on_county_subsidized_list is None:
        return (
            f"{_county_zh(c.county)} 未发布政府补贴职业工种目录，不限工种",
            f"{c.county} published no subsidized-occupation list; any occupation is subsidized",
        )
    if ok:
        return (
            f"职业 {c.occupation_code} 在 {_county_zh(c.county)} 政府补贴职业工种目录内",
            f"Occupation {c.occupation_code} is on {c.county}'s subsidized-occupation list",
        )
    return (
        f"职业 {c.occupation_code} 不在 {_county_zh(c.county)} 政府补贴职业工种目录内",
        f"Occupation {c.occupation_code} is not on {c.county}'s subsidized-occupation list",
    )


def _r2(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if ok:
        return (
            f"培训后可取得{_certificate_zh(c.certificate_type)}",
            f"The course ends with a subsidized certificate ({c.certificate_type})",
        )
    return (
        f"培训后取得的证书（{_certificate_zh(c.certificate_type)}）不在补贴证书范围内",
        f"The course's certificate ({c.certificate_type or 'none'}) earns no training subsidy",
    )


def _r3(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    year, used, limit = c.end_date.year, int(a.subsidies_used[0]), s.annual_limit
    if ok:
        return (
            f"{year} 年已享受补贴培训 {used} 次（上限 {limit} 次），还可享受 {limit - used} 次",
            f"{used} subsidized training(s) ending in {year} so far (limit {limit}); "
            f"{limit - used} left",
        )
    return (
        f"{year} 年已享受补贴培训 {used} 次，已达每年 {limit} 次上限",
        f"Already {used} subsidized trainings ending in {year} (limit {limit})",
    )


def _r4_repeat(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if ok:
        return (
            f"未享受过 {c.occupation_code} {_level_zh(c.level)} 的培训补贴",
            f"No subsidized training yet in {c.occupation_code} at {_level_en(c.level)}",
        )
    # The trainings R4 counted (policy.archive), with the year R3 counts each in.
    days = [
        subsidy_day(t)
        for t in p.trainings
        if counts_toward_limits(t) and t.occupation_code == c.occupation_code and t.level == c.level
    ]
    ended = [day.year for day in days if day is not None]
    when = f"（{min(ended)} 年）" if ended else ""
    when_en = f" (ending {min(ended)})" if ended else ""
    return (
        f"已享受过 {c.occupation_code} {_level_zh(c.level)} 的培训补贴{when}，同一职业同一等级不可重复享受",
        f"Already had a subsidized training in {c.occupation_code} at {_level_en(c.level)}"
        f"{when_en}; the same occupation and level is subsidized once",
    )


def _r4_lower(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if not s.lower_level_rule:
        return ("已持证等级规则未启用", "The held-level rule is switched off")
    held = w.held_levels.get(c.occupation_code)
    if ok:
        if held is None or c.level is None:
            return (
                f"未持有 {c.occupation_code} 的等级证书，或本培训无等级",
                f"No levelled certificate held in {c.occupation_code}, or the course has no level",
            )
        return (
            f"已持 {_level_zh(held)} 证书，本培训 {_level_zh(c.level)} 更高",
            f"Holds {_level_en(held)} in {c.occupation_code}; the course's {_level_en(c.level)} "
            "is higher",
        )
    return (
        f"已持有 {c.occupation_code} {_level_zh(held)} 证书，本培训 {_level_zh(c.level)} 不高于已持等级",
        f"Already holds {_level_en(held)} in {c.occupation_code}; a course at "
        f"{_level_en(c.level)} is not above it",
    )


def _r5_pension(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if ok:
        return ("不按月领取养老金", "Draws no monthly pension")
    return (
        "按月领取养老金的人员不在补贴政策范围内",
        "People who draw a monthly pension are outside the subsidy policy",
    )


def _r5_age(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if w.working_age_from is None:
        return ("出生日期未知，未检查劳动年龄", "Birth date unknown; working age not checked")
    if ok:
        return (
            f"开班时已满 {s.min_working_age} 周岁",
            f"At least {s.min_working_age} years old when the course starts",
        )
    return (
        f"开班日 {c.start_date.isoformat()} 未满 {s.min_working_age} 周岁"
        f"（{w.working_age_from.isoformat()} 满）",
        f"Under {s.min_working_age} on the start date {c.start_date.isoformat()} "
        f"(reaches it on {w.working_age_from.isoformat()})",
    )


def _r6(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if w.family_groups:
        return (
            "直系亲属为贫困人员或重度残疾人，本人按其身份享受同等培训待遇",
            "An immediate family member is poor or severely disabled; the worker is treated on "
            "the same terms",
        )
    return ("不适用直系亲属延伸", "No family extension applies")


def _r7(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if bool(a.living_allowance[0]):
        amount = float(a.living_allowance_cny[0])
        return (
            f"{_type_zh(c.training_type)}期间可按规定领取生活费补贴，约 {amount:.0f} 元",
            f"Living allowance during {c.training_type} training, about {amount:.0f} CNY",
        )
    if c.training_type not in s.living_allowance_training_types:
        return (
            f"{_type_zh(c.training_type)}不发放生活费补贴",
            f"No living allowance for {c.training_type} training",
        )
    if not w.living_allowance_group:
        return (
            "不属于生活费补贴对象",
            "Not in a group that receives a living allowance",
        )
    return ("不符合补贴条件，无生活费补贴", "Not eligible for the subsidy, so no living allowance")


def _r8(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if ok:
        return ("非以工代训项目", "Not a work-as-training scheme")
    return (
        "以工代训补贴发给吸纳就业的企业（最长 6 个月），不向个人推荐",
        "Work-as-training pays the hiring employer (at most 6 months), not the worker",
    )


def _r9_type(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    name = _type_zh(c.training_type)
    if c.stage == "refresher":
        if ok:
            return (
                f"持有 {c.occupation_code} 特种作业操作证，可参加复审培训",
                f"Holds a special-operation certificate in {c.occupation_code}: may take its refresher",
            )
        return (
            f"复审培训面向已持有 {c.occupation_code} 特种作业操作证的人员",
            f"A refresher is for holders of a special-operation certificate in {c.occupation_code}",
        )
    if c.stage == "initial":
        return (
            "特种作业初训（取证）面向所有拟从事该工种的劳动者",
            "A special-operation initial course is open to anyone who wants to work in it",
        )
    if c.training_type not in s.training_type_audience:
        return (f"{name}不限人群", f"{c.training_type} training is open to everyone")
    if ok:
        return (f"本人属于{name}的适用人群", f"The worker is in the audience of {c.training_type}")
    return (
        f"本人不属于{name}的适用人群",
        f"The worker is not in the audience of {c.training_type} training",
    )


def _r9_target(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if not c.reserved_for:
        return ("非专班，不限群体", "Not a reserved class: open to all groups")
    if ok:
        return ("本人属于专班招收的群体", "The worker is in one of the groups the class is reserved for")
    return (
        "本人不属于专班招收的群体",
        "The worker is in none of the groups the class is reserved for",
    )


def _r10(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if bool(a.free_training[0]):
        return ("重点群体免费接受职业培训", "Free training for a key group")
    if not c.free_for_key_groups:
        return ("本项目未纳入重点群体免费培训", "The course is not part of free training for key groups")
    if not w.free_training_group:
        return ("不属于免费培训重点群体", "Not in a key group for free training")
    return ("不符合补贴条件，不能免费培训", "Not eligible for the subsidy, so not free")


def _r11(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if w.safety_post is None:
        if c.occupation_access_restricted:
            return (
                "准入类职业：须经培训考核合格后从业",
                "Access-restricted occupation: train and pass the assessment before working in it",
            )
        return ("无需先行安全技能培训", "No safety training is due first")
    if bool(a.safety_first[0]):
        return (
            f"现岗位 {w.safety_post} 无有效特种作业操作证：本安全技能培训应优先参加",
            f"No valid special-operation certificate for the post {w.safety_post}: "
            "take this safety course first",
        )
    return (
        f"现岗位 {w.safety_post} 无有效特种作业操作证，应先参加该岗位安全技能培训",
        f"No valid special-operation certificate for the post {w.safety_post}: "
        "the safety course for that post comes first",
    )


def _r12(
    w: WorkerFacts, p: WorkerProfile, c: CourseFacts, a: RuleArrays, s: PolicySettings, ok: bool
) -> Message:
    if not c.project_based:
        return ("非项目制培训，不先行拨付", "Not project-based; no advance payment")
    advance = float(a.advance_payment_cny[0])
    share = f"{s.advance_payment_share:.0%}"
    return (
        f"项目制培训可先行拨付不高于 {share} 的补贴，约 {advance:.0f} 元",
        f"Project-based: up to {share} of the subsidy may be paid in advance, {advance:.0f} CNY",
    )


_MESSAGES = {
    "R1_PLACE": _r1_place,
    "R1_SUBSIDIZED_LIST": _r1_list,
    "R2_CERTIFICATE": _r2,
    "R3_ANNUAL_LIMIT": _r3,
    "R4_NO_REPEAT": _r4_repeat,
    "R4_LOWER_LEVEL": _r4_lower,
    "R5_PENSION": _r5_pension,
    "R5_WORKING_AGE": _r5_age,
    "R6_FAMILY": _r6,
    "R7_LIVING_ALLOWANCE": _r7,
    "R8_WORK_AS_TRAINING": _r8,
    "R9_TRAINING_TYPE_AUDIENCE": _r9_type,
    "R9_TARGET_GROUPS": _r9_target,
    "R10_FREE_TRAINING": _r10,
    "R11_SAFETY_FIRST": _r11,
    "R12_ADVANCE_PAYMENT": _r12,
}
