"""The database unavailable or locked: 503 problem+json with Retry-After (never 500), nothing
half-written, and recovery without restarting the service."""

from __future__ import annotations

import contextlib
import select
import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlalchemy.engine import make_url

from tests.conftest import TEST_SECRET, make_test_app
from tests.faults.conftest import Prepared, free_port, prepare_database
from workers.tables import AuditEntry, Worker

NEW_WORKER = {"name": "lock test", "residence_county": "tinghu", "national_id": None}


def assert_unavailable(resp: Any) -> None:
    assert resp.status_code == 503, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    assert resp.headers.get("Retry-After", "").isdigit() and int(resp.headers["Retry-After"]) > 0
    body = resp.get_json()
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    assert "retry" in body["detail"].lower() or "cannot be reached" in body["detail"]
    text = resp.get_data(as_text=True).lower()
    assert "database is locked" not in text and "traceback" not in text and "psycopg" not in text


class TcpProxy:
    """127.0.0.1:<port> -> upstream; ``down()`` refuses new connections and cuts live ones, as a
    stopped or unreachable server does; ``up()`` listens again on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def up(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        listener.settimeout(0.1)
        self._listener = listener
        th = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        th.start()
        self._threads.append(th)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            server = socket.create_connection(self.upstream, timeout=5)
            with self._lock:
                self._conns += [client, server]
            th = threading.Thread(target=self._pipe, args=(client, server), daemon=True)
            th.start()
            self._threads.append(th)

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    peers[s].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        for th in self._threads:
            th.join(timeout=5)
        self._threads = []


def count(client: FlaskClient, model: Any) -> int:
    app = client.application
    with app.services.sessions() as session:
        return int(session.scalar(sql_select(func.count()).select_from(model)) or 0)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgres_unreachable_gives_503_then_recovers(database_url: str, tmp_path: Path) -> None:
    p = prepare_database(database_url, TEST_SECRET)
    real = make_url(database_url)
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432))
    via_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    # The service starts while the database is unreachable (closed port): it must come up anyway.
    app = make_test_app(via_proxy, tmp_path)
    client = app.test_client()
    try:
        for path in ("/v1/courses?per_page=5", f"/v1/workers/{p.worker_ids[0]}"):
            assert_unavailable(client.get(path, headers=p.auth(p.admin)))
        assert_unavailable(client.get("/health/ready"))
        assert client.get("/health/live").status_code == 200

        proxy.up()  # the server is reachable again: no restart
        resp = client.get("/v1/courses?per_page=5", headers=p.auth(p.admin))
        assert resp.status_code == 200 and len(resp.get_json()["items"]) == 5
        assert client.get("/health/ready").get_json()["database"] == "ok"
        workers_before = count(client, Worker)

        proxy.down()  # pooled connections die mid-life; a write request is refused cleanly
        assert_unavailable(client.post("/v1/workers", json=NEW_WORKER, headers=p.auth(p.counselor)))
        assert_unavailable(client.get(f"/v1/workers/{p.worker_ids[0]}/recommendations",
                                      headers=p.auth(p.counselor)))
        assert_unavailable(client.get("/health/ready"))

        proxy.up()
        resp = client.get(f"/v1/workers/{p.worker_ids[0]}/recommendations", headers=p.auth(p.counselor))
        assert resp.status_code == 200 and resp.get_json()["items"]
        assert count(client, Worker) == workers_before  # the refused POST wrote nothing
        resp = client.post("/v1/workers", json=NEW_WORKER, headers=p.auth(p.counselor))
        assert resp.status_code == 201, resp.get_data(as_text=True)
        assert count(client, Worker) == workers_before + 1
    finally:
        proxy.down()
        app.services.engine.dispose()


def test_sqlite_locked_gives_503_and_writes_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    p: Prepared = prepare_database(f"sqlite:///{db_path}", TEST_SECRET)
    app = make_test_app(f"sqlite:///{db_path}", tmp_path, SQLITE_BUSY_TIMEOUT_MS=300)
    client = app.test_client()
    workers_before, audit_before = count(client, Worker), count(client, AuditEntry)

    holder = sqlite3.connect(db_path, isolation_level=None, timeout=5)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE api_keys SET name = name")  # a real writer, holding the lock
        started = time.monotonic()
        resp = client.post("/v1/workers", json=NEW_WORKER, headers=p.auth(p.counselor))
        waited = time.monotonic() - started
        assert_unavailable(resp)
        assert 0.25 <= waited < 5, waited  # it queued for the busy timeout, then gave up
        # PATCH is refused the same way.
        assert_unavailable(client.patch(f"/v1/workers/{p.worker_ids[0]}", json={"name": "changed"},
                                        headers=p.auth(p.counselor)))
        # An audited read is not a writer (issue 10): it is answered; its audit entry waits in the
        # process's audit trail until the lock is free (written by the next flush, below).
        assert client.get(f"/v1/workers/{p.worker_ids[0]}", headers=p.auth(p.counselor)).status_code == 200
        assert app.services.audit_trail.depth == 1
        # Plain reads do not queue behind the writer under WAL.
        resp = client.get("/v1/courses?per_page=3", headers=p.auth(p.counselor))
        assert resp.status_code == 200 and len(resp.get_json()["items"]) == 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert count(client, Worker) == workers_before
    assert count(client, AuditEntry) == audit_before
    resp = client.get(f"/v1/workers/{p.worker_ids[0]}", headers=p.auth(p.counselor))
    assert resp.status_code == 200 and resp.get_json()["name"] == "worker 0"  # the PATCH left nothing
    resp = client.post("/v1/workers", json=NEW_WORKER, headers=p.auth(p.counselor))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["name"] == "lock test"
    assert count(client, Worker) == workers_before + 1
    # The read during the lock, the read above and the create.
    assert count(client, AuditEntry) == audit_before + 3 and app.services.audit_trail.depth == 0
    app.services.engine.dispose()
