"""gunicorn settings, in the repo so every deployment runs the same way.

Each worker is one process with one BLAS/OpenMP thread: on these 2-core machines oversubscribed
OpenBLAS threads made numpy scoring 12x slower. The app is not preloaded: LightFM/OpenMP and BLAS
state must not be created before the fork.
"""

import multiprocessing
import os
import shutil
from pathlib import Path

BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
# Set in the master before any worker imports numpy, and passed to workers explicitly as well.
os.environ.update({var: "1" for var in BLAS_THREAD_VARS})
raw_env = [f"{var}=1" for var in BLAS_THREAD_VARS]

bind = os.environ.get("RECO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("RECO_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("RECO_THREADS", 4))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never takes the service down; jitter keeps them
# from restarting all at once.
max_requests = int(os.environ.get("RECO_MAX_REQUESTS", 5000))  # 0: never (benchmarks)
max_requests_jitter = 500
preload_app = False
accesslog = "-"
# The access log names path and status, never the query string (it may carry a location); one
# JSON object per line, with the request id the app echoes (X-Request-ID) to join the app's logs.
access_log_format = ('{"log": "access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
                     '"status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "request_id": "%({x-request-id}o)s"}')
errorlog = "-"
loglevel = os.environ.get("RECO_LOG_LEVEL", "info").lower()
# Files the service writes (database, WAL, artifacts, push plans) are for its own user only.
umask = 0o077
# gunicorn >= 25 opens a control socket (for `gunicornc`) at one fixed path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): two instances on one machine would
# share it, and stopping one removes the other's. Off, unless RECO_CONTROL_SOCKET names a path
# for this instance.
if os.environ.get("RECO_CONTROL_SOCKET"):
    control_socket = os.environ["RECO_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Prometheus multiprocess mode: every worker writes its samples under this directory and a scrape
# of /metrics adds them up. It is emptied when the server starts (samples of a previous run would
# count again) and a dead worker's live gauges are dropped. One directory per instance: two
# servers sharing an instance directory would empty each other's.
METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(
    (Path(os.environ.get("RECO_INSTANCE_DIR", "var")) / "prometheus").resolve())
raw_env.append(f"PROMETHEUS_MULTIPROC_DIR={METRICS_DIR}")  # gunicorn exports it before the fork


def on_starting(server: object) -> None:
    directory = Path(METRICS_DIR)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, mode=0o700)


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
