"""Fault-injection helpers: a prepared database (sample catalog, keys, workers), a real gunicorn
on 127.0.0.1 and a free port, and a bounded load driver that records every response.

Every loop here is bounded in count and in time, every server binds 127.0.0.1 only, and every
process started is stopped by its own pid.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from access.keys import create_key
from catalog.importing import apply, expand_paths, plan
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.session import make_session_factory, writing
from tests.conftest import REPO, SAMPLE_CATALOG
from workers.service import create_worker
from workers.tables import Worker

# A production-grade secret for real gunicorn processes (TESTING is off there).
SERVER_SECRET = "faults-Qm3v9XcT1pLr8ZsK2wYd7NbH4gJe6UaF0oRi5tVyW8"
TODAY = date(2026, 11, 29)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a few seconds; still runs in CI")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Prepared:
    url: str
    admin: str
    counselor: str  # JC-TINGHU
    app_key: str
    worker_ids: tuple[int, ...]
    course_ids: tuple[int, ...]

    @staticmethod
    def auth(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


def prepare_database(url: str, secret: str, n_workers: int = 8) -> Prepared:
    """Migrate, import the sample catalog, create one key per role and a few workers."""
    from catalog.tables import Course

    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        with writing(factory) as session:
            apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
        with writing(factory) as session:
            admin = create_key(session, secret, "admin", name="faults admin")[1]
            counselor = create_key(session, secret, "counselor", job_center_code="JC-TINGHU")[1]
            app_key = create_key(session, secret, "app", name="faults app")[1]
            workers = [create_worker(session, None, {
                "job_center": "JC-TINGHU", "name": f"worker {i}", "birth_date": date(1980 + i % 20, 5, 1),
                "residence_county": "tinghu", "hukou_county": "tinghu", "jobseeking_county": "tinghu",
                "employment_status": "unemployed", "education": "senior_high", "online_ok": True,
                "priority_groups": ["laid_off_unemployed"], "location": {"lat": 33.35, "lon": 120.16},
            }, secret_key=secret, today=TODAY) for i in range(n_workers)]
            worker_ids = tuple(w.id for w in workers)
        with factory() as session:
            course_ids = tuple(session.scalars(select(Course.id).order_by(Course.id).limit(50)))
            assert session.scalar(select(func.count()).select_from(Worker)) == n_workers
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return Prepared(url, admin, counselor, app_key, worker_ids, course_ids)


def child_pids(parent: int) -> set[int]:
    """Pids whose parent is ``parent`` (from /proc; no psutil needed)."""
    out: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 is the ppid; the command name (field 2) may contain spaces, so split after ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent and fields[0] != "Z":
            out.add(int(entry.name))
    return out


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` on 127.0.0.1:<free port>."""

    def __init__(self, database_url: str, tmp_path: Path, workers: int = 2, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"gunicorn-{self.port}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("RECO_", "FLASK_"))},
            "RECO_BIND": f"127.0.0.1:{self.port}",
            "RECO_WORKERS": str(workers),
            "RECO_SECRET_KEY": SERVER_SECRET,
            "DATABASE_URL": database_url,
            "RECO_INSTANCE_DIR": str(tmp_path),
            "RECO_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
            "RECO_RATE_LIMIT_ENABLED": "0",
            "RECO_TODAY": TODAY.isoformat(),
            "RECO_LOG_LEVEL": "WARNING",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def __enter__(self) -> Gunicorn:
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        self.wait_ready(expected_workers=int(self.env["RECO_WORKERS"]))
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def master(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def workers(self) -> set[int]:
        return child_pids(self.master)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, expected_workers: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            try:
                if requests.get(f"{self.base}/health/live", timeout=10).status_code == 200 and \
                        len(self.workers()) >= expected_workers:
                    return
            except requests.RequestException:  # bound but the workers are still booting
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not come up in {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None


@pytest.fixture
def gunicorn_factory(tmp_path: Path) -> Iterator[Callable[..., Gunicorn]]:
    started: list[Gunicorn] = []

    def start(database_url: str, workers: int = 2, **env: str) -> Gunicorn:
        server = Gunicorn(database_url, tmp_path, workers, **env)
        started.append(server)
        return server.__enter__()

    yield start
    for server in started:
        server.stop()


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None  # None: the connection failed
    error: str = ""
    body: str = ""


@dataclass
class Load:
    """``threads`` clients, each sending one request at a time (a fresh connection per request,
    so a failure is always a request that was in flight) until stopped or out of budget."""

    send: Callable[[int, int], requests.Response]  # (thread index, request index) -> response
    threads: int = 8
    max_requests_per_thread: int = 2000
    max_seconds: float = 60.0
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def _run(self, t: int) -> None:
        deadline = time.monotonic() + self.max_seconds
        for i in range(self.max_requests_per_thread):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            started = time.monotonic()
            try:
                resp = self.send(t, i)
                outcome = Outcome(started, time.monotonic(), resp.status_code, body=resp.text)
            except requests.RequestException as exc:
                outcome = Outcome(started, time.monotonic(), None, error=type(exc).__name__)
            with self._lock:
                self.outcomes.append(outcome)

    def start(self) -> Load:
        self._threads = [threading.Thread(target=self._run, args=(t,), daemon=True) for t in range(self.threads)]
        for th in self._threads:
            th.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.join()

    def join(self) -> None:
        for th in self._threads:
            th.join(timeout=self.max_seconds + 30)
        assert not any(th.is_alive() for th in self._threads)

    def count(self) -> int:
        with self._lock:
            return len(self.outcomes)

    def wait_for(self, n: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.count() >= n, f"only {self.count()} requests in {timeout} s"

    def failures(self, ok: Callable[[Outcome], bool] = lambda o: o.status == 200) -> list[Outcome]:
        return [o for o in self.outcomes if not ok(o)]


def session_get(url: str, headers: dict[str, str], timeout: float = 20.0) -> requests.Response:
    # "Connection: close": no idle keep-alive socket can outlive a killed worker.
    return requests.get(url, headers={**headers, "Connection": "close"}, timeout=timeout)
