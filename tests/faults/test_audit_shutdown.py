"""Audit entries of reads wait in each gunicorn worker's trail for at most RECO_AUDIT_FLUSH_MS;
a graceful stop writes them (atexit in each worker), so only a process killed outright can lose
what gathered since its last flush."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from storage.engine import make_engine
from storage.session import make_session_factory
from tests.faults.conftest import SERVER_SECRET, Gunicorn, prepare_database, session_get
from workers.tables import AuditEntry


def test_graceful_stop_writes_pending_read_entries(tmp_path: Path, gunicorn_factory: Callable[..., Gunicorn]) -> None:
    p = prepare_database(f"sqlite:///{tmp_path / 'db.sqlite3'}", SERVER_SECRET, n_workers=4)
    engine = make_engine(p.url)

    def reads() -> int:
        with make_session_factory(engine)() as s:
            return int(s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "read")) or 0)

    # A flush interval far longer than the test: only the shutdown can write these entries.
    server = gunicorn_factory(p.url, workers=2, RECO_AUDIT_FLUSH_MS="600000")
    for i in range(20):
        resp = session_get(f"{server.base}/v1/workers/{p.worker_ids[i % 4]}", p.auth(p.counselor))
        assert resp.status_code == 200
    listed = session_get(f"{server.base}/v1/workers?per_page=100", p.auth(p.counselor))
    assert listed.status_code == 200
    assert reads() == 0
    server.stop()
    assert reads() == 21  # 20 profile reads + one entry for the page of 4
    engine.dispose()
