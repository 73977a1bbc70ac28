"""One SQLAlchemy session per request, closed at teardown; writers marked up front."""

from __future__ import annotations

from flask import Flask, g, request
from sqlalchemy.orm import Session

from api.context import services
from storage.session import begin_write

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Every read of a worker profile appends an audit entry, so those reads are writers too.
AUDITED_PREFIXES = ("/v1/workers", "/console/")


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def db() -> Session:
    """The request's session; a write request's transaction starts as a writer."""
    if "db" not in g:
        session = services().sessions()
        if request and (request.method in WRITE_METHODS or request.path.startswith(AUDITED_PREFIXES)):
            begin_write(session)
        g.db = session
    return g.db  # type: ignore[no-any-return]
