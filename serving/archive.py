"""Use cases: a worker's training archive (history with credit and R3 count), recording an
enrolment or a completion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from access.keys import Principal
from policy.archive import subsidized_in
from serving import enrolment
from serving.errors import NotFound, worker_not_found
from serving.root import Services
from workers.profiles import credit_hours, policy_training
from workers.service import WorkerNotFound, audit, get_worker
from workers.tables import TrainingRecord, Worker


@dataclass(frozen=True)
class TrainingHistory:
    worker_id: int
    credit_hours: float
    subsidized_this_year: int  # R3's own count (policy.archive), for the current year
    subsidies_left_this_year: int  # R3's limit minus that
    trainings: list[TrainingRecord]


def _worker(session: Session, principal: Principal, worker_id: int, *, for_edit: bool = False) -> Worker:
    try:
        return get_worker(session, principal, worker_id, for_edit=for_edit)
    except WorkerNotFound:
        raise worker_not_found(worker_id) from None


def history(services: Services, session: Session, principal: Principal, worker_id: int) -> TrainingHistory:
    """The worker's archive with accumulated credit hours and this year's subsidized count (audited)."""
    worker = _worker(session, principal, worker_id)
    used = subsidized_in((policy_training(t) for t in worker.trainings), services.today().year)
    audit(session, principal, "read", worker.id, ["trainings"])
    session.commit()
    return TrainingHistory(worker.id, credit_hours(worker, services.online_hours_ratio), used,
                           max(services.policy.annual_limit - used, 0), list(worker.trainings))


def record_training(services: Services, session: Session, principal: Principal, worker_id: int,
                    data: dict[str, Any]) -> TrainingRecord:
    """Record an enrolment or a completion (with the certificate earned), checked against the rules
    and the course's seats, deadline and end (:mod:`serving.enrolment`); ``override_reason`` in
    ``data`` records it over a refusal."""
    worker = _worker(session, principal, worker_id, for_edit=True)
    today = services.today()
    record = enrolment.record_training(session, principal, worker, data, snapshot=services.snapshots.get(session, today),
                                       settings=services.policy, today=today,
                                       tolerance_days=services.future_tolerance_days)
    session.commit()
    return record


def update_training(services: Services, session: Session, principal: Principal, worker_id: int,
                    training_id: int, data: dict[str, Any]) -> TrainingRecord:
    """Record a completion, a drop-out or the subsidy paid (no dates in the future)."""
    worker = _worker(session, principal, worker_id, for_edit=True)
    try:
        record = enrolment.change_training(session, principal, worker, training_id, data, today=services.today(),
                                           tolerance_days=services.future_tolerance_days)
    except WorkerNotFound:
        raise NotFound(f"Worker {worker_id} has no training record {training_id}.") from None
    session.commit()
    return record
