"""Planned pushes: what the daily plan decided, so caps hold across days and a rerun adds nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.tables import utcnow
from storage.base import Base

PUSH_STATUSES = ("pending", "sent", "opened", "dismissed", "cancelled")


class PlannedPush(Base):
    __tablename__ = "planned_pushes"
    # Never the same course twice to a worker, whatever the day: the database says so too.
    __table_args__ = (UniqueConstraint("worker_id", "course_id"),
                      Index("ix_planned_pushes_worker_day", "worker_id", "plan_date"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_date: Mapped[date] = mapped_column(Date, index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the course's place in the worker's list that day
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # after the quiet hours
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def cancel_pending_pushes(session: Session, worker_id: int) -> int:
    """Withdrawn consent stops every push not yet sent, at once; returns how many were cancelled."""
    result = session.execute(update(PlannedPush).where(PlannedPush.worker_id == worker_id,
                                                       PlannedPush.status == "pending")
                             .values(status="cancelled"))
    return int(getattr(result, "rowcount", 0) or 0)


#: what the app's answer moves a push to, and from which states (a cancelled push stays cancelled)
RESPONSES: Final[dict[str, tuple[str, ...]]] = {"opened": ("pending", "sent", "opened"),
                                                 "dismissed": ("pending", "sent", "opened", "dismissed")}


class PushNotFound(LookupError):
    """No such push of this worker (another worker's push is not told apart from none)."""


class PushClosed(ValueError):
    """The push can no longer be answered (cancelled by a withdrawal)."""


def worker_pushes(session: Session, worker_id: int, *, pending: bool, limit: int = 100) -> list[PlannedPush]:
    """A worker's pending pushes (soonest due first) or their history (newest first)."""
    stmt = select(PlannedPush).where(PlannedPush.worker_id == worker_id)
    if pending:
        stmt = stmt.where(PlannedPush.status == "pending").order_by(PlannedPush.due_at, PlannedPush.id)
    else:
        stmt = stmt.where(PlannedPush.status != "pending").order_by(PlannedPush.plan_date.desc(),
                                                                    PlannedPush.id.desc())
    return list(session.scalars(stmt.limit(limit)))


def answer_push(session: Session, worker_id: int, push_id: int, response: str) -> PlannedPush:
    """Record that the worker opened or dismissed one of their pushes; repeating it changes nothing."""
    push = session.get(PlannedPush, push_id)
    if push is None or push.worker_id != worker_id:
        raise PushNotFound(push_id)
    if push.status not in RESPONSES[response]:
        raise PushClosed(push.status)
    # Dismissed after opened stays dismissed; opened after dismissed is refused above.
    push.status = response
    return push
