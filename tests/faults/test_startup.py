"""The service refuses to start with a default or short secret, and debug mode is never on, even
when FLASK_DEBUG=1 is in the environment (as a copied .env might leave it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.app import create_app
from tests.conftest import REPO
from tests.faults.conftest import SERVER_SECRET, free_port


def production_config(tmp_path: Path) -> dict[str, object]:
    # No TESTING: the checks a real deployment gets.
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "INSTANCE_DIR": str(tmp_path),
            "ARTIFACTS_DIR": str(tmp_path / "artifacts")}


@pytest.mark.parametrize("secret", [None, "", "change-me", "dev", "test-secret-not-for-production",
                                    "short-but-random-Xy7"])
def test_refuses_default_or_short_secret(secret: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if secret is None:
        monkeypatch.delenv("RECO_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("RECO_SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="Refusing to start: RECO_SECRET_KEY") as info:
        create_app(production_config(tmp_path))
    if secret:
        assert secret not in str(info.value)  # the message never echoes the secret


def test_debug_is_off_even_with_flask_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("RECO_SECRET_KEY", SERVER_SECRET)
    app = create_app(production_config(tmp_path))
    assert app.debug is False and app.config["DEBUG"] is False
    app.services.engine.dispose()
    app = create_app({**production_config(tmp_path), "DEBUG": True})  # not even by override
    assert app.debug is False and app.config["DEBUG"] is False
    app.services.engine.dispose()


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECO_", "FLASK_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", RECO_INSTANCE_DIR=str(tmp_path),
               RECO_ARTIFACTS_DIR=str(tmp_path / "artifacts"), **extra)
    return env


def test_wsgi_module_debug_off(tmp_path: Path) -> None:
    """What gunicorn imports (``wsgi:app``), loaded with FLASK_DEBUG=1."""
    out = subprocess.run([sys.executable, "-c", "import wsgi; print(wsgi.app.debug, wsgi.app.config['DEBUG'])"],
                         cwd=REPO, env=clean_env(tmp_path, FLASK_DEBUG="1", RECO_SECRET_KEY=SERVER_SECRET),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.slow
def test_gunicorn_refuses_to_start_with_default_secret(tmp_path: Path) -> None:
    env = clean_env(tmp_path, FLASK_DEBUG="1", RECO_SECRET_KEY="change-me",
                    RECO_BIND=f"127.0.0.1:{free_port()}", RECO_WORKERS="1")
    proc = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Refusing to start: RECO_SECRET_KEY is unset or a known default" in log
    assert "change-me" not in log.replace("RECO_SECRET_KEY is unset or a known default", "")
