"""Use cases of a worker signed in to the app: their own list, and nothing about anyone else.

The worker is the one the access token names (``principal.worker_id``); no argument names a
worker, so no request can ask about another."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from access.keys import WORKER_ROLE, Principal
from serving.push_plan import payload
from serving.recommendations import RecommendationList, for_stored_worker
from serving.root import Services
from workers.events import record_events
from workers.profiles import coarse_distance
from workers.push_tables import answer_push, worker_pushes


def my_recommendations(services: Services, session: Session, principal: Principal, *, k: int,
                       near: tuple[float, float] | None = None,
                       radius_km: float | None = None) -> RecommendationList:
    """The signed-in worker's own list: their own courses and allowance, no database id.

    Distances to the *stored* location are given in whole km: a token can be lost with its phone,
    and distances to many courses at 10 m would pin the location down better than the ~1 km it is
    stored at. Around a point the app sends (``near``) they stay exact: that point is the app's."""
    if principal.role != WORKER_ROLE or principal.worker_id is None:
        raise PermissionError("only a signed-in worker has a list of their own")
    answer = for_stored_worker(services, session, principal, principal.worker_id, k=k, near=near,
                               radius_km=radius_km)
    result = answer.result
    if near is None:
        result = replace(result, items=[replace(r, distance_km=coarse_distance(r.distance_km))
                                        for r in result.items])
    return replace(answer, worker_id=None, result=result, show_allowance=True)


#: the interaction each answer to a push is, for training (recommender.items.InteractionKind):
#: opening the notification is a tap on the course; dismissing it is a dismissal of the course
#: (not pushed or listed again until the worker saves or enrols in it later).
PUSH_EVENT_KIND: Final[dict[str, str]] = {"opened": "click", "dismissed": "dismiss"}


@dataclass(frozen=True)
class PushView:
    """One of the worker's pushes as the app shows it: the lock-screen payload and its state."""

    id: int
    status: str
    plan_date: date
    due_at: datetime
    payload: dict[str, Any]


def _own(principal: Principal) -> int:
    if principal.role != WORKER_ROLE or principal.worker_id is None:
        raise PermissionError("only a signed-in worker has pushes of their own")
    return principal.worker_id


def my_pushes(services: Services, session: Session, principal: Principal, *, pending: bool) -> list[PushView]:
    """The signed-in worker's pending pushes, or their history (sent, opened, dismissed, cancelled)."""
    worker_id = _own(principal)
    snapshot = services.snapshots.get(session, services.today())
    out = []
    for p in worker_pushes(session, worker_id, pending=pending):
        row = snapshot.row_of.get(p.course_id)
        if row is None:  # a course removed from the catalog since: nothing left to show
            continue
        due = p.due_at if p.due_at.tzinfo else p.due_at.replace(tzinfo=UTC)
        out.append(PushView(p.id, p.status, p.plan_date, due, payload(snapshot.items[row])))
    return out


def answer_my_push(session: Session, principal: Principal, push_id: int, response: str, *,
                   now: datetime) -> str:
    """The worker opened or dismissed a push: its state, and the event training learns from.

    Raises :class:`workers.push_tables.PushNotFound` (not theirs, or none) or ``PushClosed``."""
    worker_id = _own(principal)
    push = answer_push(session, worker_id, push_id, response)
    record_events(session, principal, [{"course_id": push.course_id, "kind": PUSH_EVENT_KIND[response],
                                        "client_event_id": f"push-{push.id}-{response}"}], now)
    session.flush()
    return push.status
