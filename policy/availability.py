"""Whether a course can still be joined: seats, enrolment deadline, end date.

These are facts about the course on a day, not about the worker, and they are kept apart from the
rule decision on purpose: "eligible for 1,200 CNY" and "the class is full" are both true of a full
course, and a counselor needs to see both (the subsidy holds for the next class of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt

COURSE_ENDED: Final = "COURSE_ENDED"
ENROL_DEADLINE_PASSED: Final = "ENROL_DEADLINE_PASSED"
COURSE_FULL: Final = "COURSE_FULL"
# In the order a counselor reads them: an ended course is also past its deadline.
AVAILABILITY_CODES: Final[tuple[str, ...]] = (COURSE_ENDED, ENROL_DEADLINE_PASSED, COURSE_FULL)

AVAILABILITY_TEXT: Final[dict[str, tuple[str, str]]] = {
    COURSE_ENDED: ("培训班已结束", "The course has ended"),
    ENROL_DEADLINE_PASSED: ("已过报名截止日期", "The enrolment deadline has passed"),
    COURSE_FULL: ("名额已满", "No seats left"),
}


@dataclass(frozen=True)
class Availability:
    """One course on one day."""

    seats_left: int
    enrol_deadline: date
    end_date: date
    full: bool
    deadline_passed: bool
    ended: bool

    @property
    def open(self) -> bool:
        return not (self.full or self.deadline_passed or self.ended)

    @property
    def codes(self) -> tuple[str, ...]:
        """The availability codes that stop an enrolment today, in :data:`AVAILABILITY_CODES` order."""
        flags = {COURSE_ENDED: self.ended, ENROL_DEADLINE_PASSED: self.deadline_passed, COURSE_FULL: self.full}
        return tuple(code for code in AVAILABILITY_CODES if flags[code])


def availability(seats_left: int, enrol_deadline: date, end_date: date, on: date) -> Availability:
    return Availability(
        seats_left=max(seats_left, 0), enrol_deadline=enrol_deadline, end_date=end_date,
        full=seats_left <= 0, deadline_passed=enrol_deadline < on, ended=end_date < on,
    )


@dataclass(frozen=True, eq=False)
class AvailabilityArrays:
    """The same facts for every course of a table, as masks (row order of the table)."""

    full: npt.NDArray[np.bool_]
    deadline_passed: npt.NDArray[np.bool_]
    ended: npt.NDArray[np.bool_]

    @property
    def open(self) -> npt.NDArray[np.bool_]:
        return ~(self.full | self.deadline_passed | self.ended)

    def mask(self, code: str) -> npt.NDArray[np.bool_]:
        return {COURSE_ENDED: self.ended, ENROL_DEADLINE_PASSED: self.deadline_passed,
                COURSE_FULL: self.full}[code]

    @classmethod
    def of(cls, seats_left: npt.ArrayLike, enrol_deadline_ordinal: npt.ArrayLike,
           end_ordinal: npt.ArrayLike, on: date) -> AvailabilityArrays:
        today = on.toordinal()
        return cls(full=np.asarray(seats_left) <= 0,
                   deadline_passed=np.asarray(enrol_deadline_ordinal) < today,
                   ended=np.asarray(end_ordinal) < today)
