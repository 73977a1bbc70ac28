"""Reads never take SQLite's write lock: they proceed while another connection holds it, and a
reader that appends something after all queues for the lock instead of failing on an upgrade."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import func, select, text

from storage.engine import is_writer, make_engine
from storage.session import make_session_factory
from tests.conftest import TEST_SECRET, make_test_app
from tests.faults.conftest import prepare_database

PROFILE = {"birth_date": "1985-05-15", "residence_county": "tinghu", "employment_status": "unemployed",
           "priority_groups": ["laid_off_unemployed"], "location": {"lat": 33.35, "lon": 120.16}}


def test_reads_proceed_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    p = prepare_database(f"sqlite:///{db_path}", TEST_SECRET)
    # A reader that queued for the lock would wait the whole busy timeout (5 s) and then get 503.
    app = make_test_app(f"sqlite:///{db_path}", tmp_path, SQLITE_BUSY_TIMEOUT_MS=5000)
    client = app.test_client()
    auth = p.auth(p.counselor)
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=5)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE api_keys SET name = name")  # a real writer, holding the lock
        started = time.monotonic()
        reads = [
            client.get("/v1/courses?near=33.35,120.16&radius_km=20&per_page=5", headers=auth),
            client.post("/v1/recommendations", json={"profile": PROFILE, "k": 5}, headers=auth),
            client.post("/v1/eligibility", json={"profile": PROFILE, "course_ids": list(p.course_ids[:3])},
                        headers=auth),
            client.post("/v1/why-nothing", json={"profile": PROFILE}, headers=auth),
        ]
        waited = time.monotonic() - started
        assert [r.status_code for r in reads] == [200] * 4, [r.get_data(as_text=True)[:200] for r in reads]
        assert waited < 4, waited  # none of them queued for the busy timeout
        # A write still queues for the lock (and gets 503 if it does not come free in time).
        assert client.post("/v1/workers", json={"name": "w", "residence_county": "tinghu"},
                           headers=auth).status_code in (201, 503)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    app.services.engine.dispose()


def test_a_reader_that_writes_queues_for_the_lock_instead_of_failing(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    prepare_database(f"sqlite:///{db_path}", TEST_SECRET)
    engine = make_engine(f"sqlite:///{db_path}", busy_timeout_ms=5000)
    sessions = make_session_factory(engine)
    other = sqlite3.connect(db_path, isolation_level=None, timeout=5, check_same_thread=False)
    try:
        with sessions() as reader:
            before = reader.scalar(select(func.count()).select_from(text("api_keys")))
            assert not is_writer(reader.connection())  # a deferred read transaction
            # Another connection writes and commits: the reader's snapshot is now stale, where a
            # deferred upgrade fails at once ("database is locked", SQLITE_BUSY_SNAPSHOT) ...
            other.execute("UPDATE api_keys SET name = 'changed'")
            # ... and then holds the lock a while: the reader's write must wait for it.
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE api_keys SET name = name")
            release = threading.Timer(0.4, lambda: other.execute("COMMIT"))
            release.start()
            started = time.monotonic()
            reader.execute(text("UPDATE api_keys SET name = 'reader' WHERE id = 1"))
            waited = time.monotonic() - started
            assert is_writer(reader.connection())
            reader.commit()
            release.join()
        assert 0.3 <= waited < 4, waited
        with sessions() as check:
            assert check.scalar(text("SELECT name FROM api_keys WHERE id = 1")) == "reader"
            assert check.scalar(select(func.count()).select_from(text("api_keys"))) == before
    finally:
        other.close()
        engine.dispose()
