"""Does a course contradict the rules? The catalog import asks before it accepts a row.

A class reserved for a group (专班, ``reserved_for``) that a plain member of that very group may
not take is a publishing error: nobody could ever be subsidized on it, and the counselor would be
shown a course that every client is refused. Only rules that depend on the course alone are
asked (R2 certificate, R9 training-type audience); the person's own history, age, place and the
county lists that change over time are not the course's fault, and R8 work-as-training is the
employer's subsidy by design.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from policy.decision import decide
from policy.profile import Certificate, CourseFacts, WorkerProfile
from policy.settings import PolicySettings
from policy.table import REFRESHER
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
