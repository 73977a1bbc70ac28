"""gunicorn settings, in the repo so every deployment runs the same way.

Each worker is one process with one BLAS/OpenMP thread: on these 2-core machines oversubscribed
OpenBLAS threads made numpy scoring 12x slower. The app is not preloaded: LightFM/OpenMP and BLAS
state must not be created before the fork.
"""

import multiprocessing
import os

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
max_requests = 5000
max_requests_jitter = 500
preload_app = False
accesslog = "-"
# The access log names path and status, never the query string (it may carry a location).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
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
