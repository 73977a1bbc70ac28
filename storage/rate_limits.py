"""Rate-limit counters every worker process of one host shares: a storage for the ``limits``
library (Flask-Limiter's backend) in a small SQLite file of its own.

``memory://`` counts per process, so with gunicorn's N workers a key got N times its budget, and
a recycled worker (``max_requests``) started every key's budget afresh. This file is shared by all
workers of a host and outlives them. It is not the service database: a counter update must never
queue behind a long import for that database's single write lock. WAL with ``synchronous=OFF``:
a counter is one tiny upsert, and a power cut may at worst forget the current minute's counts.

Registered under the URI scheme ``sqlite`` (``sqlite:///var/rate-limits.sqlite3``). Across hosts
use ``redis://`` instead. Only the fixed-window strategy (Flask-Limiter's default) is supported.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from limits.storage import Storage

SCHEME = "sqlite"
BUSY_TIMEOUT_S = 5.0
# Rows of ended windows are dropped now and then, by whichever request happens to draw this.
PRUNE_CHANCE = 1 / 2000

_SCHEMA = ("CREATE TABLE IF NOT EXISTS counters ("
           " key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID")
# One statement, so two processes can never both start a new window or both miss an increment.
_INCR = ("INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :expires_at) "
         "ON CONFLICT (key) DO UPDATE SET "
         " count = CASE WHEN counters.expires_at <= :now THEN :amount ELSE counters.count + :amount END, "
         " expires_at = CASE WHEN counters.expires_at <= :now THEN :expires_at ELSE counters.expires_at END "
         "RETURNING count")


def path_from_uri(uri: str) -> Path:
    """``sqlite:///relative/file`` or ``sqlite:////absolute/file`` (SQLAlchemy's spelling)."""
    rest = uri.split("://", 1)[1]
    if not rest.startswith("/") or rest == "/":
        raise ValueError(f"rate-limit storage {uri!r}: expected sqlite:///path/to/file.sqlite3")
    return Path(rest[1:])


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file, one connection per thread and process."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (the shape `limits` registers schemes by)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        self.path = path_from_uri(uri or f"{SCHEME}:///var/rate-limits.sqlite3")
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # Opened lazily in the process and thread that use it: never inherited across gunicorn's fork.
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            old_umask = os.umask(0o077)  # counters name hashed keys and client addresses
            try:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            finally:
                os.umask(old_umask)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(_SCHEMA)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        if random.random() < PRUNE_CHANCE:
            self.prune()
        row = self._connection().execute(_INCR, {"key": key, "amount": amount, "now": now,
                                                 "expires_at": now + expiry}).fetchone()
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._connection().execute("SELECT count FROM counters WHERE key = ? AND expires_at > ?",
                                         (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?",
                                         (key, time.time())).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return int(self._connection().execute("DELETE FROM counters").rowcount)

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))

    def prune(self) -> int:
        """Drop windows that have ended (called now and then; they are ignored anyway)."""
        return int(self._connection().execute("DELETE FROM counters WHERE expires_at <= ?",
                                              (time.time(),)).rowcount)
