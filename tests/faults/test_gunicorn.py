"""Real gunicorn under load: a worker SIGKILLed is replaced and only its in-flight requests fail;
a SIGHUP reload fails no request at all."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.faults.conftest import SERVER_SECRET, Gunicorn, Load, Prepared, prepare_database, session_get

THREADS = 8


def mixed_reads(server: Gunicorn, p: Prepared) -> Callable[[int, int], requests.Response]:
    """Recommendations (an audited read: a SQLite writer), course search and a profile read."""

    def send(t: int, i: int) -> requests.Response:
        worker = p.worker_ids[(t + i) % len(p.worker_ids)]
        path = (f"/v1/workers/{worker}/recommendations?k=5", "/v1/courses?per_page=20",
                f"/v1/workers/{worker}")[i % 3]
        return session_get(server.base + path, p.auth(p.counselor))

    return send


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> float:
    for _ in range(int(timeout / step) + 1):
        if condition():
            return time.monotonic()
        time.sleep(step)
    raise AssertionError(f"condition not met in {timeout} s")


def latency_ms(load: Load, pct: float) -> float:
    xs = sorted(o.ended - o.started for o in load.outcomes)
    return 1000 * xs[min(len(xs) - 1, int(pct * len(xs)))]


@pytest.mark.slow
def test_sigkill_worker_under_load(tmp_path: Path, gunicorn_factory: Callable[..., Gunicorn]) -> None:
    p = prepare_database(f"sqlite:///{tmp_path / 'db.sqlite3'}", SERVER_SECRET)
    server = gunicorn_factory(p.url, RECO_LOG_LEVEL="INFO")  # the master logs signals at info
    load = Load(mixed_reads(server, p), threads=THREADS, max_seconds=45).start()
    load.wait_for(100)
    before = server.workers()
    assert len(before) == 2
    victim = max(before)
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    replaced_at = wait_until(lambda: len(server.workers() - before) == 1 and len(server.workers()) == 2, 20)
    # Let the new worker boot and serve for a while; everything sent from now on must succeed.
    after_kill = len(load.outcomes)
    load.wait_for(after_kill + 200, timeout=30)
    load.stop()

    failures = load.failures()
    later = [o for o in load.outcomes if o.started > killed_at]
    new_workers = server.workers() - before
    print(f"\nSIGKILL worker {victim}: {len(load.outcomes)} requests from {THREADS} threads, "
          f"{len(failures)} failed (all in flight at the kill), replacement pid {sorted(new_workers)} after "
          f"{replaced_at - killed_at:.2f} s; {len(later)} requests after the kill, p99 {latency_ms(load, 0.99):.0f} ms")
    assert server.proc is not None and server.proc.poll() is None  # the master lived on
    assert victim not in server.workers() and len(new_workers) == 1
    assert f"Worker (pid:{victim}) was sent SIGKILL" in server.log()
    assert len(failures) <= THREADS, failures
    assert all(o.status is None and o.started <= killed_at for o in failures), failures  # in flight only
    assert all(o.status == 200 for o in later) and len(later) >= 200


@pytest.mark.slow
def test_sighup_reload_under_load(tmp_path: Path, gunicorn_factory: Callable[..., Gunicorn]) -> None:
    p = prepare_database(f"sqlite:///{tmp_path / 'db.sqlite3'}", SERVER_SECRET)
    server = gunicorn_factory(p.url, RECO_LOG_LEVEL="INFO")  # the master logs signals at info
    load = Load(mixed_reads(server, p), threads=THREADS, max_seconds=45).start()
    load.wait_for(100)
    before = server.workers()
    hup_at = time.monotonic()
    os.kill(server.master, signal.SIGHUP)
    replaced_at = wait_until(lambda: len(server.workers()) == 2 and not (server.workers() & before), 30)
    n = len(load.outcomes)
    load.wait_for(n + 120, timeout=30)  # the new generation serves
    load.stop()

    failures = load.failures()
    print(f"\nSIGHUP reload: {len(load.outcomes)} requests from {THREADS} threads, {len(failures)} failed; "
          f"workers {sorted(before)} -> {sorted(server.workers())} in {replaced_at - hup_at:.2f} s; "
          f"p50 {latency_ms(load, 0.5):.0f} ms, max {latency_ms(load, 1.0):.0f} ms")
    assert "Handling signal: hup" in server.log()
    assert not failures, failures[:5]
    assert all(o.status == 200 for o in load.outcomes)
