"""Many concurrent writers through real gunicorn (2 worker processes × 4 threads) on SQLite (WAL)
and PostgreSQL: every event and profile sent is stored exactly once, no response is a 5xx, and
"database is locked" never reaches a client."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from storage.engine import make_engine
from storage.session import make_session_factory
from tests.faults.conftest import SERVER_SECRET, Gunicorn, Load, prepare_database
from workers.tables import AuditEntry, Event, Worker

THREADS = 16
PER_THREAD = 50
EVENTS_PER_BATCH = 5


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(database_url: str, tmp_path: Path,
                                         gunicorn_factory: Callable[..., Gunicorn]) -> None:
    p = prepare_database(database_url, SERVER_SECRET, n_workers=THREADS)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)

    def count(model: object, *where: object) -> int:
        with sessions() as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]

    audit_before, workers_before = count(AuditEntry), count(Worker)
    server = gunicorn_factory(database_url)

    def send(t: int, i: int) -> requests.Response:
        own = p.worker_ids[t]  # each thread edits its own profile, so the last write is known
        kind = i % 3
        headers = {"Connection": "close"}
        if kind == 0:
            events = [{"worker_id": p.worker_ids[(t + j) % THREADS],
                       "course_id": p.course_ids[(i + j) % len(p.course_ids)],
                       "kind": ("view", "click", "save")[j % 3], "client_event_id": f"conc-{t:02d}-{i:03d}-{j}"}
                      for j in range(EVENTS_PER_BATCH)]
            return requests.post(f"{server.base}/v1/events", json={"events": events},
                                 headers={**headers, **p.auth(p.counselor)}, timeout=60)
        if kind == 1:
            return requests.post(f"{server.base}/v1/workers", json={"name": f"conc-{t:02d}-{i:03d}",
                                                                   "residence_county": "tinghu"},
                                 headers={**headers, **p.auth(p.counselor)}, timeout=60)
        return requests.patch(f"{server.base}/v1/workers/{own}", json={"name": f"patched-{t:02d}-{i:03d}"},
                              headers={**headers, **p.auth(p.counselor)}, timeout=60)

    load = Load(send, threads=THREADS, max_requests_per_thread=PER_THREAD, max_seconds=120)
    started = time.monotonic()
    load.start().join()
    elapsed = time.monotonic() - started

    statuses = Counter(o.status for o in load.outcomes)
    sent = {k: sum(1 for i in range(PER_THREAD) if i % 3 == k) * THREADS for k in range(3)}
    locked = [o for o in load.outcomes if "database is locked" in o.body.lower()]
    stored_events = count(Event, Event.client_event_id.like("conc-%"))
    with sessions() as s:
        distinct_events = int(s.scalar(select(func.count(func.distinct(Event.client_event_id)))
                                       .where(Event.client_event_id.like("conc-%"))) or 0)
        created = Counter(s.scalars(select(Worker.name).where(Worker.name.like("conc-%"))))
        patched = {w.id: w.name for w in s.scalars(select(Worker).where(Worker.id.in_(p.worker_ids)))}
    audits = count(AuditEntry) - audit_before
    total_workers = count(Worker)
    engine.dispose()

    backend = database_url.split(":", 1)[0]
    print(f"\nconcurrency ({backend}): {len(load.outcomes)} requests ({sent[0]} event batches = "
          f"{sent[0] * EVENTS_PER_BATCH} events, {sent[1]} POST /v1/workers, {sent[2]} PATCH) from {THREADS} threads "
          f"in {elapsed:.1f} s ({len(load.outcomes) / elapsed:.0f} req/s); statuses {dict(statuses)}; stored "
          f"{stored_events} events, {sum(created.values())} new workers, {audits} audit entries")

    assert len(load.outcomes) == THREADS * PER_THREAD
    assert not locked, locked[:3]
    assert not [o for o in load.outcomes if o.status is None or o.status >= 500], statuses
    assert statuses == Counter({201: sent[0] + sent[1], 200: sent[2]}), statuses
    assert stored_events == distinct_events == sent[0] * EVENTS_PER_BATCH  # nothing lost, nothing twice
    assert sum(created.values()) == len(created) == sent[1]
    assert total_workers == workers_before + sent[1]
    last = max(i for i in range(PER_THREAD) if i % 3 == 2)
    assert patched == {p.worker_ids[t]: f"patched-{t:02d}-{last:03d}" for t in range(THREADS)}
    assert audits == sent[1] + sent[2]  # one "create" per POST, one "update" per PATCH

