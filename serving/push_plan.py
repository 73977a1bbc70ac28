"""A day's pushes: who gets which course, under the caps, and what the notification may say.

Pure functions over plain values (the job in ``training_jobs/push_plan.py`` loads and stores).

Assignment
----------
Every (worker, course) pair where the course is in the worker's own top ``k`` today (the one-pass
audiences) is a candidate; the best fits go first — the course's place in the worker's list, then
its score — and a pair is taken while:

- the worker was never pushed this course (on any day);
- the worker has fewer than ``per_day`` pushes planned for the day and ``per_week`` in the seven
  days ending with it;
- the course has fewer than ``per_seat`` x open seats pushes planned in all (a course with 9 seats
  pushed to 545 people disappoints 536 of them).

Ties are broken by course id, then worker id, so a plan is reproducible and a second run of the
same day with the same data adds nothing.

Quiet hours
-----------
Nothing is delivered between ``quiet_start`` and ``quiet_end`` (local time): a day's pushes are
due at ``quiet_end`` on the plan date.

Payloads
--------
A notification shows on a lock screen, so it carries only the course's title, institution, town,
start date and subsidy — never anything about the worker. A course aimed at a sensitive group
(disability, low income, community correction) would tell whoever sees the phone that its owner
is in that group, by its title or by the institution's name (a disability training base): such a
course is pushed with the generic title and without the institution, and opened in the app.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from catalog.vocabulary import COUNTIES
from policy.disclosure import reveals_sensitive_group
from recommender.items import CourseItem
from serving.push import GENERIC_TITLE

#: Every key a push payload may hold; a test checks every payload of a generated plan against it.
PAYLOAD_KEYS: Final = frozenset({"course_id", "title_zh", "title_en", "generic_title", "institution_name_zh",
                                 "town_zh", "start_date", "subsidy_cny"})


@dataclass(frozen=True)
class PushCaps:
    """Limits of the daily plan (settings)."""

    per_day: int = 1
    per_week: int = 3
    per_seat: int = 10
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    timezone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if self.per_day < 0 or self.per_week < 0 or self.per_seat < 0:
            raise ValueError("push caps must not be negative")


@dataclass(frozen=True)
class Candidate:
    """A course in a worker's own list today."""

    worker_id: int
    course_id: int
    position: int  # 1-based place in the worker's list
    score: float


@dataclass
class PushHistory:
    """What earlier plans hold, as far as today's caps are concerned."""

    pairs: set[tuple[int, int]] = field(default_factory=set)  # (worker, course) ever planned
    this_week: Counter[int] = field(default_factory=Counter)  # worker -> pushes in the 7 days ending today
    today: Counter[int] = field(default_factory=Counter)  # worker -> pushes planned for today
    by_course: Counter[int] = field(default_factory=Counter)  # course -> pushes planned on any day


def assign(candidates: Iterable[Candidate], *, caps: PushCaps, seats_left: Mapping[int, int],
           history: PushHistory) -> list[Candidate]:
    """The pairs to push today, best fits first (see the module docstring)."""
    chosen: list[Candidate] = []
    today = Counter(history.today)
    week = Counter(history.this_week)
    per_course = Counter(history.by_course)
    for c in sorted(candidates, key=lambda c: (c.position, -c.score, c.course_id, c.worker_id)):
        if (c.worker_id, c.course_id) in history.pairs:
            continue
        if today[c.worker_id] >= caps.per_day or week[c.worker_id] >= caps.per_week:
            continue
        if per_course[c.course_id] >= caps.per_seat * max(seats_left.get(c.course_id, 0), 0):
            continue
        chosen.append(c)
        today[c.worker_id] += 1
        week[c.worker_id] += 1
        per_course[c.course_id] += 1
    return chosen


def due_at(day: date, caps: PushCaps) -> datetime:
    """When a push planned for ``day`` may go out: the end of the night's quiet hours."""
    return datetime.combine(day, caps.quiet_end, tzinfo=ZoneInfo(caps.timezone))


def in_quiet_hours(moment: datetime, caps: PushCaps) -> bool:
    """Whether ``moment`` falls in the quiet hours (local time; the window may span midnight)."""
    local = moment.astimezone(ZoneInfo(caps.timezone)).time()
    if caps.quiet_start <= caps.quiet_end:
        return caps.quiet_start <= local < caps.quiet_end
    return local >= caps.quiet_start or local < caps.quiet_end


def payload(course: CourseItem) -> dict[str, Any]:
    """What the notification shows (see the module docstring): course facts only."""
    generic = reveals_sensitive_group(course.facts.target_groups)
    title_zh, title_en = GENERIC_TITLE if generic else (course.title_zh, course.title_en)
    county = COUNTIES.get(course.facts.county)
    return {
        "course_id": course.id, "title_zh": title_zh, "title_en": title_en, "generic_title": generic,
        "institution_name_zh": None if generic else course.institution_name_zh,
        "town_zh": county[0] if county else None,
        "start_date": course.facts.start_date.isoformat(),
        "subsidy_cny": round(float(course.facts.subsidy_cny), 2),
    }


def week_start(day: date) -> date:
    """First day of the seven-day window ending with ``day``."""
    return day - timedelta(days=6)
