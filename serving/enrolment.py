"""Recording an enrolment or a completion with the rules and the course's availability checked.

A subsidized enrolment the rules refuse, an enrolment past the deadline, in a full course or in
one that has ended is refused with the codes that refuse it, unless a counselor overrides with a
written reason; the override is kept on the record and in the audit trail. Dates beyond a small
tolerance in the future are refused: an archive records what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from access.keys import Principal
from policy import PolicySettings, decide
from policy.availability import AVAILABILITY_TEXT, availability
from policy.date_bounds import DEFAULT_FUTURE_TOLERANCE_DAYS, training_problems
from serving.snapshot import CatalogSnapshot
from workers.profiles import to_profile
from workers.service import ProfileError, add_training, audit, update_training
from workers.tables import TrainingRecord, Worker

MIN_OVERRIDE_REASON = 10


@dataclass(frozen=True)
class Refusal:
    code: str
    message_zh: str
    message_en: str


class EnrolmentRefused(Exception):
    """The rules or the course's availability refuse this record; no override was given."""

    def __init__(self, refusals: tuple[Refusal, ...]) -> None:
        super().__init__(", ".join(r.code for r in refusals))
        self.refusals = refusals

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.refusals)


def check_dates(data: dict[str, Any], today: date, tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS) -> None:
    """The dates the client gave, by the rules the import applies (``policy/date_bounds.py``)."""
    for field, message in training_problems(data, today, tolerance_days).items():
        raise ProfileError(field, message)


def refusals_for(worker: Worker, course_id: int, data: dict[str, Any], *, snapshot: CatalogSnapshot,
                 settings: PolicySettings, today: date) -> tuple[Refusal, ...]:
    """Why recording ``data`` for ``course_id`` would break the rules or the course's limits."""
    row = snapshot.row_of.get(course_id)
    if row is None:
        raise ProfileError("course_id", f"no course with id {course_id}")
    item = snapshot.items[row]
    found: list[Refusal] = []
    status = data.get("status")
    if data.get("subsidized") and status != "dropped":
        decision = decide(to_profile(worker), item.facts, today, settings)
        found += [Refusal(c.code, c.message_zh, c.message_en)
                  for c in decision.checks if c.blocking and not c.passed]
    if status == "enrolled":
        facts = availability(item.seats_left, item.enrol_deadline, item.facts.end_date, today)
        found += [Refusal(code, *AVAILABILITY_TEXT[code]) for code in facts.codes]
    return tuple(found)


def record_training(session: Session, principal: Principal, worker: Worker, data: dict[str, Any], *,
                    snapshot: CatalogSnapshot, settings: PolicySettings, today: date,
                    tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS) -> TrainingRecord:
    """Add an enrolment or completion to the archive, checked; ``override_reason`` lets a
    counselor record what the checks refuse (kept on the record, audited)."""
    data = dict(data)
    reason = (data.pop("override_reason", None) or "").strip()
    check_dates(data, today, tolerance_days)
    refusals: tuple[Refusal, ...] = ()
    if data.get("course_id") is not None:
        refusals = refusals_for(worker, data["course_id"], data, snapshot=snapshot, settings=settings, today=today)
    if refusals and not reason:
        raise EnrolmentRefused(refusals)
    if refusals and len(reason) < MIN_OVERRIDE_REASON:
        raise ProfileError("override_reason", f"say why in at least {MIN_OVERRIDE_REASON} characters")
    if refusals:
        data["override_reason"] = reason
        data["override_codes"] = [r.code for r in refusals]
        data["override_by"] = principal.user_id
    record = add_training(session, principal, worker, data)
    if refusals:
        audit(session, principal, "override", worker.id, ["trainings", *(r.code for r in refusals)])
    return record


def change_training(session: Session, principal: Principal, worker: Worker, training_id: int,
                    data: dict[str, Any], *, today: date,
                    tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS) -> TrainingRecord:
    """Record what happened to an enrolment (completion, certificate, drop-out), dates checked."""
    record = next((t for t in worker.trainings if t.id == training_id), None)
    # An end or a completion is checked against the enrolment it closes.
    check_dates({"enrolled_on": record.enrolled_on, **data} if record else data, today, tolerance_days)
    return update_training(session, principal, worker, training_id, data)
