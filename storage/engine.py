"""Engine factory: SQLite by default (WAL, foreign keys, busy timeout), PostgreSQL by URL.

Statement parameters are hidden from SQLAlchemy's logs and exception messages: they carry ID
hashes, phone numbers and locations, which must never reach a log.

SQLite allows one writer at a time. With several gunicorn workers, a deferred transaction that
reads and then writes can fail at once with "database is locked" (the lock upgrade cannot wait),
whatever the busy timeout. Write transactions therefore start with ``BEGIN IMMEDIATE`` (they queue
on the busy timeout instead) while reads stay deferred and, under WAL, never block and are never
blocked by a writer.

A reader that writes after all (an audited read appends its audit entry) is not upgraded in place:
its first write ends the read transaction and begins a new ``BEGIN IMMEDIATE`` one, which queues
for the lock like any writer. What it read before is therefore not protected by the write
transaction: read-modify-write work must be marked a writer from the start
(:func:`storage.session.begin_write`, or a write HTTP method).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 15_000
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
# Execution option that marks a connection as a writer (see module docstring).
WRITE_OPTION = "reco_write"
# Connection-info flag: the current transaction holds (or queued for) the write lock.
_WRITER_INFO = "reco_writer"
# Statements that need SQLite's write lock; a reader's first one ends its read transaction.
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """Create the engine for ``url`` with the per-dialect settings the service relies on.

    ``busy_timeout_ms`` is how long a SQLite writer waits for the write lock before the request
    fails with 503 (``RECO_SQLITE_BUSY_TIMEOUT_MS``); PostgreSQL ignores it.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo, busy_timeout_ms=busy_timeout_ms)
    return create_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str, *, echo: bool, busy_timeout_ms: int) -> Engine:
    parsed = make_url(url)
    database = Path(parsed.database) if parsed.database and parsed.database != ":memory:" else None
    if database is not None:
        private_folder(database.parent)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    if database is not None:
        @event.listens_for(engine, "do_connect")
        def _private_file(*_: Any) -> None:
            # Before SQLite opens (and so creates) the file: it is created 600, never briefly 644.
            private_database_file(database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred only).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        writer = bool(conn.get_execution_options().get(WRITE_OPTION))
        conn.info[_WRITER_INFO] = writer
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN DEFERRED")

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_WRITER_INFO, True) or not _is_write(statement):
            return
        # A reader about to write: end the read transaction (it changed nothing) and queue for
        # the write lock, instead of a deferred upgrade that fails at once under contention.
        raw = conn.connection.driver_connection
        raw.execute("COMMIT")
        raw.execute("BEGIN IMMEDIATE")
        conn.info[_WRITER_INFO] = True

    return engine


def private_folder(folder: Path) -> None:
    """Create the database's folder readable by the service's user only (700)."""
    if not folder.exists():
        folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode passes through the umask


def private_database_file(path: Path) -> None:
    """Create the database file readable by the service's user only (600): it holds names, phones
    and keyed ID hashes. SQLite gives the -wal and -shm files the database file's mode, so they
    are private too. An existing file readable by others is tightened."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    except OSError:
        pass  # it exists (or cannot be created: SQLite's own open reports that)
    else:
        os.close(fd)
    for member in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            mode = member.stat().st_mode
            if stat.S_ISREG(mode) and mode & 0o077:
                os.chmod(member, PRIVATE_FILE_MODE)
        except OSError:
            continue  # gone, or not ours to change (a shared read-only copy, say): leave it


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITE_VERBS)


def is_writer(conn: Any) -> bool:
    """Whether a SQLite connection's transaction holds (or queued for) the write lock."""
    return bool(conn.info.get(_WRITER_INFO, False))


def default_sqlite_url(instance_dir: str | os.PathLike[str]) -> str:
    """The default database: one SQLite file under ``var/``."""
    return f"sqlite:///{Path(instance_dir).resolve() / 'reco.sqlite3'}"
