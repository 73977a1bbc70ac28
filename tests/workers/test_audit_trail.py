"""Audit that scales (issue 10): one entry per list read, reads written beside the request (never
holding SQLite's write lock themselves), nothing lost while the process lives, retention and export.

On the main of 2026-12-02 ``GET /v1/workers?per_page=100`` wrote 100 rows (19,220 rows in 20 s
from one key), and every audited read was a SQLite writer, so it queued behind any import.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select, update

from access.keys import create_key
from storage.session import writing
from tests.conftest import TEST_SECRET, make_test_app
from workers.audit_trail import entries_about
from workers.service import create_worker
from workers.tables import AuditEntry

TODAY = date(2026, 11, 29)


def _world(catalog_template: Path, tmp_path: Path, n_workers: int, **overrides: Any) -> tuple[Flask, str, list[int]]:
    database = tmp_path / f"audit-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copyfile(catalog_template, database)
    app = make_test_app(f"sqlite:///{database}", tmp_path, **overrides)
    with writing(app.services.sessions) as session:
        key = create_key(session, TEST_SECRET, "counselor", job_center_code="JC-TINGHU")[1]
        ids = [create_worker(session, None, {"job_center": "JC-TINGHU", "name": f"w{i}", "residence_county": "tinghu",
                                             "birth_date": date(1980, 1, 1)}, secret_key=TEST_SECRET, today=TODAY).id
               for i in range(n_workers)]
        session.execute(update(AuditEntry).values(at=datetime(2026, 11, 1, tzinfo=UTC)))  # the creations
    return app, key, ids


def _entries(app: Flask) -> list[AuditEntry]:
    with app.services.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id)))


def test_a_page_of_100_workers_is_one_entry_naming_them(catalog_template: Path, tmp_path: Path) -> None:
    app, key, ids = _world(catalog_template, tmp_path, 100)
    resp = app.test_client().get("/v1/workers?per_page=100", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200 and len(resp.get_json()["items"]) == 100
    [entry] = _entries(app)
    assert entry.worker_id is None and entry.worker_ids == sorted(ids)
    assert entry.role == "counselor" and "name" in entry.fields
    # A worker's own trail (the console's audit page) still shows the list read that showed them.
    with app.services.sessions() as session:
        about = entries_about(session, ids[7])
        assert entry.id in [e.id for e in about] and [e.action for e in about] == ["read", "create"]
        assert entry.id not in [e.id for e in entries_about(session, 10_000 + ids[7])]
    app.services.close()


def test_reads_are_answered_while_another_writer_holds_the_lock(catalog_template: Path, tmp_path: Path) -> None:
    """The background writer (as in production, every 50 ms here) retries until the lock is free."""
    app, key, ids = _world(catalog_template, tmp_path, 3, AUDIT_FLUSH_MS=50, SQLITE_BUSY_TIMEOUT_MS=100)
    client = app.test_client()
    db_path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=5)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # an import, say
        holder.execute("UPDATE api_keys SET name = name")
        started = time.monotonic()
        for wid in ids:
            resp = client.get(f"/v1/workers/{wid}", headers={"Authorization": f"Bearer {key}"})
            assert resp.status_code == 200, resp.get_data(as_text=True)
        assert time.monotonic() - started < 1.0  # none queued for the lock
        time.sleep(0.3)
        assert app.services.audit_trail.depth == 3  # kept, not dropped
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    deadline = time.monotonic() + 5
    while app.services.audit_trail.depth and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e.worker_id for e in _entries(app)] == ids
    app.services.close()


def test_a_graceful_stop_writes_what_is_pending(catalog_template: Path, tmp_path: Path) -> None:
    app, key, ids = _world(catalog_template, tmp_path, 1, AUDIT_FLUSH_MS=60_000)
    assert app.test_client().get(f"/v1/workers/{ids[0]}", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert _entries(app) == [] and app.services.audit_trail.depth == 1
    app.services.close()  # what atexit (a worker's graceful exit) calls
    assert [e.worker_id for e in _entries(app)] == ids


def test_changes_stay_in_their_own_transaction(catalog_template: Path, tmp_path: Path) -> None:
    """A change's entry commits or rolls back with the change: never through the trail."""
    app, key, ids = _world(catalog_template, tmp_path, 1, AUDIT_FLUSH_MS=60_000)
    resp = app.test_client().patch(f"/v1/workers/{ids[0]}", json={"name": "renamed"},
                                   headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200 and app.services.audit_trail.depth == 0
    with app.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "update")) == 1
    app.services.close()


def test_export_and_prune(catalog_template: Path, tmp_path: Path) -> None:
    app, key, ids = _world(catalog_template, tmp_path, 2)
    client = app.test_client()
    for wid in ids:
        client.get(f"/v1/workers/{wid}", headers={"Authorization": f"Bearer {key}"})
    with writing(app.services.sessions) as session:  # one read three years ago
        old = session.scalars(select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id)).first()
        assert old is not None
        old.at = datetime.now(UTC) - timedelta(days=3 * 365)
    runner = app.test_cli_runner()

    out = tmp_path / "trail.jsonl"
    result = runner.invoke(args=["audit", "export", "--since", "2000-01-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["action"] for r in rows] == ["read", "create", "create", "read"]  # oldest first
    assert out.stat().st_mode & 0o777 == 0o600
    recent = tmp_path / "recent.csv"
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert runner.invoke(args=["audit", "export", "--since", since, "--out", str(recent)]).exit_code == 0
    with recent.open() as f:
        table = list(csv.DictReader(f))
    assert [(r["action"], int(r["worker_id"])) for r in table] == [("read", ids[1])]
    assert json.loads(table[0]["fields"]) and "national_id_hash" in table[0]
    assert "w1" not in recent.read_text()  # names never reach the trail
    bad = runner.invoke(args=["audit", "export", "--since", "2000-01-01", "--out", str(tmp_path / "x.txt")])
    assert bad.exit_code != 0

    result = runner.invoke(args=["audit", "prune"])  # RECO_AUDIT_RETENTION_DAYS, default 730
    assert result.exit_code == 0 and result.output.startswith("1 audit entries"), result.output
    assert len(_entries(app)) == 1
    result = runner.invoke(args=["audit", "prune", "--older-than-days", "1"])
    assert result.output.startswith("2 audit entries"), result.output  # the two creations of 2026-11-01
    app.services.close()

