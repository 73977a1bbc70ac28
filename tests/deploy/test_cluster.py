"""More than one host (issue 16, item 8): ``deploy.cluster`` with two gunicorn instances on their
own ports and instance directories, one PostgreSQL database, one Redis and one artifact store,
nginx balancing them.

Shown here, each on every instance (asked directly, not through nginx, so no instance can hide
behind another):

- nginx spreads requests over both instances;
- a model promoted once into the shared store is what every instance serves (/health/ready and a
  worker's recommendations name its version), with no restart;
- a key revoked through one instance's ``flask keys revoke`` is refused by all within ~3 s;
- a key's budget is counted once across instances (Redis), not once per host.

Bounded: a uniquely named database (dropped after) and Redis key prefix, loopback ports picked at
random, every poll limited in time, every process stopped by its own pid.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from access.keys import create_key
from api.app import create_app
from deploy.cluster import Cluster, tcp_http_status
from deploy.stack import find_nginx
from recommender.items import TrainingData
from recommender.model import ModelParams
from serving.snapshot import build_snapshot
from storage.engine import make_engine
from storage.session import make_session_factory, writing
from tests.conftest import POSTGRES_URL
from tests.deterministic_model import DeterministicHybridModel
from tests.faults.conftest import SERVER_SECRET, TODAY, Prepared, free_port, prepare_database
from training_jobs.synthetic import generate_population
from training_jobs.train import run_training

REDIS_URL = os.environ.get("RECO_TEST_REDIS_URL")
IN_CI = os.environ.get("CI") == "true"
INSTANCES = 2
BUDGET = 40  # requests a minute per key, for the shared-budget check (above what the other tests use)
REVOCATION_WAIT_S = 3.0  # an in-process key cache may keep a revoked key for up to a second
PROMOTION_WAIT_S = 5.0  # RECO_MODEL_RELOAD_SECONDS=1 below

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL or not REDIS_URL,
                       reason="needs RECO_TEST_POSTGRES_URL and RECO_TEST_REDIS_URL (set by .ci/run)"),
    pytest.mark.skipif(find_nginx() is None and not IN_CI,
                       reason="nginx is not installed (Debian: apt-get install nginx-light); .ci/run installs it"),
]


@dataclass
class Running:
    cluster: Cluster
    prepared: Prepared

    def each_instance(self) -> list[str]:
        return [self.cluster.instance_base(i) for i in range(INSTANCES)]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    tmp = tmp_path_factory.mktemp("cluster")
    admin = create_engine(POSTGRES_URL or "", isolation_level="AUTOCOMMIT")
    name = f"reco_hosts_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL or "").set(database=name).render_as_string(hide_password=False)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("RECO_", "FLASK_", "DATABASE_URL"))},
           "RECO_SECRET_KEY": SERVER_SECRET, "RECO_TODAY": TODAY.isoformat(), "RECO_LOG_LEVEL": "WARNING",
           "RECO_THREADS": "2", "RECO_MODEL_RELOAD_SECONDS": "1",
           "RECO_RATE_LIMIT": f"{BUDGET} per minute", "RECO_RATE_LIMIT_FAILED_AUTH": "1000 per minute",
           # Other tests share this Redis database: counters of this run under a prefix of its own.
           "RECO_RATE_LIMIT_KEY_PREFIX": f"reco-hosts-{uuid.uuid4().hex[:8]}"}
    try:
        prepared = prepare_database(url, SERVER_SECRET, n_workers=2)
        # One worker per instance: "every instance answered" then means every process did.
        cluster = Cluster(free_port(), tmp / "state", env=env, database_url=url, redis_url=REDIS_URL or "",
                          artifacts_dir=tmp / "artifacts", instances=INSTANCES,
                          instance_ports=[free_port() for _ in range(INSTANCES)], workers=1)
        with cluster:
            yield Running(cluster, prepared)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def poll(check: Callable[[], bool], seconds: float) -> float | None:
    """Seconds until ``check()`` held, or None if it did not within ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def get(url: str, key: str | None = None) -> requests.Response:
    headers = {"Connection": "close", **({"Authorization": f"Bearer {key}"} if key else {})}
    return requests.get(url, headers=headers, timeout=10)


def new_key(url: str, role: str = "app") -> tuple[str, str]:
    engine = make_engine(url)
    try:
        with writing(make_session_factory(engine)) as session:
            row, key = create_key(session, SERVER_SECRET, role, name="cluster test")
            return row.prefix, key
    finally:
        engine.dispose()


def test_the_proxy_balances_over_every_instance(running: Running) -> None:
    c = running.cluster
    statuses = [get(f"{c.base}/health/ready").status_code for _ in range(6)]
    assert statuses == [200] * 6
    log = (c.state / "nginx-access.log").read_text()
    for port in c.instance_ports:
        assert '"GET /health/ready" 200' in log and f"{c.host}:{port}" in log, (port, log[-2000:])


def test_a_model_promoted_once_is_served_by_every_instance(running: Running) -> None:
    c, p = running.cluster, running.prepared
    assert all(get(f"{b}/health/ready").json()["model"]["serving"] == "rule_based" for b in running.each_instance())

    # Train on the shared database's catalog and promote through the project's gate (with an
    # operator's override should a tiny model not beat popularity): CURRENT flips once.
    engine = make_engine(p.url)
    try:
        with make_session_factory(engine)() as session:
            snapshot = build_snapshot(session, TODAY)
    finally:
        engine.dispose()
    workers, centers, events = generate_population(list(snapshot.items), 300, 7, TODAY)
    data = TrainingData(workers, {course.id: course for course in snapshot.items}, events, centers)
    result = run_training(data, ModelParams(no_components=8, epochs=3, random_state=3, num_threads=1),
                          c.artifacts_dir, today=TODAY, progress=False, model_cls=DeterministicHybridModel,
                          tune=False, override_reason="multi-host test: promotion, not quality")
    assert result.promoted
    promoted_at = time.monotonic()

    def serving_it(base: str) -> bool:
        return bool(get(f"{base}/health/ready").json()["model"]["version"] == result.version)

    waits = [poll(lambda b=base: serving_it(b), PROMOTION_WAIT_S) for base in running.each_instance()]
    assert all(w is not None for w in waits), waits
    all_serving_s = time.monotonic() - promoted_at
    # What a worker is shown, asked of each instance and through nginx, comes from that model.
    worker = p.worker_ids[0]
    for base in [*running.each_instance(), c.base]:
        resp = get(f"{base}/v1/workers/{worker}/recommendations?k=5", p.counselor)
        assert resp.status_code == 200, resp.text
        assert resp.json()["served_by"] == {"serving": "model", "version": result.version}
    print(f"\npromoted {result.version}: served by all {INSTANCES} instances {all_serving_s:.2f} s after CURRENT flipped")


def test_a_key_revoked_on_one_instance_is_refused_by_all(running: Running) -> None:
    c, p = running.cluster, running.prepared
    prefix, key = new_key(p.url)
    bases = [*running.each_instance(), c.base]
    assert [get(f"{b}/v1/occupations?per_page=1", key).status_code for b in bases] == [200] * len(bases)

    # The operator's command (`bin/reco keys revoke`) as the first host runs it: its database,
    # secret, instance directory and limits store (in-process: a new interpreter costs seconds).
    first = c.instance_env(0)
    app = create_app({"DATABASE_URL": first["DATABASE_URL"], "SECRET_KEY": first["RECO_SECRET_KEY"],
                      "INSTANCE_DIR": first["RECO_INSTANCE_DIR"], "ARTIFACTS_DIR": first["RECO_ARTIFACTS_DIR"],
                      "RATELIMIT_STORAGE_URI": first["RECO_RATE_LIMIT_STORAGE_URI"],
                      "RATELIMIT_KEY_PREFIX": first["RECO_RATE_LIMIT_KEY_PREFIX"]})
    revoke = app.test_cli_runner().invoke(args=["keys", "revoke", prefix])
    app.services.engine.dispose()
    assert revoke.exit_code == 0 and f"revoked {prefix}" in revoke.output, revoke.output
    revoked_at = time.monotonic()

    waits = [poll(lambda b=base: get(f"{b}/v1/occupations?per_page=1", key).status_code == 401, REVOCATION_WAIT_S)
             for base in bases]
    assert all(w is not None for w in waits), waits
    # And it stays refused everywhere (no instance, worker or cache serves it again).
    assert [get(f"{b}/v1/occupations?per_page=1", key).status_code for b in bases * 2] == [401] * len(bases) * 2
    print(f"\nrevoked on instance 1: refused by every instance within {time.monotonic() - revoked_at:.2f} s")


def test_one_budget_per_key_across_instances(running: Running) -> None:
    _, key = new_key(running.prepared.url)
    bases = running.each_instance()
    statuses = [get(f"{bases[i % INSTANCES]}/v1/occupations?per_page=1", key).status_code
                for i in range(BUDGET + 6)]
    # Per-host counters would have answered 2 × BUDGET; the shared Redis answers BUDGET in all.
    assert statuses == [200] * BUDGET + [429] * 6, statuses


def test_the_cluster_refuses_settings_hosts_cannot_share(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        Cluster(free_port(), tmp_path, database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
                redis_url=REDIS_URL or "redis://127.0.0.1:6379/15", artifacts_dir=tmp_path).start()
    with pytest.raises(RuntimeError, match="redis"):
        Cluster(free_port(), tmp_path, database_url=POSTGRES_URL or "", redis_url="memory://",
                artifacts_dir=tmp_path).start()
    assert tcp_http_status("127.0.0.1", free_port()) is None  # nothing listens: no answer, no hang
