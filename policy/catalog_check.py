"""Does a course contradict the rules? The catalog import asks before it accepts a row.

A class reserved for a group (专班, ``reserved_for``) that a plain member of that very group may
not take is a publishing error: nobody could ever be subsidized on it, and the counselor would be
shown a course that every client is refused. Only rules that depend on the course alone are
asked (R2 certificate, R9 training-type audience); the person's own history, age, place and the
county lists that change over time are not the course's fault, and R8 work-as-training is the
employer's subsidy by design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from policy.bulk import decide_many
from policy.decision import decide
from policy.profile import Certificate, CourseFacts, WorkerProfile
from policy.rules import RULE_BITS
from policy.settings import PolicySettings
from policy.table import REFRESHER, CourseTable
from policy.worker_facts import SPECIAL_OPERATION_CERTIFICATE

# Blocking codes that are about the course, not the person.
COURSE_CODES: tuple[str, ...] = ("R2_CERTIFICATE", "R9_TRAINING_TYPE_AUDIENCE")
ADULT_YEARS = 30


@dataclass(frozen=True)
class GroupRefusal:
    """A reserved group whose plain member the rules refuse, and why."""

    group: str
    codes: tuple[str, ...]
    message_en: str

    def __str__(self) -> str:
        return (f"reserved for {self.group}, but the rules refuse a member of that group: "
                f"{', '.join(self.codes)} ({self.message_en})")


def member_of(group: str, course: CourseFacts) -> WorkerProfile:
    """A plain member of ``group`` who wants ``course``: an adult living in its county, with no
    history, no pension and only that group; for a refresher, the certificate it renews."""
    start = course.start_date
    certificates: tuple[Certificate, ...] = ()
    if course.stage == REFRESHER:
        certificates = (Certificate(course.occupation_code, None, SPECIAL_OPERATION_CERTIFICATE),)
    return WorkerProfile(
        birth_date=date(start.year - ADULT_YEARS, 1, 1),
        hukou_county=course.county,
        priority_groups=frozenset({group}),
        certificates=certificates,
    )


def reserved_group_refusals(
    course: CourseFacts, settings: PolicySettings | None = None
) -> list[GroupRefusal]:
    """Each group of ``course.reserved_for`` whose plain member cannot take the course."""
    settings = settings or PolicySettings()
    # The list in force and the worker's place are not the course's contradiction.
    course = replace(course, on_county_subsidized_list=None)
    refusals = []
    for group in sorted(course.reserved_for):
        decision = decide(member_of(group, course), course, course.start_date, settings)
        codes = tuple(code for code in decision.failed_codes if code in COURSE_CODES)
        if codes:
            message = next(c.message_en for c in decision.checks if c.code == codes[0])
            refusals.append(GroupRefusal(group, codes, message))
    return refusals


def reserved_group_refusals_many(
    courses: Sequence[CourseFacts], settings: PolicySettings | None = None
) -> list[list[GroupRefusal]]:
    """:func:`reserved_group_refusals` for a whole batch, one vectorized pass per group.

    A catalog import checks thousands of rows; the rules asked here do not depend on the member's
    place, age or history, so one member per group (holding every special-operation certificate a
    refresher of the batch renews) stands for all of them. Only refused rows are explained again,
    one by one, for their message.
    """
    settings = settings or PolicySettings()
    out: list[list[GroupRefusal]] = [[] for _ in courses]
    rows = [i for i, c in enumerate(courses) if c.reserved_for]
    if not rows:
        return out
    batch = [replace(courses[i], on_county_subsidized_list=None) for i in rows]
    table = CourseTable.from_courses(batch)
    renewed = tuple(Certificate(code, None, SPECIAL_OPERATION_CERTIFICATE)
                    for code in sorted({c.occupation_code for c in batch if c.stage == REFRESHER}))
    course_bits = np.uint32(sum(RULE_BITS[code] for code in COURSE_CODES))
    suspects: set[int] = set()
    for group in sorted({g for c in batch for g in c.reserved_for}):
        member = WorkerProfile(priority_groups=frozenset({group}), certificates=renewed)
        decided = decide_many(member, table, batch[0].start_date, settings)
        refused = (decided.failed & course_bits) != 0
        for j in np.flatnonzero(refused):
            if group in batch[j].reserved_for:
                suspects.add(int(j))
    for k in sorted(suspects):
        out[rows[k]] = reserved_group_refusals(courses[rows[k]], settings)
    return out
