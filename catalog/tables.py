"""Tables of what the bureau publishes: counties, occupations and their lists, institutions,
courses, and the job centers that serve workers. Natural keys (``code``) make imports upserts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


class County(Base):
    __tablename__ = "counties"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class JobCenter(Base):
    """A public employment service office; counselor keys are bound to one."""

    __tablename__ = "job_centers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(256))
    counties: Mapped[list[str]] = mapped_column(JSON, default=list)


class Occupation(Base):
    __tablename__ = "occupations"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(256))
    category: Mapped[str] = mapped_column(String(32), index=True)
    access_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    special_operation: Mapped[bool] = mapped_column(Boolean, default=False)
    levels: Mapped[list[int]] = mapped_column(JSON, default=list)


class OccupationList(Base):
    """One published version of a shortage list or a county's subsidized-occupation list."""

    __tablename__ = "occupation_lists"
    __table_args__ = (UniqueConstraint("kind", "scope", "effective_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # shortage | subsidized
    scope: Mapped[str] = mapped_column(String(32))  # "city" or a county code
    effective_date: Mapped[date] = mapped_column(Date)
    entries: Mapped[list[OccupationListEntry]] = relationship(
        back_populates="list", cascade="all, delete-orphan"
    )


class OccupationListEntry(Base):
    __tablename__ = "occupation_list_entries"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("occupation_lists.id", ondelete="CASCADE"), primary_key=True
    )
    occupation_code: Mapped[str] = mapped_column(
        ForeignKey("occupations.code"), primary_key=True
    )
    shortage_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    list: Mapped[OccupationList] = relationship(back_populates="entries")


class Institution(Base):
    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(256))
    type: Mapped[str] = mapped_column(String(32), index=True)
    county: Mapped[str] = mapped_column(ForeignKey("counties.code"), index=True)
    address: Mapped[str] = mapped_column(String(256))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    credit_rating: Mapped[str] = mapped_column(String(4))
    disability_base: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str] = mapped_column(String(32), default="")


class EvaluationInstitution(Base):
    __tablename__ = "evaluation_institutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(256))
    county: Mapped[str] = mapped_column(ForeignKey("counties.code"))
    address: Mapped[str] = mapped_column(String(256))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    certificate_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    occupation_codes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("seats_taken <= seats", name="seats_taken_le_seats"),
        CheckConstraint("online_hours <= hours", name="online_le_hours"),
        CheckConstraint("end_date >= start_date", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str] = mapped_column(String(256))
    title_en: Mapped[str] = mapped_column(String(256), default="")
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupations.code"), index=True)
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    training_type: Mapped[str] = mapped_column(String(32), index=True)
    certificate_type: Mapped[str] = mapped_column(String(32))
    hours: Mapped[int] = mapped_column(Integer)
    online_hours: Mapped[int] = mapped_column(Integer, default=0)
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    enrol_deadline: Mapped[date] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    county: Mapped[str] = mapped_column(ForeignKey("counties.code"), index=True)
    address: Mapped[str] = mapped_column(String(256))
    lat: Mapped[float] = mapped_column(Float, index=True)
    lon: Mapped[float] = mapped_column(Float)
    delivery_mode: Mapped[str] = mapped_column(String(16))
    subsidy_cny: Mapped[int] = mapped_column(Integer)  # whole yuan
    # Aimed at (面向): a ranking term. Reserved for (专班): R9_TARGET_GROUPS, a hard rule.
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    reserved_for: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Special-operation initial/refresher or entrepreneurship stage (catalog.vocabulary).
    stage: Mapped[str | None] = mapped_column(String(16), nullable=True)
    free_for_key_groups: Mapped[bool] = mapped_column(Boolean, default=False)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    project_based: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    institution: Mapped[Institution] = relationship(lazy="joined")
    occupation: Mapped[Occupation] = relationship(lazy="joined")


class ImportRecord(Base):
    """One applied import file: what it was (sha256) and what it changed."""

    __tablename__ = "import_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
