"""Moving a worker's profile from the job center that holds it to another, with both consenting.

A person is registered at one job center (one profile per ID number). When they turn up at
another, that center asks for a transfer with the number the person presents (it cannot see the
profile yet); the holding center, or an admin, approves; only then does the profile move. An
admin's request or approval is both centers' consent. Every step is audited against the worker
with the caller and the keyed hash of the number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from access.keys import Principal
from catalog.tables import JobCenter
from workers import identity
from workers.service import ProfileError, WorkerNotFound, audit
from workers.tables import TransferRequest, Worker


class TransferError(ProfileError):
    """A transfer that cannot be asked for or decided as requested."""


def _center_id(session: Session, code: str) -> int:
    center_id = session.scalar(select(JobCenter.id).where(JobCenter.code == code))
    if center_id is None:
        raise TransferError("to_job_center", f"unknown job center {code!r}")
    return center_id


def request_transfer(session: Session, principal: Principal, number: str, *, secret_key: str,
                     to_center: str | None, reason: str, now: datetime) -> TransferRequest:
    """The receiving center asks for the profile of the person presenting ``number``."""
    digest = identity.keyed_hash(secret_key, number)
    if principal.role == "counselor":
        assert principal.job_center_id is not None
        if to_center is not None and _center_id(session, to_center) != principal.job_center_id:
            raise TransferError("to_job_center", "a counselor asks for transfers to their own job center only")
        to_id = principal.job_center_id
    else:
        if to_center is None:
            raise TransferError("to_job_center", "required for an admin: the job center to move the profile to")
        to_id = _center_id(session, to_center)
    worker = session.scalar(select(Worker).where(Worker.national_id_hash == digest))
    # Audited whatever the answer: the question itself is about a person.
    check = audit(session, principal, "transfer_ask", worker.id if worker else None,
                  ["found" if worker else "not_found"], national_id_hash=digest)
    if worker is None:
        raise TransferError("national_id", "no job center holds a profile with this ID number; register the person",
                            check=check)
    if worker.job_center_id == to_id:
        raise TransferError("national_id", "the profile is already held by that job center")
    pending = session.scalar(select(TransferRequest).where(TransferRequest.worker_id == worker.id,
                                                           TransferRequest.status == "pending"))
    if pending is not None:
        raise TransferError("national_id", f"a transfer of this profile is already pending (request {pending.id})")
    request = TransferRequest(worker_id=worker.id, from_center_id=worker.job_center_id, to_center_id=to_id,
                              status="pending", reason=reason, requested_by=principal.key_id,
                              to_approved_by=principal.key_id, created_at=now)
    if principal.role == "admin":
        request.from_approved_by = principal.key_id
    session.add(request)
    session.flush()
    _complete_if_agreed(session, principal, request, now)
    return request


def visible_to(principal: Principal, request: TransferRequest) -> bool:
    if principal.role == "admin":
        return True
    return principal.role == "counselor" and principal.job_center_id in (request.from_center_id,
                                                                          request.to_center_id)


def get_transfer(session: Session, principal: Principal, transfer_id: int) -> TransferRequest:
    request = session.get(TransferRequest, transfer_id)
    if request is None or not visible_to(principal, request):
        raise WorkerNotFound(transfer_id)
    return request


def list_transfers(session: Session, principal: Principal) -> list[TransferRequest]:
    stmt = select(TransferRequest).order_by(TransferRequest.id.desc())
    if principal.role != "admin":
        stmt = stmt.where(or_(TransferRequest.from_center_id == principal.job_center_id,
                              TransferRequest.to_center_id == principal.job_center_id))
    return list(session.scalars(stmt.limit(500)))


def approve(session: Session, principal: Principal, request: TransferRequest, now: datetime) -> TransferRequest:
    """The caller's center consents (admin: both); the profile moves once both have."""
    if request.status != "pending":
        raise TransferError("status", f"the request is {request.status}, not pending")
    if principal.role == "admin":
        request.from_approved_by = request.from_approved_by or principal.key_id
        request.to_approved_by = request.to_approved_by or principal.key_id
    elif principal.job_center_id == request.from_center_id:
        request.from_approved_by = principal.key_id
    elif principal.job_center_id == request.to_center_id:
        request.to_approved_by = principal.key_id
    audit(session, principal, "transfer_ok", request.worker_id, [f"transfer:{request.id}"])
    _complete_if_agreed(session, principal, request, now)
    return request


def reject(session: Session, principal: Principal, request: TransferRequest, now: datetime) -> TransferRequest:
    """Either center (or an admin) says no; the requesting center may also withdraw its request."""
    if request.status != "pending":
        raise TransferError("status", f"the request is {request.status}, not pending")
    withdrawn = principal.role == "counselor" and principal.job_center_id == request.to_center_id
    request.status = "cancelled" if withdrawn else "rejected"
    request.decided_at = now
    audit(session, principal, "transfer_no", request.worker_id, [f"transfer:{request.id}"])
    session.flush()
    return request


def _complete_if_agreed(session: Session, principal: Principal, request: TransferRequest, now: datetime) -> None:
    if request.from_approved_by is None or request.to_approved_by is None:
        session.flush()
        return
    worker = session.get(Worker, request.worker_id)
    assert worker is not None
    worker.job_center_id = request.to_center_id
    request.status, request.decided_at = "done", now
    audit(session, principal, "transfer", worker.id, ["job_center", f"transfer:{request.id}"],
          national_id_hash=worker.national_id_hash)
    session.flush()
