"""More than one host, on one machine: nginx balancing N gunicorn instances that share one
PostgreSQL database, one Redis and one artifact store.

    python -m deploy.cluster --instances 2 --port 8080 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/reco --redis redis://127.0.0.1:6379/0
    # or: make cluster   (creates the database if missing, migrates, imports, trains, then this)

Each instance stands in for a host: its own gunicorn master and workers on its own TCP port
(127.0.0.1:<port+1>, <port+2>, …) and its own instance directory (<state>/instance-<n>: what a
host keeps on its local disk), with what must be shared between hosts given to all of them:

- ``DATABASE_URL``: PostgreSQL (SQLite is one file on one disk: refused here);
- ``RECO_RATE_LIMIT_STORAGE_URI``: Redis, so a key's budget and an address's failed credentials
  are counted once for the whole service, not once per host;
- ``RECO_ARTIFACTS_DIR``: the one artifact store; a model promoted there (``CURRENT`` flipped) is
  picked up by every worker of every instance within ``RECO_MODEL_RELOAD_SECONDS``;
- ``RECO_SECRET_KEY``: the same on every host (API keys are stored as HMACs under it).

API keys are looked up in the shared database (or in a cache of a second at most), so a key
revoked through any host is refused by all. The same nginx configuration as deploy/stack.py
(deploy/nginx.conf), with one upstream ``server`` line per instance. Ctrl-C or SIGTERM stops
them all; any process ending stops the rest. README "More than one host" maps this to real hosts.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deploy.stack import REPO, Stack, stop_process

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/reco"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def tcp_http_status(host: str, port: int, target: str = "/health/live", timeout: float = 2.0) -> int | None:
    """Status of a GET sent straight to one instance, or None if it did not answer in time."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", target, headers={"Connection": "close"})
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def shared_settings_problem(database_url: str, redis_url: str) -> str | None:
    """Why these settings cannot be shared by several hosts, or None."""
    if make_url(database_url).get_backend_name() != "postgresql":
        return "--database must be PostgreSQL (postgresql+psycopg://…): SQLite is a file on one host's disk"
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        return "--redis must be a redis:// URL: the default SQLite counters are per host"
    return None


def ensure_database(database_url: str) -> bool:
    """Create the PostgreSQL database of ``database_url`` if it does not exist; True if created.
    (The server's maintenance database ``postgres`` is used to ask and create.)"""
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).first():
                return False
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
            return True
    finally:
        admin.dispose()


class Cluster(Stack):
    """nginx on ``host:port`` in front of ``instances`` gunicorns on ``host:first_instance_port+i``.

    ``env`` is the environment every instance starts from (RECO_SECRET_KEY and the like); the
    shared settings are set on top of it for each instance.
    """

    def __init__(self, port: int, state_dir: Path, *, database_url: str, redis_url: str,
                 artifacts_dir: Path, instances: int = 2, instance_ports: list[int] | None = None,
                 **stack_options: Any) -> None:
        super().__init__(port, state_dir, **stack_options)
        if instances < 1:
            raise ValueError("at least one instance")
        self.instance_ports = instance_ports or [port + 1 + i for i in range(instances)]
        if len(self.instance_ports) != instances:
            raise ValueError("one port per instance")
        self.database_url, self.redis_url = database_url, redis_url
        self.artifacts_dir = artifacts_dir.resolve()
        self.apps: list[subprocess.Popen[bytes]] = []

    def instance_base(self, i: int) -> str:
        """URL of instance ``i`` itself (bypassing nginx): what a health check of that host uses."""
        return f"http://{self.host}:{self.instance_ports[i]}"

    def instance_dir(self, i: int) -> Path:
        return self.state / f"instance-{i + 1}"

    def instance_env(self, i: int) -> dict[str, str]:
        env = {**self.env, "DATABASE_URL": self.database_url, "RECO_RATE_LIMIT_STORAGE_URI": self.redis_url,
               "RECO_ARTIFACTS_DIR": str(self.artifacts_dir), "RECO_INSTANCE_DIR": str(self.instance_dir(i)),
               "RECO_BIND": f"{self.host}:{self.instance_ports[i]}", "RECO_PROXY_HOPS": "1"}
        env.pop("RECO_DATABASE_URL", None)  # DATABASE_URL wins anyway; one name avoids confusion
        if self.workers:
            env["RECO_WORKERS"] = str(self.workers)
        return env

    def upstream_servers(self) -> str:
        return "\n".join(f"        server {self.host}:{p} max_fails=1 fail_timeout=10s;" for p in self.instance_ports)

    def processes(self) -> list[subprocess.Popen[bytes] | None]:
        return [*self.apps, self.nginx]

    def start(self, timeout: float = 45.0) -> Cluster:
        if self.nginx_bin is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")
        problem = shared_settings_problem(self.database_url, self.redis_url)
        if problem:
            raise RuntimeError(problem)
        old_umask = os.umask(0o077)  # config and logs 0600 (the logs carry client addresses)
        try:
            self._prepare_state()
            conf = self.render()
            for i in range(len(self.instance_ports)):
                self.instance_dir(i).mkdir(exist_ok=True)
                self._logs.append(open(self.state / f"gunicorn-{i + 1}.log", "ab"))  # noqa: SIM115
            nginx_log = open(self.state / "nginx-stderr.log", "ab")  # noqa: SIM115
            self._logs.append(nginx_log)
        finally:
            os.umask(old_umask)
        for i in range(len(self.instance_ports)):
            self.apps.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=REPO,
                env=self.instance_env(i), stdout=self._logs[i], stderr=subprocess.STDOUT))
        self._wait(lambda: all(tcp_http_status(self.host, p) == 200 for p in self.instance_ports),
                   timeout, "gunicorn instances")
        self.nginx = subprocess.Popen(
            [str(self.nginx_bin), "-p", str(self.state), "-c", str(conf), "-e", str(self.state / "nginx-error.log")],
            cwd=self.state, stdout=subprocess.DEVNULL, stderr=nginx_log)
        self._wait(lambda: tcp_http_status(self.host, self.port) == 200, timeout, "nginx")
        return self

    def stop(self) -> None:
        stop_process(self.nginx, signal.SIGQUIT)  # nginx finishes what is in flight
        for proc in self.apps:  # SIGTERM to all first, so they drain in parallel
            if proc.poll() is None:
                proc.terminate()
        for proc in self.apps:
            stop_process(proc, signal.SIGTERM)
        super().stop()  # the state's socket directory and the logs

    def __enter__(self) -> Cluster:
        return self.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=2, help="gunicorn instances (hosts) behind nginx.")
    parser.add_argument("--host", default="127.0.0.1", help="Address nginx and the instances listen on.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("RECO_STACK_PORT", 8080)),
                        help="nginx's port; instance n listens on port+n.")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE,
                        help=f"PostgreSQL URL every instance uses (default DATABASE_URL or {DEFAULT_DATABASE}).")
    parser.add_argument("--redis", default=os.environ.get("RECO_RATE_LIMIT_STORAGE_URI") or DEFAULT_REDIS,
                        help=f"Redis for the shared rate limits (default {DEFAULT_REDIS}).")
    parser.add_argument("--artifacts", type=Path, default=Path(os.environ.get("RECO_ARTIFACTS_DIR", "var/artifacts")),
                        help="The artifact store every instance reads (default RECO_ARTIFACTS_DIR or var/artifacts).")
    parser.add_argument("--state", type=Path, default=Path("var") / "cluster",
                        help="Private directory for nginx's config, the instances' directories and all logs.")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers per instance.")
    parser.add_argument("--create-database", action="store_true",
                        help="Create the PostgreSQL database if it does not exist, then exit.")
    args = parser.parse_args(argv)
    problem = shared_settings_problem(args.database, args.redis)
    if problem:
        print(f"deploy.cluster: {problem}", file=sys.stderr)
        return 2
    if args.create_database:
        created = ensure_database(args.database)
        print(f"database {make_url(args.database).database}: {'created' if created else 'exists'}")
        return 0
    cluster = Cluster(args.port, args.state, host=args.host, database_url=args.database, redis_url=args.redis,
                      artifacts_dir=args.artifacts, instances=args.instances, workers=args.workers)
    try:
        cluster.start()
    except RuntimeError as exc:
        print(f"deploy.cluster: {exc}", file=sys.stderr)
        return 1
    instances = ", ".join(cluster.instance_base(i) for i in range(args.instances))
    print(f"nginx on {cluster.base} -> {args.instances} instances ({instances}); "
          f"logs in {cluster.state}; Ctrl-C stops all", flush=True)
    return cluster.wait()


if __name__ == "__main__":
    sys.exit(main())
