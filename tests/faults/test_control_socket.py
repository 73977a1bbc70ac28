"""Two gunicorn instances of the service on one machine, same user: neither opens gunicorn's
per-user control socket (``$XDG_RUNTIME_DIR/gunicorn.ctl``), so stopping one leaves the other
whole; an instance that wants one names its own (``RECO_CONTROL_SOCKET``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO
from tests.faults.conftest import Gunicorn, prepare_database


def test_config_turns_the_shared_socket_off() -> None:
    namespace: dict[str, object] = {}
    exec(compile((REPO / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["control_socket_disable"] is True
    assert "control_socket" not in namespace


@pytest.mark.slow
def test_two_instances_share_no_control_socket(tmp_path: Path, gunicorn_factory: Callable[..., Gunicorn]) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    shared = {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path)}
    p = prepare_database(f"sqlite:///{tmp_path / 'db.sqlite3'}", "unused-here", n_workers=1)
    own = tmp_path / "b.ctl"
    a = gunicorn_factory(p.url, workers=1, **shared)
    b = gunicorn_factory(p.url, workers=1, RECO_CONTROL_SOCKET=str(own), **shared)
    assert not (runtime / "gunicorn.ctl").exists() and not (tmp_path / ".gunicorn").exists()
    assert own.exists() and own.is_socket()
    b.stop()
    assert requests.get(f"{a.base}/health/live", timeout=10).status_code == 200
    assert a.proc is not None and a.proc.poll() is None
