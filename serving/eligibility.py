"""Use cases: eligibility and subsidy decisions for a stored worker or an inline profile."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from access.keys import Principal
from policy import Decision, decide
from policy.availability import Availability, availability
from policy.profile import WorkerProfile
from serving.errors import NotFound, worker_not_found
from serving.root import Services
from workers.profiles import to_profile
from workers.service import WorkerNotFound, audit, get_worker


def decide_courses(services: Services, session: Session, profile: WorkerProfile,
                   course_ids: Sequence[int]) -> list[Decision]:
    """Decide each course for ``profile`` (every id must name a course, else nothing is decided)."""
    today = services.today()
    snapshot = services.snapshots.get(session, today)
    missing = [cid for cid in course_ids if cid not in snapshot.row_of]
    if missing:
        raise NotFound(f"No course with id {', '.join(map(str, missing))}.")
    return [decide(profile, snapshot.items[snapshot.row_of[cid]].facts, today, services.policy)
            for cid in course_ids]


def for_stored_worker(services: Services, session: Session, principal: Principal, worker_id: int,
                      course_id: int) -> Decision:
    """Whether a registered worker may take one course with a subsidy (audited)."""
    try:
        worker = get_worker(session, principal, worker_id, with_facts=True)
    except WorkerNotFound:
        raise worker_not_found(worker_id) from None
    decision = decide_courses(services, session, to_profile(worker), [course_id])[0]
    audit(session, principal, "read", worker.id, ["eligibility"])
    session.commit()
    return decision


def for_profile(services: Services, session: Session, profile: WorkerProfile,
                course_ids: Sequence[int]) -> list[Decision]:
    """Decisions for an inline profile (nothing is stored)."""
    return decide_courses(services, session, profile, course_ids)


def availability_of(services: Services, session: Session, course_ids: Sequence[int]) -> list[Availability]:
    """Seats, enrolment deadline and end of each course today: facts next to the rule decision."""
    today = services.today()
    snapshot = services.snapshots.get(session, today)
    missing = [cid for cid in course_ids if cid not in snapshot.row_of]
    if missing:
        raise NotFound(f"No course with id {', '.join(map(str, missing))}.")
    items = [snapshot.items[snapshot.row_of[cid]] for cid in course_ids]
    return [availability(it.seats_left, it.enrol_deadline, it.facts.end_date, today) for it in items]
