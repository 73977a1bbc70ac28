"""Sessions: a factory per engine, and the write-transaction marker (see storage.engine)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import WRITE_OPTION


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Mark the session's transaction as a writer before its first statement.

    On SQLite this makes the transaction ``BEGIN IMMEDIATE`` so it waits for the write lock up
    front instead of failing on a lock upgrade; on PostgreSQL it changes nothing.
    """
    session.connection(execution_options={WRITE_OPTION: True})


@contextmanager
def writing(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one write transaction: committed on success, rolled back on any error."""
    with factory() as session:
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
