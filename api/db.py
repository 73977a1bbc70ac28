"""One SQLAlchemy session per request, closed at teardown; writers marked up front."""

from __future__ import annotations

from flask import Flask, g, request
from sqlalchemy.orm import Session

from api.context import services
from storage.session import begin_write
from workers.audit_trail import TRAIL_KEY

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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


def db() -> Session:
    """The request's session; a write request's transaction starts as a writer.

    A read stays a reader, even when it reads a worker's data: its audit entry goes to the
    process's audit trail (written in batches beside the requests), so a read never queues for
    SQLite's write lock, behind other reads or an import."""
    if "db" not in g:
        session = services().sessions()
        if request and request.method in WRITE_METHODS:
            begin_write(session)
        else:
            session.info[TRAIL_KEY] = services().audit_trail
        g.db = session
    return g.db  # type: ignore[no-any-return]
