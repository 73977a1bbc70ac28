"""The audit trail of reads, written in batches beside the requests instead of inside them.

Every read of a worker's data leaves an entry. Written in the request's own transaction, each
read became a SQLite writer: it queued for the single write lock behind every other audited read
and behind any import (reads stalled up to 16.9 s during an 8,000-row import). Reads now hand
their entry to this trail; a background thread writes what has gathered every ``flush_seconds``
(or as soon as ``batch_size`` entries wait), in its own short transaction.

What a crash may lose: a process killed outright (SIGKILL, OOM, power) loses the read entries
gathered since its last flush, i.e. at most ``flush_seconds`` (default 0.2 s) of reads of that one
process. A graceful stop (SIGTERM, gunicorn's recycling, ``atexit``) writes them. A flush that
cannot get the lock keeps its entries and tries again; nothing is dropped while the process lives.
Changes (create, update, delete, enrolment overrides) are not audited here: their entry stays in
the transaction of the change, so it commits or rolls back with it.

``flush_seconds = 0`` writes synchronously when the caller says the request is over
(:meth:`AuditTrail.request_done`): the tests and one-off jobs see their entries at once.
"""

from __future__ import annotations

import atexit
import csv
import json
import logging
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, delete, select
from sqlalchemy.orm import Session, sessionmaker

from storage.session import writing
from workers.tables import AuditEntry

log = logging.getLogger("reco.audit")

DEFAULT_FLUSH_SECONDS = 0.2
# Key in ``Session.info`` under which a request's session carries the trail its reads go to.
TRAIL_KEY = "reco.audit_trail"
DEFAULT_BATCH_SIZE = 500


class AuditTrail:
    def __init__(self, sessions: sessionmaker[Session], *, flush_seconds: float = DEFAULT_FLUSH_SECONDS,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.sessions = sessions
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self._pending: deque[AuditEntry] = deque()
        self._lock = threading.Lock()  # one flush at a time
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._registered_at_exit = False
        self._in_flight = 0
        self._failing = False
        self.written = 0

    @property
    def depth(self) -> int:
        """Entries gathered and not yet written (a metric worth watching)."""
        return len(self._pending) + self._in_flight

    def record(self, entry: AuditEntry) -> None:
        self._pending.append(entry)
        if self.flush_seconds > 0:
            self._ensure_thread()
            if len(self._pending) >= self.batch_size:
                self._wake.set()

    def request_done(self) -> None:
        """Called after the request's own session has closed; writes now in synchronous mode."""
        if self.flush_seconds <= 0 and self._pending:
            self.flush()

    def flush(self) -> int:
        """Write what has gathered in one transaction; on failure keep it for the next try."""
        with self._lock:
            batch: list[AuditEntry] = []
            while self._pending:
                batch.append(self._pending.popleft())
            if not batch:
                return 0
            self._in_flight = len(batch)
            try:
                with writing(self.sessions) as session:
                    session.add_all(batch)
            except Exception as exc:
                # Back in front, in order: the next flush tries again (locked, or the database down).
                self._pending.extendleft(reversed(_fresh(batch)))
                if not self._failing:  # once per streak, not every 200 ms
                    log.warning("audit trail: %d entries not written yet (%s); retrying", len(batch),
                                type(exc).__name__)
                self._failing = True
                return 0
            finally:
                self._in_flight = 0
            if self._failing:
                log.warning("audit trail: written again (%d entries waited)", len(batch))
                self._failing = False
            self.written += len(batch)
            return len(batch)

    def close(self) -> None:
        """Stop the writer and write what is left (at exit, and when a test app is disposed)."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread() and self._pid == os.getpid():
            thread.join(timeout=10)
        self.flush()

    def _ensure_thread(self) -> None:
        # Started lazily in the process that records (after gunicorn's fork, never before it).
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="audit-trail", daemon=True)
            self._thread.start()
            if not self._registered_at_exit:
                atexit.register(self.close)
                self._registered_at_exit = True

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self.flush()


def _fresh(batch: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Entries from a rolled-back session, detached and copied so a later session can add them."""
    return [AuditEntry(at=e.at, key_id=e.key_id, user_id=e.user_id, role=e.role, action=e.action,
                       worker_id=e.worker_id, worker_ids=e.worker_ids, fields=e.fields,
                       national_id_hash=e.national_id_hash) for e in batch]


# --------------------------------------------------------------------------- export and retention

EXPORT_COLUMNS = ("id", "at", "key_id", "user_id", "role", "action", "worker_id", "worker_ids", "fields",
                  "national_id_hash")
PRUNE_CHUNK = 5_000


def export_rows(session: Session, since: datetime, until: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Audit entries from ``since`` (inclusive) to ``until`` (exclusive), oldest first, streamed."""
    stmt = select(AuditEntry).where(AuditEntry.at >= since).order_by(AuditEntry.at, AuditEntry.id)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    for e in session.scalars(stmt.execution_options(yield_per=1000)):
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)  # SQLite hands back naive UTC
        yield {"id": e.id, "at": at.isoformat(), "key_id": e.key_id, "user_id": e.user_id, "role": e.role,
               "action": e.action, "worker_id": e.worker_id, "worker_ids": e.worker_ids, "fields": e.fields,
               "national_id_hash": e.national_id_hash}


def write_export(rows: Iterable[dict[str, Any]], out: Path) -> int:
    """Write rows as CSV (lists as JSON) or JSON Lines, by the file's suffix; the file is 0600."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise ValueError(f"{out.name}: the export is .csv or .jsonl")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    n = 0
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        if suffix == ".jsonl":
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        else:
            writer = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()})
                n += 1
    return n


def prune(sessions: sessionmaker[Session], before: datetime) -> int:
    """Delete entries older than ``before`` in short transactions of a few thousand rows each,
    so pruning a year of reads never holds SQLite's write lock for long."""
    removed = 0
    while True:
        with writing(sessions) as session:
            ids = list(session.scalars(select(AuditEntry.id).where(AuditEntry.at < before)
                                       .order_by(AuditEntry.id).limit(PRUNE_CHUNK)))
            if ids:
                session.execute(delete(AuditEntry).where(AuditEntry.id.in_(ids)))
        removed += len(ids)
        if len(ids) < PRUNE_CHUNK:
            return removed


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


LIST_READ_LOOKBACK_DAYS = 90


def entries_about(session: Session, worker_id: int, *, limit: int = 200,
                  now: datetime | None = None) -> list[AuditEntry]:
    """The newest entries about one worker: those naming it, and the list reads that showed it
    in the last LIST_READ_LOOKBACK_DAYS (those are matched by text, so the look-back bounds the scan)."""
    own = list(session.scalars(select(AuditEntry).where(AuditEntry.worker_id == worker_id)
                               .order_by(AuditEntry.id.desc()).limit(limit)))
    since = (now or datetime.now(UTC)) - timedelta(days=LIST_READ_LOOKBACK_DAYS)
    candidates = session.scalars(
        select(AuditEntry).where(AuditEntry.worker_ids.is_not(None), AuditEntry.at >= since,
                                 cast(AuditEntry.worker_ids, String).like(f"%{int(worker_id)}%"))
        .order_by(AuditEntry.id.desc()).limit(limit * 4))
    listed = [e for e in candidates if worker_id in (e.worker_ids or ())]
    return sorted(own + listed, key=lambda e: e.id, reverse=True)[:limit]
