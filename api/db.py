"""One SQLAlchemy session per request, closed at teardown; writers marked up front.

Reads never take SQLite's write lock: a GET (or a view marked :func:`reads_only`) runs in a
deferred transaction, which under WAL neither waits for nor blocks a writer. A write method's
transaction begins ``BEGIN IMMEDIATE`` and queues for the lock before its first read, so its
read-modify-write cannot fail on a lock upgrade. A reader's audit entries go to the process's
audit trail; should a reader write anything else after all, it queues for the lock only for that
write (see :mod:`storage.engine`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session

from api.context import services
from storage.session import begin_write
from workers.audit_trail import TRAIL_KEY

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READS_ONLY = "__reco_reads_only__"
F = TypeVar("F", bound=Callable[..., Any])


def reads_only(view: F) -> F:
    """Mark a POST view that only reads (an inline query sent as a body): no write lock."""
    setattr(view, READS_ONLY, True)
    return view


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()
        # After the request's session is closed: a synchronous trail writes its entries now.
        services().audit_trail.request_done()


def _writes() -> bool:
    if request.method not in WRITE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, READS_ONLY, False)


def db() -> Session:
    """The request's session; a write request's transaction starts as a writer.

    A read stays a reader, even when it reads a worker's data: its audit entry goes to the
    process's audit trail (written in batches beside the requests), so a read never queues for
    SQLite's write lock, behind other reads or an import."""
    if "db" not in g:
        session = services().sessions()
        if request and _writes():
            begin_write(session)
        else:
            session.info[TRAIL_KEY] = services().audit_trail
        g.db = session
    return g.db  # type: ignore[no-any-return]
