"""The production stack on one machine: nginx (Debian's ``nginx-light``) in front of gunicorn.

    python -m deploy.stack --port 8080          # or: make stack

gunicorn listens on a unix socket in a private state directory (0700, default ``var/stack``), so
nothing but this nginx can reach it, and runs with ``RECO_PROXY_HOPS=1``: the app takes the client
address from the X-Forwarded-For that nginx sets (and overwrites). nginx runs unprivileged with
its pid, logs and temp files in the state directory, reads whole requests before gunicorn sees
them (slow clients cost nginx a few KiB, not a gunicorn thread), and caps sizes and connections
per address. See deploy/nginx.conf for each setting and why.

Ctrl-C or SIGTERM stops both (gunicorn gracefully: in-flight requests finish, audit entries are
written). Either process ending stops the other.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import IO

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx", "/usr/local/sbin/nginx")
# Unix socket paths are limited to 108 bytes; a longer state directory gets a short private one.
MAX_SOCKET_PATH = 100


def find_nginx() -> str | None:
    for name in NGINX_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def unix_http_status(path: Path | str, target: str = "/health/live", timeout: float = 2.0) -> int | None:
    """Status of a GET sent straight to gunicorn's socket, or None if it did not answer in time."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
    except OSError:
        return None
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def tcp_accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def stop_process(proc: subprocess.Popen[bytes] | None, sig: int) -> None:
    """Send ``sig`` and wait for the process (25 s, then SIGKILL); nothing if it has ended."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class Stack:
    """nginx on ``host:port`` in front of gunicorn on a unix socket; start, stop, or use as a
    context manager. ``env`` is the app's environment (RECO_*, DATABASE_URL)."""

    def __init__(self, port: int, state_dir: Path, *, host: str = "127.0.0.1", env: dict[str, str] | None = None,
                 workers: int | None = None, header_timeout_s: int = 10, body_timeout_s: int = 10,
                 max_body: str = "256k", conns_per_address: int = 100, nginx: str | None = None) -> None:
        self.host, self.port = host, port
        self.state = state_dir.resolve()
        self.env = dict(os.environ if env is None else env)
        self.workers = workers
        self.settings = {"HEADER_TIMEOUT": str(header_timeout_s), "BODY_TIMEOUT": str(body_timeout_s),
                         "MAX_BODY": max_body, "CONNS_PER_ADDRESS": str(conns_per_address)}
        self.nginx_bin = nginx or find_nginx()
        self.socket_path = self.state / "gunicorn.sock"
        self._socket_dir: Path | None = None
        self.gunicorn: subprocess.Popen[bytes] | None = None
        self.nginx: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[bytes]] = []
        self.base = f"http://{host}:{port}"

    # ------------------------------------------------------------------ set-up

    def _prepare_state(self) -> None:
        old = os.umask(0o077)
        try:
            for d in (self.state, *(self.state / "tmp" / n for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))):
                d.mkdir(parents=True, exist_ok=True)
            os.chmod(self.state, 0o700)
            if len(str(self.socket_path)) > MAX_SOCKET_PATH:
                self._socket_dir = Path(tempfile.mkdtemp(prefix="reco-"))
                self.socket_path = self._socket_dir / "gunicorn.sock"
        finally:
            os.umask(old)
        self.socket_path.unlink(missing_ok=True)

    def upstream_servers(self) -> str:
        """The ``server`` lines of nginx's upstream block: here the one gunicorn socket."""
        return f"        server unix:{self.socket_path};"

    def processes(self) -> list[subprocess.Popen[bytes] | None]:
        """Every process of the stack; when one ends, the stack stops."""
        return [self.gunicorn, self.nginx]

    def render(self) -> Path:
        """Write the nginx configuration for this stack; returns its path."""
        text = TEMPLATE.read_text()
        values = {**self.settings, "STATE": str(self.state), "UPSTREAM_SERVERS": self.upstream_servers(),
                  "HOST": self.host, "PORT": str(self.port)}
        for name, value in values.items():
            text = text.replace(f"@@{name}@@", value)
        if "@@" in text:
            raise ValueError("deploy/nginx.conf: a placeholder was left unfilled")
        if os.geteuid() == 0:
            # As root (a container, CI) nginx would hand its workers to "nobody", who cannot enter
            # the private state directory; a real host runs the stack as a service account instead.
            text = text.replace("worker_processes 1;", "user root;\nworker_processes 1;", 1)
        conf = self.state / "nginx.conf"
        conf.write_text(text)
        return conf

    # ------------------------------------------------------------------ life cycle

    def start(self, timeout: float = 30.0) -> Stack:
        if self.nginx_bin is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")
        old_umask = os.umask(0o077)  # config and logs 0600 (the logs carry client addresses)
        try:
            self._prepare_state()
            conf = self.render()
            self._logs = [open(self.state / "gunicorn.log", "ab"), open(self.state / "nginx-stderr.log", "ab")]  # noqa: SIM115
        finally:
            os.umask(old_umask)
        env = {**self.env, "RECO_BIND": f"unix:{self.socket_path}", "RECO_PROXY_HOPS": "1"}
        if self.workers:
            env["RECO_WORKERS"] = str(self.workers)
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=REPO, env=env,
            stdout=self._logs[0], stderr=subprocess.STDOUT)
        self._wait(lambda: unix_http_status(self.socket_path) == 200, timeout, "gunicorn")
        self.nginx = subprocess.Popen(
            [self.nginx_bin, "-p", str(self.state), "-c", str(conf), "-e", str(self.state / "nginx-error.log")],
            cwd=self.state, stdout=subprocess.DEVNULL, stderr=self._logs[1])
        self._wait(lambda: tcp_accepts(self.host, self.port), timeout, "nginx")
        return self

    def _wait(self, ready: object, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.processes():
                if proc is not None and proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{what} exited ({proc.returncode}); see {self.state}/*.log")
            if ready():  # type: ignore[operator]
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{what} did not come up in {timeout:.0f} s; see {self.state}/*.log")

    def stop(self) -> None:
        # nginx first (SIGQUIT: finish what is in flight), then gunicorn (SIGTERM: graceful).
        for proc, sig in ((self.nginx, signal.SIGQUIT), (self.gunicorn, signal.SIGTERM)):
            stop_process(proc, sig)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        for log in self._logs:
            log.close()
        self._logs = []

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self) -> int:
        """Block until either process ends (or a signal stops both); returns an exit status."""
        stopping = False

        def on_signal(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while not stopping and all(p is not None and p.poll() is None for p in self.processes()):
            time.sleep(0.2)
        self.stop()
        return 0 if stopping else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.stack", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("RECO_STACK_HOST", "127.0.0.1"),
                        help="Address nginx listens on (default 127.0.0.1; 0.0.0.0 to serve the network).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("RECO_STACK_PORT", 8080)))
    parser.add_argument("--state", type=Path, default=Path(os.environ.get("RECO_INSTANCE_DIR", "var")) / "stack",
                        help="Private directory for the socket, nginx's config, pid, logs and temp files.")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default RECO_WORKERS or cores).")
    args = parser.parse_args(argv)
    stack = Stack(args.port, args.state, host=args.host, workers=args.workers)
    try:
        stack.start()
    except RuntimeError as exc:
        print(f"deploy.stack: {exc}", file=sys.stderr)
        return 1
    print(f"nginx on {stack.base} -> gunicorn on unix:{stack.socket_path}  (logs in {stack.state}; Ctrl-C stops both)",
          flush=True)
    return stack.wait()


if __name__ == "__main__":
    sys.exit(main())
