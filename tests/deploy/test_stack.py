"""The production stack survives slow clients (issue 10).

Before (main of 2026-12-02, bare gunicorn, 2 workers x 4 threads): 32 connections sending their
headers slowly gave 0 answers to 12 probes over 60 s, and 16 slow bodies did the same; no timeout
fires, since each gunicorn thread reads its request itself. This test runs the same attack against
the stack's own gunicorn socket, bypassing nginx, to show that it still starves there, and then
through nginx, where every probe is answered while nginx holds the slow connections (and closes the
slow headers after client_header_timeout).

Bounded: every attacker stops by itself after ATTACK_S seconds, every socket is on loopback or a
private unix socket, and the stack is stopped by its own pids.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests

from access.keys import create_key
from deploy.stack import Stack, find_nginx, unix_http_status
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.session import make_session_factory, writing
from tests.faults.conftest import SERVER_SECRET, free_port

SLOW_HEADERS, SLOW_BODIES = 32, 16
ATTACK_S = 7.0
PROBE_EVERY_S = 0.5
IN_CI = os.environ.get("CI") == "true"  # as tests/console/test_browser.py

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_nginx() is None and not IN_CI,
                       reason="nginx is not installed (Debian: apt-get install nginx-light); .ci/run installs it"),
]


@dataclass
class Attack:
    """48 slow clients against one address; each ends by itself after ``seconds``."""

    connect: Callable[[], socket.socket]
    seconds: float = ATTACK_S
    closed_by_server: int = 0
    threads: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _slow(self, first: bytes, drip: bytes) -> None:
        deadline = time.monotonic() + self.seconds
        try:
            s = self.connect()
        except OSError:
            return
        with s:
            try:
                s.sendall(first)
                for _ in range(int(self.seconds) + 2):  # one drip a second, bounded
                    if time.monotonic() > deadline:
                        return
                    time.sleep(1.0)
                    s.sendall(drip)
            except OSError:  # the server closed it (nginx: 408 after the timeout)
                with self.lock:
                    self.closed_by_server += 1

    def start(self) -> Attack:
        header = b"GET /v1/occupations HTTP/1.1\r\nHost: localhost\r\n"
        body = (b"POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n{")
        self.threads = [threading.Thread(target=self._slow, args=(header, b"X-Slow: a\r\n"), daemon=True)
                        for _ in range(SLOW_HEADERS)]
        self.threads += [threading.Thread(target=self._slow, args=(body, b" "), daemon=True)
                         for _ in range(SLOW_BODIES)]
        for t in self.threads:
            t.start()
        return self

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=self.seconds + 10)
        assert not any(t.is_alive() for t in self.threads)


def probe_while(attack: Attack, probe: Callable[[], int | None]) -> list[int | None]:
    """Probe every PROBE_EVERY_S while the attack lasts (after it has opened its connections)."""
    time.sleep(1.0)
    results: list[int | None] = []
    deadline = time.monotonic() + attack.seconds - 1.5
    while time.monotonic() < deadline:
        started = time.monotonic()
        results.append(probe())
        time.sleep(max(0.0, PROBE_EVERY_S - (time.monotonic() - started)))
    return results


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    """One stack for this module's tests (starting gunicorn is most of their time)."""
    tmp_path = tmp_path_factory.mktemp("stack")
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with writing(make_session_factory(engine)) as session:
        app_key = create_key(session, SERVER_SECRET, "app", name="stack probe")[1]
    engine.dispose()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("RECO_", "FLASK_"))},
           "RECO_SECRET_KEY": SERVER_SECRET, "DATABASE_URL": url, "RECO_INSTANCE_DIR": str(tmp_path),
           "RECO_ARTIFACTS_DIR": str(tmp_path / "artifacts"), "RECO_WORKERS": "2", "RECO_THREADS": "4",
           "RECO_LOG_LEVEL": "WARNING", "RECO_RATE_LIMIT_ENABLED": "0"}
    with Stack(free_port(), tmp_path / "stack", env=env, header_timeout_s=4, body_timeout_s=10) as s:
        yield s, app_key


def test_slow_clients_starve_bare_gunicorn_but_not_the_stack(stack: tuple[Stack, str]) -> None:
    s, app_key = stack

    def via_nginx() -> int | None:
        try:
            return requests.get(f"{s.base}/v1/occupations?per_page=1", timeout=3,
                                headers={"Authorization": f"Bearer {app_key}", "Connection": "close"}).status_code
        except requests.RequestException:
            return None

    def nginx_connection() -> socket.socket:
        return socket.create_connection((s.host, s.port), timeout=5)

    def gunicorn_connection() -> socket.socket:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(5)
        c.connect(str(s.socket_path))
        return c

    # Through nginx: every probe answered, promptly.
    attack = Attack(nginx_connection).start()
    t0 = time.monotonic()
    proxied = probe_while(attack, via_nginx)
    attack.join()
    nginx_s = time.monotonic() - t0

    # The same attack straight at gunicorn's socket: its threads are held reading the slow requests.
    attack_bare = Attack(gunicorn_connection).start()
    bare = probe_while(attack_bare, lambda: unix_http_status(s.socket_path, "/health/live", timeout=2))
    attack_bare.join()

    # Once the slow clients are gone, gunicorn serves again (nothing was broken for good).
    recovered = [unix_http_status(s.socket_path, "/health/live", timeout=5) for _ in range(3)]
    print(f"\n{SLOW_HEADERS} slow-header + {SLOW_BODIES} slow-body connections for {ATTACK_S:.0f} s:"
          f"\n  through nginx: {proxied.count(200)}/{len(proxied)} probes answered 200 "
          f"({attack.closed_by_server} slow connections closed by nginx; {nginx_s:.1f} s)"
          f"\n  bare gunicorn: {bare.count(200)}/{len(bare)} probes answered; after the attack {recovered}")
    assert len(proxied) >= 8 and all(status == 200 for status in proxied), proxied
    assert attack.closed_by_server >= SLOW_HEADERS // 2  # nginx's client_header_timeout fired
    # Starved without the proxy: 0/3 in most runs, 1/3 once on a loaded machine (a thread freed
    # between two slow connections); the point is the contrast with every probe answered above.
    assert None in bare and bare.count(200) <= len(bare) // 2, bare
    assert recovered == [200, 200, 200]


def test_forwarded_headers_come_from_nginx_only(stack: tuple[Stack, str]) -> None:
    """A client's own X-Forwarded-For is overwritten by nginx: it cannot pick the address its
    failed-credential budget is counted under (the app trusts the header only behind the proxy)."""
    s, _ = stack
    statuses = [requests.get(f"{s.base}/v1/occupations", timeout=5,
                             headers={"X-Forwarded-For": f"198.51.100.{i}", "Connection": "close"}).status_code
                for i in range(3)]
    assert statuses == [401, 401, 401]
    body = requests.post(f"{s.base}/v1/events", data=b"x" * (300 * 1024), timeout=5,
                         headers={"Content-Type": "application/json"})
    assert body.status_code == 413  # nginx refuses an oversized body before gunicorn reads it
    log = (s.state / "nginx-access.log").read_text()
    assert "198.51.100." not in log and "127.0.0.1" in log
