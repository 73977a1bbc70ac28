"""'Why nothing?' over the served catalog snapshot: availability on the day, then the pure
explanation of :func:`policy.why_nothing.why_nothing`."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from access.keys import Principal
from policy import PolicySettings
from policy.availability import AvailabilityArrays
from policy.profile import WorkerProfile
from policy.why_nothing import WhyNothing, why_nothing
from serving.errors import worker_not_found
from serving.root import Services
from serving.snapshot import CatalogSnapshot
from workers.profiles import to_profile
from workers.service import WorkerNotFound, audit, get_worker


def availability_of(snapshot: CatalogSnapshot, on: date) -> AvailabilityArrays:
    items = snapshot.items
    return AvailabilityArrays.of([it.seats_left for it in items],
                                 [it.enrol_deadline.toordinal() for it in items],
                                 [it.facts.end_date.toordinal() for it in items], on)


def explain(snapshot: CatalogSnapshot, profile: WorkerProfile, on: date, settings: PolicySettings) -> WhyNothing:
    return why_nothing(profile, [it.facts for it in snapshot.items], snapshot.table,
                       availability_of(snapshot, on), on, settings)


def for_stored_worker(services: Services, session: Session, principal: Principal, worker_id: int) -> WhyNothing:
    """'Why nothing?' for a registered worker of the caller's center (audited)."""
    try:
        worker = get_worker(session, principal, worker_id, with_facts=True)
    except WorkerNotFound:
        raise worker_not_found(worker_id) from None
    today = services.today()
    result = explain(services.snapshots.get(session, today), to_profile(worker), today, services.policy)
    audit(session, principal, "read", worker.id, ["eligibility"])
    session.commit()
    return result


def for_profile(services: Services, session: Session, profile: WorkerProfile) -> WhyNothing:
    """'Why nothing?' for an inline profile (nothing is stored)."""
    today = services.today()
    return explain(services.snapshots.get(session, today), profile, today, services.policy)
