"""Training outcomes per course and per institution, each rate with its n and a Wilson interval.

Rates are over *finished* trainings (completed or dropped): a training still running has no
outcome yet, and counting it as a failure would punish institutions that are growing. The
interval is Wilson's score interval (95% by default), which stays inside [0, 1] and stays wide for
small cohorts, so three out of three never looks like a certain 100%.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from stats.archive import TrainingFact

Z95: Final[float] = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials (``(0, 1)`` when ``n`` is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n``: the rate (``None`` when ``n`` is 0) and its interval."""

    k: int
    n: int
    value: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, k: int, n: int) -> Rate:
        if n == 0:
            return cls(k, 0, None, None, None)
        lo, hi = wilson(k, n)
        return cls(k, n, round(k / n, 4), round(lo, 4), round(hi, 4))


@dataclass(frozen=True)
class Outcome:
    """Outcomes of one course offering or institution over the archive."""

    key: str
    institution_code: str
    credit_rating: str | None
    enrolled: int  # every training started, finished or not
    finished: int  # completed + dropped: the denominator of the three rates below
    completed: int
    certified: int
    dropped: int
    completion_rate: Rate
    certificate_rate: Rate
    dropout_rate: Rate
    seats: int | None  # seats of the classes these trainings were in, when known
    enrolment_rate: Rate | None  # trainees / seats
    subsidy_paid_cny: int
    course_targets: frozenset[str]


def outcomes(facts: Iterable[TrainingFact], key: Callable[[TrainingFact], str | None],
             credit_ratings: Mapping[str, str], seats_of_course: Mapping[int, int] | None = None) -> list[Outcome]:
    """Outcomes grouped by ``key`` (facts with no key are skipped), sorted by key."""
    groups: dict[str, list[TrainingFact]] = {}
    for f in facts:
        k = key(f)
        if k is not None and f.institution_code is not None:
            groups.setdefault(k, []).append(f)
    out = []
    for k, fs in sorted(groups.items()):
        completed = sum(f.status == "completed" for f in fs)
        dropped = sum(f.status == "dropped" for f in fs)
        certified = sum(f.certified for f in fs)
        finished = completed + dropped
        seats: int | None = None
        enrolment: Rate | None = None
        if seats_of_course is not None:
            courses = {f.course_id for f in fs if f.course_id is not None}
            if courses and all(c in seats_of_course for c in courses):
                seats = sum(seats_of_course[c] for c in courses)
                enrolment = Rate.of(min(len(fs), seats), seats) if seats else None
        inst = fs[0].institution_code or ""
        out.append(Outcome(
            key=k, institution_code=inst, credit_rating=credit_ratings.get(inst), enrolled=len(fs),
            finished=finished, completed=completed, certified=certified, dropped=dropped,
            completion_rate=Rate.of(completed, finished), certificate_rate=Rate.of(certified, finished),
            dropout_rate=Rate.of(dropped, finished), seats=seats, enrolment_rate=enrolment,
            subsidy_paid_cny=sum(f.subsidy_cny for f in fs),
            course_targets=frozenset().union(*(f.course_targets for f in fs)),
        ))
    return out


def by_institution(facts: Iterable[TrainingFact], credit_ratings: Mapping[str, str],
                   seats_of_course: Mapping[int, int] | None = None) -> list[Outcome]:
    return outcomes(facts, lambda f: f.institution_code, credit_ratings, seats_of_course)


def by_offering(facts: Iterable[TrainingFact], credit_ratings: Mapping[str, str],
                seats_of_course: Mapping[int, int] | None = None) -> list[Outcome]:
    """Per course offering: every class of one institution's course (occupation, level, type)."""
    return outcomes(facts, lambda f: f.offering, credit_ratings, seats_of_course)
