""""Why nothing?": for one profile, which rules and which availability facts exclude how many
courses, and the nearest misses (courses one condition away) with what would change the answer.

Pure: plain values in (profile, the catalog's course facts and table, availability masks), plain
values out. It runs the same :func:`policy.decide_many` as recommendations, so its counts are the
counts serving uses. Hints never name a sensitive priority group (PIPL).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from catalog.vocabulary import COUNTIES, TRAINING_TYPES
from policy.availability import (
    AVAILABILITY_CODES,
    AVAILABILITY_TEXT,
    COURSE_FULL,
    ENROL_DEADLINE_PASSED,
    AvailabilityArrays,
)
from policy.bulk import decide_many
from policy.profile import CourseFacts, WorkerProfile
from policy.rules import BLOCKING_CODES, RULE_BITS, RULES
from policy.settings import PolicySettings
from policy.table import CourseTable
from policy.worker_facts import WorkerFacts

TITLES = {rule.code: (rule.title_zh, rule.title_en) for rule in RULES}


@dataclass(frozen=True)
class Exclusion:
    """One rule or availability fact and how many courses it excludes."""

    code: str
    title_zh: str
    title_en: str
    courses: int  # courses it excludes (rules: of all; availability: of those the rules allow)
    alone: int  # courses it alone excludes: lift it and they open


@dataclass(frozen=True)
class NearMiss:
    """A course one condition away, and what would change the answer."""

    course_id: int
    code: str
    hint_zh: str
    hint_en: str


@dataclass(frozen=True)
class WhyNothing:
    total_courses: int
    eligible: int  # the rules allow a subsidy
    eligible_and_open: int  # ... and the course can still be joined
    rules: tuple[Exclusion, ...]  # most excluding first; only rules that exclude something
    availability: tuple[Exclusion, ...]
    nearest_misses: tuple[NearMiss, ...]
    summary_zh: str
    summary_en: str


def _county(code: str) -> str:
    return COUNTIES[code][0] if code in COUNTIES else code


def _hint(code: str, course: CourseFacts, worker: WorkerFacts, settings: PolicySettings,
          next_open: dict[tuple[str, int | None], date]) -> tuple[str, str]:
    county = _county(course.county)
    if code == "R1_PLACE":
        if settings.place_scope == "county":
            return (f"若户籍地、常住地或求职就业地在{county}，即可享受补贴",
                    f"Eligible if registered (household, residence or job-seeking) in {course.county}")
        return ("若户籍地、常住地或求职就业地在本市，即可享受补贴",
                "Eligible if registered (household, residence or job-seeking) in the city")
    if code == "R1_SUBSIDIZED_LIST":
        return (f"该职业不在{county}政府补贴职业工种目录内；其他县区的同职业课程可能可以",
                f"The occupation is not on {course.county}'s subsidized list; the same occupation "
                "elsewhere may be")
    if code == "R2_CERTIFICATE":
        return ("该课程结业证书不在补贴范围内；选择颁发职业资格或技能等级证书的同类课程",
                "The course's certificate earns no subsidy; pick one ending with a recognised certificate")
    if code == "R3_ANNUAL_LIMIT":
        year = course.end_date.year
        return (f"{year} 年补贴次数已用完；{year + 1} 年结束的课程可以享受",
                f"This year's subsidies for {year} are used up; a course ending in {year + 1} is open")
    if code == "R4_NO_REPEAT":
        return ("同一职业同一等级已享受过补贴；更高等级的课程可以",
                "The same occupation and level was subsidized before; a higher level is open")
    if code == "R4_LOWER_LEVEL":
        return ("已持有该等级或更高等级证书；更高等级的课程可以",
                "A certificate at this level or above is held; a higher level is open")
    if code == "R5_PENSION":
        return ("按月领取养老金，不在补贴范围；可自费参加",
                "Draws a monthly pension: outside the subsidy policy; may attend self-paid")
    if code == "R5_WORKING_AGE":
        when = worker.working_age_from.isoformat() if worker.working_age_from else "—"
        return (f"{when} 满 {settings.min_working_age} 周岁后开班的课程可以",
                f"Courses starting on or after {when} (age {settings.min_working_age}) are open")
    if code == "R8_WORK_AS_TRAINING":
        return ("以工代训补贴发给企业，不向个人推荐", "Work-as-training is the employer's subsidy")
    if code == "R9_TRAINING_TYPE_AUDIENCE":
        name = TRAINING_TYPES.get(course.training_type, course.training_type)
        return (f"{name}面向特定人群；身份登记为相应人群后可以",
                f"{course.training_type} training is for a set audience; eligible once registered in it")
    if code == "R9_TARGET_GROUPS":
        return ("课程面向特定群体，本人不在其中", "The course is reserved for groups the worker is not in")
    if code == COURSE_FULL:
        later = next_open.get((course.occupation_code, course.level))
        if later is not None:
            return (f"名额已满；有人退出时可递补，同职业同等级下一期 {later.isoformat()} 开班",
                    f"Full; a seat opens if someone drops out, and the next class of this "
                    f"occupation and level starts {later.isoformat()}")
        return ("名额已满；有人退出时可递补", "Full; a seat opens if someone drops out")
    if code == ENROL_DEADLINE_PASSED:
        return (f"报名已于 {course.start_date.isoformat()} 开班前截止；可等待下一期",
                "The enrolment deadline has passed; wait for the next class")
    zh, en = AVAILABILITY_TEXT.get(code, (code, code))
    return zh, en


def why_nothing(profile: WorkerProfile, courses: Sequence[CourseFacts], table: CourseTable,
                avail: AvailabilityArrays, on: date, settings: PolicySettings | None = None,
                *, misses: int = 5) -> WhyNothing:
    """Explain the profile's empty (or short) list over the whole catalog ``courses``/``table``.

    Parameters
    ----------
    courses, table
        The catalog's course facts and the table built from them, in the same row order.
    avail
        Availability masks for those rows on ``on``.
    misses
        At most this many nearest misses, the soonest-starting first.
    """
    settings = settings or PolicySettings()
    n = len(courses)
    bulk = decide_many(profile, table, on, settings)
    worker = WorkerFacts.of(profile, on, settings)
    failed = bulk.failed.astype(np.uint32)
    rule_count = np.zeros(n, np.int8)
    for code in BLOCKING_CODES:
        rule_count += (failed & np.uint32(RULE_BITS[code])) != 0
    eligible = rule_count == 0
    open_ = avail.open
    avail_count = avail.full.astype(np.int8) + avail.deadline_passed + avail.ended
    blockers = rule_count + avail_count

    rules = []
    for code in BLOCKING_CODES:
        hit = (failed & np.uint32(RULE_BITS[code])) != 0
        if hit.any():
            zh, en = TITLES[code]
            rules.append(Exclusion(code, zh, en, int(hit.sum()), int((hit & (rule_count == 1)).sum())))
    rules.sort(key=lambda e: -e.courses)
    availability = []
    for code in AVAILABILITY_CODES:
        hit = avail.mask(code) & eligible
        if hit.any():
            zh, en = AVAILABILITY_TEXT[code]
            availability.append(Exclusion(code, zh, en, int(hit.sum()), int((hit & (avail_count == 1)).sum())))

    # The next open class per occupation and level, for "a seat opens when…" on full courses.
    next_open: dict[tuple[str, int | None], date] = {}
    for i in np.flatnonzero(open_).tolist():
        c = courses[i]
        key = (c.occupation_code, c.level)
        if c.start_date >= on and (key not in next_open or c.start_date < next_open[key]):
            next_open[key] = c.start_date

    near: list[int] = np.flatnonzero((blockers == 1) & ~avail.ended).tolist()
    # Soonest start first, courses already under way after those still to start.
    order = sorted(near, key=lambda i: (courses[i].start_date < on, abs((courses[i].start_date - on).days)))
    found = []
    for i in order[:misses]:
        c = courses[i]
        if rule_count[i]:
            code = next(code for code in BLOCKING_CODES if int(failed[i]) & RULE_BITS[code])
        else:
            code = next(code for code in AVAILABILITY_CODES if avail.mask(code)[i])
        zh, en = _hint(code, c, worker, settings, next_open)
        found.append(NearMiss(c.id, code, zh, en))

    ok = int((eligible & open_).sum())
    if ok:
        summary = (f"共 {n} 个课程，其中 {ok} 个可享受补贴且可报名",
                   f"{ok} of {n} courses are subsidized for this profile and open")
    elif eligible.any():
        summary = (f"共 {n} 个课程：{int(eligible.sum())} 个可享受补贴，但均已满员、截止或结束",
                   f"{int(eligible.sum())} of {n} courses are subsidized, none of them open")
    elif rules and rules[0].courses == n:
        summary = (f"全部 {n} 个课程均因“{rules[0].title_zh}”不能享受补贴",
                   f"All {n} courses are excluded by '{rules[0].title_en}'")
    else:
        summary = (f"{n} 个课程均不能享受补贴（见各规则排除数）",
                   f"None of the {n} courses is subsidized (see the counts per rule)")
    return WhyNothing(n, int(eligible.sum()), ok, tuple(rules), tuple(availability), tuple(found),
                      summary[0], summary[1])

