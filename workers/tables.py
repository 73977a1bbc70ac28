"""Tables of worker profiles, their certificates, family links, training archive, events and the
audit trail. Sensitive values live only here; the audit trail records field names, never values."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.tables import utcnow
from storage.base import Base


def new_public_id() -> str:
    """The id the app knows a worker by: random (128 bits), so it can be neither walked nor guessed."""
    return "w_" + secrets.token_urlsafe(16)


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Pseudonymous id toward the app and in tokens; the sequential id never leaves the counselors.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    job_center_id: Mapped[int] = mapped_column(ForeignKey("job_centers.id"), index=True)
    # A job center's own reference (its legacy system's id); makes bulk imports idempotent.
    external_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    national_id_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    national_id_masked: Mapped[str | None] = mapped_column(String(18), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # First day of the birth month: the day, beside gender and hukou county, would narrow the ID number.
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str | None] = mapped_column(String(8), nullable=True)
    education: Mapped[str | None] = mapped_column(String(32), nullable=True)
    hukou_county: Mapped[str | None] = mapped_column(String(32), nullable=True)
    residence_county: Mapped[str | None] = mapped_column(String(32), nullable=True)
    jobseeking_county: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    employment_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    draws_pension: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    disability_grade: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rural: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    current_occupation_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_travel_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    online_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    push_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # False: the worker declined profiling (PIPL Art. 24); lists and pushes use no profile.
    # Changed only through workers.consent.record_consent, which keeps the history.
    personalized: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    certificates: Mapped[list[WorkerCertificate]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="WorkerCertificate.id")
    family_links: Mapped[list[FamilyLink]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", foreign_keys="FamilyLink.worker_id")
    trainings: Mapped[list[TrainingRecord]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="TrainingRecord.id")

    # A deleted worker's id is never given to someone else (SQLite would reuse the highest rowid),
    # so audit entries keep pointing at the person they were about.
    __table_args__ = (UniqueConstraint("job_center_id", "external_ref"), {"sqlite_autoincrement": True})


class WorkerCertificate(Base):
    __tablename__ = "worker_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    occupation_code: Mapped[str] = mapped_column(String(16))
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    certificate_type: Mapped[str] = mapped_column(String(32))
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    worker: Mapped[Worker] = relationship(back_populates="certificates")


class FamilyLink(Base):
    """An immediate family member who is also a registered worker (R6)."""

    __tablename__ = "family_links"

    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True)
    relative_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True)
    relation: Mapped[str] = mapped_column(String(16))
    worker: Mapped[Worker] = relationship(back_populates="family_links", foreign_keys=[worker_id])
    relative: Mapped[Worker] = relationship(foreign_keys=[relative_id])


class TrainingRecord(Base):
    """One entry of the electronic training archive (电子档案)."""

    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), nullable=True)
    external_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    occupation_code: Mapped[str] = mapped_column(String(16))
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    training_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # enrolled | completed | dropped
    enrolled_on: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    certificate_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    certificate_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # R4: special-operation initial/refresher or entrepreneurship stage (catalog COURSE_STAGES).
    stage: Mapped[str | None] = mapped_column(String(16), nullable=True)
    subsidized: Mapped[bool] = mapped_column(Boolean, default=False)
    subsidy_cny: Mapped[int] = mapped_column(Integer, default=0)
    hours: Mapped[int] = mapped_column(Integer, default=0)
    online_hours: Mapped[int] = mapped_column(Integer, default=0)
    # A counselor recorded this although the rules or the course's availability refused it.
    override_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    override_codes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    override_by: Mapped[int | None] = mapped_column(ForeignKey("counselor_accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    worker: Mapped[Worker] = relationship(back_populates="trainings")

    __table_args__ = (UniqueConstraint("worker_id", "external_ref"),)


class Event(Base):
    """An interaction of a worker with a course (view, click, save, enrol, complete, dismiss)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="app")
    # Idempotency key from the client: a retried POST does not count twice. Unique per worker, so
    # one client's ids can never swallow another worker's events.
    client_event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (Index("ix_events_worker_at", "worker_id", "at"),
                      UniqueConstraint("worker_id", "client_event_id", name="uq_events_worker_client_event"))


class AuditEntry(Base):
    """Who read or changed which fields of which worker, and when; never the values."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The person, when a counselor account acted (the console); API keys name a system.
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))  # read | create | update | delete | import
    worker_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # A list read (GET /v1/workers) is one entry naming every worker it showed, not one per worker.
    worker_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Keyed hash of an ID number a caller looked up (registration checks, transfers): who asked
    # about whom is traceable without the number itself.
    national_id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class TransferRequest(Base):
    """Moving a profile from the job center that holds it to another, with both centers' consent.

    The receiving center asks (its consent is the request); the holding center, or an admin,
    approves. Nothing moves until both have agreed."""

    __tablename__ = "transfer_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    from_center_id: Mapped[int] = mapped_column(ForeignKey("job_centers.id"))
    to_center_id: Mapped[int] = mapped_column(ForeignKey("job_centers.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | rejected | cancelled
    reason: Mapped[str] = mapped_column(String(500), default="")
    requested_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # api key id
    from_approved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_approved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
