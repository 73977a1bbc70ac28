"""`flask catalog import` SIGKILLed in the middle of applying a batch leaves the database exactly
as it was: the import is one transaction."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.engine import make_engine
from storage.migrate import target_metadata
from tests.conftest import REPO
from tests.faults.catalog_batch import write_large_batch
from tests.faults.conftest import SERVER_SECRET, prepare_database

NEW_COURSES = 8000  # validating and applying them takes several seconds: room to kill mid-apply


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as conn:
            for table in target_metadata().sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                out[table.name] = [tuple(r) for r in conn.execute(table.select().order_by(*order))]
    finally:
        engine.dispose()
    return out


def writes_started(url: str, db_file: Path | None, wal_before: int) -> bool:
    """Has the import begun writing? SQLite: its write transaction spilled pages into the WAL;
    PostgreSQL: its backend has a transaction id (assigned at the first row written)."""
    if db_file is not None:
        wal = Path(f"{db_file}-wal")
        return wal.exists() and wal.stat().st_size > wal_before
    database = make_url(url).database
    admin = create_engine(make_url(url).render_as_string(hide_password=False))
    try:
        with admin.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND backend_xid IS NOT NULL "
                "AND pid <> pg_backend_pid()"), {"db": database}).scalar())
    finally:
        admin.dispose()


@pytest.mark.slow
def test_import_killed_mid_apply_changes_nothing(database_url: str, tmp_path: Path) -> None:
    prepare_database(database_url, SERVER_SECRET, n_workers=2)
    before = dump(database_url)
    assert len(before["courses"]) == 710
    batch = write_large_batch(tmp_path / "batch", NEW_COURSES)
    db_file = Path(make_url(database_url).database or "") if database_url.startswith("sqlite") else None
    wal_before = Path(f"{db_file}-wal").stat().st_size if db_file and Path(f"{db_file}-wal").exists() else 0

    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECO_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, RECO_SECRET_KEY=SERVER_SECRET, RECO_INSTANCE_DIR=str(tmp_path))
    # A terminal, so the command prints its progress bars ("check …", "apply …") as an operator sees them.
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # tqdm needs a width
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "catalog", "import", str(batch)],
                            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    output = b""
    killed_after = None
    started = time.monotonic()
    try:
        for _ in range(3000):  # bounded: 3000 polls of ≤ 20 ms, and 60 s
            if proc.poll() is not None or time.monotonic() - started > 60:
                break
            ready, _, _ = select.select([leader], [], [], 0.02)
            if ready:
                try:
                    output += os.read(leader, 65536)
                except OSError:
                    break
            if b"apply courses.csv" in output and writes_started(database_url, db_file, wal_before):
                proc.send_signal(signal.SIGKILL)
                killed_after = time.monotonic() - started
                break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        os.close(leader)

    shown = output.decode(errors="replace")
    assert killed_after is not None, f"the import finished or failed before it could be killed:\n{shown[:3000]!r}"
    assert proc.returncode == -signal.SIGKILL
    assert "check courses.csv" in shown and "total" not in shown  # it validated, never reported done
    print(f"\nimport of {NEW_COURSES + 710} courses killed {killed_after:.1f} s after start, mid-apply")

    if db_file is not None:
        with sqlite3.connect(db_file) as conn:  # recovery: the uncommitted WAL frames are ignored
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            conn.execute("BEGIN IMMEDIATE")  # no lock is left behind either
            conn.execute("ROLLBACK")
        conn.close()
    after = dump(database_url)
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert after == before
