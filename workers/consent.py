"""A worker's consents, as PIPL asks: given with a time and a channel, withdrawn as easily, kept.

Two purposes, each a yes or no on the profile and a row per change in an append-only history:

- ``push``: course suggestions by push notification (PIPL Art. 14: consent for a purpose);
- ``profiling``: the service may use the profile to choose and rank courses (Art. 24: an option
  not targeted at one's personal characteristics must be offered). Declining it gives the
  non-personalized list (:mod:`serving.plain_list`) and no targeted push.

Every change goes through :func:`record_consent`: the profile's flag, one history row (when, by
which channel, by whom), an audit entry, and — on withdrawal of either — every pending push of the
worker cancelled at once (a targeted push rests on both). History rows are never updated or
deleted by the service (a mapper guard refuses it); they go with the profile when it is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, event, select
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from access.keys import Principal
from storage.base import Base
from workers.push_tables import cancel_pending_pushes
from workers.tables import AuditEntry, Worker

#: purpose -> the profile's flag that holds the current answer
PURPOSES: Final[dict[str, str]] = {"push": "push_opt_in", "profiling": "personalized"}
#: app: the worker in the app; counter: at a job center's desk (counselor); import: a center's file
CHANNELS: Final = ("app", "counter", "import")
#: what a new profile holds when nothing was said: no pushes; the personalized service
DEFAULTS: Final[dict[str, bool]] = {"push": False, "profiling": True}


class ConsentEvent(Base):
    """One consent given or withdrawn (append-only)."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    role: Mapped[str] = mapped_column(String(16))  # who recorded it: worker, counselor, admin, cli
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


@event.listens_for(ConsentEvent, "before_update")
@event.listens_for(ConsentEvent, "before_delete")
def _append_only(mapper: Mapper[Any], connection: Any, target: ConsentEvent) -> None:
    # A history that can be rewritten proves nothing; a withdrawal is a new row.
    raise PermissionError("consent history is append-only")


def channel_of(principal: Principal | None) -> str:
    """The channel a change came through, from who made it (an import has no principal)."""
    if principal is None:
        return "import"
    return "app" if principal.role == "worker" else "counter"


@dataclass(frozen=True)
class ConsentChange:
    purpose: str
    granted: bool
    cancelled_pushes: int


def record_consent(session: Session, principal: Principal | None, worker: Worker, purpose: str, granted: bool,
                   *, at: datetime, channel: str | None = None) -> ConsentChange | None:
    """Set one consent of ``worker``; ``None`` when it already had that answer (nothing recorded).

    A new profile (no id yet) is flushed first so its history row can point at it."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    channel = channel or channel_of(principal)
    if channel not in CHANNELS:
        raise ValueError(f"unknown consent channel {channel!r}")
    flag = PURPOSES[purpose]
    current = getattr(worker, flag)
    if current is None:  # a profile not yet written: the column default is its answer so far
        current = DEFAULTS[purpose]
    setattr(worker, flag, granted)
    if bool(current) == granted:
        return None
    if worker.id is None:
        session.add(worker)
        session.flush()
    session.add(ConsentEvent(worker_id=worker.id, purpose=purpose, granted=granted, channel=channel,
                             recorded_at=at, role=principal.role if principal else "cli",
                             key_id=principal.key_id if principal else None,
                             user_id=principal.user_id if principal else None))
    cancelled = 0 if granted else cancel_pending_pushes(session, worker.id)
    session.add(AuditEntry(key_id=principal.key_id if principal else None,
                           user_id=principal.user_id if principal else None,
                           role=principal.role if principal else "cli",
                           action="consent_grant" if granted else "consent_withdraw",
                           worker_id=worker.id, fields=[flag]))
    return ConsentChange(purpose, granted, cancelled)


def consent_history(session: Session, worker_id: int) -> list[ConsentEvent]:
    """The worker's consent history, oldest first."""
    return list(session.scalars(select(ConsentEvent).where(ConsentEvent.worker_id == worker_id)
                                .order_by(ConsentEvent.recorded_at, ConsentEvent.id)))


def latest(history: list[ConsentEvent], purpose: str) -> ConsentEvent | None:
    """The change in force for ``purpose`` (the last one), if any was recorded."""
    found = [e for e in history if e.purpose == purpose]
    return found[-1] if found else None
