"""What a dismissal means, in one place: serving, the push audience and training all read it here.

A worker who dismisses a course has said "not for me". The dismissal stands, and the course is not
shown to that worker again (recommendations and pushes), until the worker acts on the same course
*later* with a save, an enrolment or a completion: acting on it after dismissing it means the
dismissal is stale. A later view or click does not lift it (the course may only have been shown
on a list or a map). Training reads the same standing dismissals as negative evidence.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import Final, TypeVar

DISMISS: Final = "dismiss"
# Kinds that lift an earlier dismissal of the same course.
OVERRIDING_KINDS: Final = frozenset({"save", "enrol", "complete"})

K = TypeVar("K", bound=Hashable)


def standing_dismissals(events: Iterable[tuple[K, str, datetime]]) -> set[K]:
    """The keys (a course id, or a (worker, course) pair) whose dismissal still stands.

    Parameters
    ----------
    events
        ``(key, kind, at)`` in any order; events of equal time keep their given order.

    Returns
    -------
    set
        Keys with a dismissal not followed by a save, enrolment or completion of the same key.
    """
    standing: set[K] = set()
    for key, kind, _ in sorted(events, key=lambda e: e[2]):
        if kind == DISMISS:
            standing.add(key)
        elif kind in OVERRIDING_KINDS:
            standing.discard(key)
    return standing
