"""Creating, reading, changing and deleting worker profiles and training records, with the
access rules and an audit entry for every read or write. No Flask here: the HTTP layer and the
bulk import both call these functions."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from access.keys import Principal
from catalog.tables import County, Course, JobCenter, utcnow
from policy.date_bounds import DEFAULT_FUTURE_TOLERANCE_DAYS, profile_problems
from workers import identity
from workers.access import can_edit, can_see
from workers.audit_trail import TRAIL_KEY, AuditTrail
from workers.consent import PURPOSES, record_consent
from workers.profiles import approximate
from workers.tables import AuditEntry, FamilyLink, TrainingRecord, Worker, WorkerCertificate

OUTSIDE_CITY = "other"
CONSENT_FIELDS = tuple(PURPOSES.values())


class WorkerNotFound(LookupError):
    """No such worker, or not one the caller may see (the two are not told apart)."""


class ProfileError(ValueError):
    """A value that passed its schema but not the domain (unknown county, foreign relative...)."""

    def __init__(self, field: str, message: str, *, check: AuditEntry | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        # An audit entry that must outlive the rolled-back request (a lookup of an ID number).
        self.check = check


class DuplicateWorker(ProfileError):
    """Another profile has the same national ID number.

    Carries what the caller needs to act (the job center that holds the person, and how to ask
    for a transfer) and the audit entry of the check, which must outlive the rolled-back request."""

    def __init__(self, field: str, message: str, *, held_by: str | None = None,
                 check: AuditEntry | None = None) -> None:
        super().__init__(field, message, check=check)
        self.held_by = held_by


def audit(session: Session, principal: Principal | None, action: str, worker_id: int | None,
          fields: list[str] | tuple[str, ...], *, national_id_hash: str | None = None,
          worker_ids: list[int] | None = None) -> AuditEntry:
    """Record who read or changed which fields of which worker(s).

    A read in a session that carries an :class:`~workers.audit_trail.AuditTrail` (a web request
    that changes nothing) goes to that trail, written beside the request; everything else is added
    to ``session`` and commits or rolls back with the change it records."""
    entry = AuditEntry(at=utcnow(), key_id=principal.key_id if principal else None,
                       user_id=principal.user_id if principal else None,
                       role=principal.role if principal else "cli", action=action,
                       worker_id=worker_id, worker_ids=sorted(set(worker_ids)) if worker_ids is not None else None,
                       fields=sorted(set(fields)), national_id_hash=national_id_hash)
    trail: AuditTrail | None = session.info.get(TRAIL_KEY)
    if action == "read" and trail is not None:
        trail.record(entry)
    else:
        session.add(entry)
    return entry


def id_number_check(session: Session, principal: Principal | None, digest: str,
                    worker: Worker) -> None:
    """Whether a number may be written to ``worker``; every check is audited (caller + keyed hash).

    Telling a caller that a number is registered is an answer about a person, so it is never
    given without a trace: the entry names the caller and the hash, never the number."""
    other = session.scalar(select(Worker).where(Worker.national_id_hash == digest))
    if other is None or other.id == worker.id:
        return  # the create or update entry that follows carries the hash
    entry = AuditEntry(key_id=principal.key_id if principal else None,
                       role=principal.role if principal else "cli", action="id_check",
                       worker_id=worker.id, fields=["registered_elsewhere"], national_id_hash=digest)
    center = session.get(JobCenter, other.job_center_id)
    code = center.code if center else "?"
    if principal is not None and principal.role == "counselor" and other.job_center_id == principal.job_center_id:
        raise DuplicateWorker("national_id", f"a profile of your own job center (id {other.id}) has this ID number",
                              held_by=code, check=entry)
    raise DuplicateWorker(
        "national_id",
        f"this person is registered at job center {code}; a job center holds one profile per person. "
        f"To serve them here, ask for a transfer (POST /v1/transfers with the ID number they present); "
        f"{code} or an admin approves it.", held_by=code, check=entry)


# What ranking and the rules read of a stored worker, loaded with the row in one query (the
# lazy loads cost a query per collection and per relative: ~20% of a recommendation's CPU).
FACTS = (joinedload(Worker.certificates), joinedload(Worker.trainings),
         joinedload(Worker.family_links).joinedload(FamilyLink.relative))


def get_worker(session: Session, principal: Principal, worker_id: int, *, for_edit: bool = False,
               with_facts: bool = False) -> Worker:
    worker = session.get(Worker, worker_id, options=FACTS if with_facts else ())
    if worker is None or not (can_edit if for_edit else can_see)(principal, worker):
        raise WorkerNotFound(worker_id)
    return worker


def _check_county(session: Session, field: str, code: str | None) -> None:
    if code is None or code == OUTSIDE_CITY:
        return
    if session.get(County, code) is None:
        raise ProfileError(field, f"unknown county {code!r} (use a county code or {OUTSIDE_CITY!r})")


def _job_center_for(session: Session, principal: Principal | None, code: str | None) -> int:
    counselor = principal is not None and principal.role == "counselor"
    if code is None:
        if counselor:
            assert principal is not None and principal.job_center_id is not None
            return principal.job_center_id  # a counselor's own center by default
        raise ProfileError("job_center", "required: the job center that serves this worker")
    center_id = session.scalar(select(JobCenter.id).where(JobCenter.code == code))
    if counselor and principal is not None and center_id != principal.job_center_id:
        raise ProfileError("job_center", "a counselor registers workers at their own job center only")
    if center_id is None:
        raise ProfileError("job_center", f"unknown job center {code!r}")
    return center_id


def apply_fields(session: Session, worker: Worker, data: dict[str, Any], *, secret_key: str,
                 principal: Principal | None, today: date, consent_channel: str | None = None,
                 tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS) -> list[str]:
    """Set the given fields on ``worker``; return the names of the fields written.

    Consents (``push_opt_in``, ``personalized``) go through :func:`workers.consent.record_consent`
    last, once the profile is complete: history row, audit, pending pushes cancelled on withdrawal."""
    # The same date rules as the import and the inline profile (policy/date_bounds.py).
    for field, message in profile_problems(data, today, tolerance_days).items():
        raise ProfileError(field, message)
    written: list[str] = []
    for field in ("hukou_county", "residence_county", "jobseeking_county"):
        if field in data:
            _check_county(session, field, data[field])
    if "national_id" in data:
        number = data["national_id"]
        if number is None:
            worker.national_id_hash = worker.national_id_masked = None
        else:
            born = identity.birth_date_of(number)
            # Checked before the number is looked up: a mismatching date must not tell "registered
            # elsewhere" (409) from "not registered" (422).
            if data.get("birth_date") not in (None, born):
                raise ProfileError("birth_date", "does not match the birth date in the ID number")
            digest = identity.keyed_hash(secret_key, number)
            id_number_check(session, principal, digest, worker)
            worker.national_id_hash = digest
            worker.national_id_masked = identity.mask(number)
            if "birth_date" not in data:
                worker.birth_date = identity.birth_month(born)
        written.append("national_id")
    if "job_center" in data:
        worker.job_center_id = _job_center_for(session, principal, data["job_center"])
        written.append("job_center")
    if "location" in data:
        loc = data["location"]
        worker.lat = approximate(loc["lat"]) if loc else None
        worker.lon = approximate(loc["lon"]) if loc else None
        written.append("location")
    if "certificates" in data:
        worker.certificates = [WorkerCertificate(**c) for c in data["certificates"]]
        written.append("certificates")
    if "family" in data:
        links = []
        for i, f in enumerate(data["family"]):
            relative = session.get(Worker, f["relative_id"])
            if relative is None or (principal is not None and not can_see(principal, relative)):
                raise ProfileError(f"family.{i}.relative_id", "no such worker")
            if worker.id is not None and relative.id == worker.id:
                raise ProfileError(f"family.{i}.relative_id", "a worker is not their own relative")
            links.append(FamilyLink(relative_id=relative.id, relation=f["relation"]))
        worker.family_links = links
        written.append("family")
    for field, value in data.items():
        if field in ("national_id", "job_center", "location", "certificates", "family", *CONSENT_FIELDS):
            continue
        if field == "birth_date" and "national_id" in data and value is None:
            continue
        if field == "birth_date" and value is not None:
            value = identity.birth_month(value)
        setattr(worker, field, value)
        written.append(field)
    if worker.birth_date and worker.birth_date > today:
        raise ProfileError("birth_date", "is in the future")
    for purpose, flag in PURPOSES.items():
        if flag in data:
            record_consent(session, principal, worker, purpose, bool(data[flag]), at=utcnow(),
                           channel=consent_channel)
            written.append(flag)
    return written


def create_worker(session: Session, principal: Principal | None, data: dict[str, Any], *,
                  secret_key: str, today: date,
                  tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS) -> Worker:
    data = dict(data)
    data.setdefault("job_center", None)
    worker = Worker(priority_groups=[], interests=[])
    written = apply_fields(session, worker, data, secret_key=secret_key, principal=principal, today=today,
                           tolerance_days=tolerance_days)
    session.add(worker)
    session.flush()
    audit(session, principal, "create", worker.id, written,
          national_id_hash=worker.national_id_hash if "national_id" in written else None)
    return worker


def update_worker(session: Session, principal: Principal, worker: Worker, data: dict[str, Any], *,
                  secret_key: str, today: date,
                  tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS) -> Worker:
    written = apply_fields(session, worker, data, secret_key=secret_key, principal=principal, today=today,
                           tolerance_days=tolerance_days)
    session.flush()
    audit(session, principal, "update", worker.id, written,
          national_id_hash=worker.national_id_hash if "national_id" in written else None)
    return worker


def delete_worker(session: Session, principal: Principal, worker: Worker) -> None:
    """Delete a profile; other people's family links to it go too, and each of them is audited
    (their R6 eligibility may change with it)."""
    audit(session, principal, "delete", worker.id, [])
    linked = sorted(set(session.scalars(select(FamilyLink.worker_id).where(FamilyLink.relative_id == worker.id,
                                                                          FamilyLink.worker_id != worker.id))))
    for other in linked:
        audit(session, principal, "family_unlink", other, ["family"])
    session.delete(worker)
    session.flush()
    # The ORM cascade covers the deleted worker's own links; links *to* them are rows of others.
    for other_worker in session.scalars(select(Worker).where(Worker.id.in_(linked))):
        session.expire(other_worker, ["family_links"])


def add_training(session: Session, principal: Principal | None, worker: Worker, data: dict[str, Any]) -> TrainingRecord:
    """Append a record to the worker's archive; a course id fills occupation, level and type."""
    data = dict(data)
    course_id = data.get("course_id")
    if course_id is not None:
        course = session.get(Course, course_id)
        if course is None:
            raise ProfileError("course_id", f"no course with id {course_id}")
        for field, value in (("occupation_code", course.occupation_code), ("level", course.level),
                             ("training_type", course.training_type), ("hours", course.hours),
                             ("online_hours", course.online_hours), ("end_date", course.end_date),
                             ("stage", course.stage)):
            data.setdefault(field, value)
    for field in ("occupation_code", "training_type"):
        if not data.get(field):
            raise ProfileError(field, "required unless course_id is given")
    _check_training(data)
    record = TrainingRecord(worker_id=worker.id, **data)
    session.add(record)
    session.flush()
    audit(session, principal, "update", worker.id, ["trainings"])
    return record


def update_training(session: Session, principal: Principal | None, worker: Worker, training_id: int,
                    data: dict[str, Any]) -> TrainingRecord:
    """Record what happened to an enrolment: completion with the certificate earned, a drop-out,
    the subsidy paid. What was trained (course, occupation, level, type) is not changed here."""
    record = next((t for t in worker.trainings if t.id == training_id), None)
    if record is None:
        raise WorkerNotFound(training_id)
    merged = {f: getattr(record, f) for f in ("status", "enrolled_on", "completed_on", "hours", "online_hours")}
    merged.update(data)
    _check_training(merged)
    for field, value in data.items():
        setattr(record, field, value)
    session.flush()
    audit(session, principal, "update", worker.id, ["trainings"])
    return record


def _check_training(data: dict[str, Any]) -> None:
    if data.get("status") == "completed" and data.get("completed_on") is None:
        raise ProfileError("completed_on", "required when status is completed")
    if (data.get("online_hours") or 0) > (data.get("hours") or 0):
        raise ProfileError("online_hours", "must not exceed hours")
    completed, enrolled = data.get("completed_on"), data.get("enrolled_on")
    if completed is not None and enrolled is not None and completed < enrolled:
        raise ProfileError("completed_on", "must not be before enrolled_on")
