"""Fixtures: a migrated database per test (SQLite always; PostgreSQL when configured), the app,
a client, and API keys of each role.

Storage tests take the ``database_url`` fixture, which runs them once per backend. PostgreSQL
runs when ``RECO_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it and fails if the server
is down); elsewhere those cases are skipped with the reason shown by ``-ra``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from catalog.importing import apply, expand_paths, plan
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.session import make_session_factory, writing

# Scans every log record, audit row and app-role response of the run for personal data.
pytest_plugins = ["tests.security.leak_watch"]

TEST_SECRET = "test-secret-not-for-production"
POSTGRES_URL = os.environ.get("RECO_TEST_POSTGRES_URL")
REPO = Path(__file__).resolve().parent.parent
SAMPLE_CATALOG = REPO / "catalog" / "data"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need RECO_TEST_POSTGRES_URL (set by .ci/run)")
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"reco_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "reco.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database on each backend."""
    if request.param == "sqlite":
        yield _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    template = request.getfixturevalue("postgres_template")
    admin = create_engine(POSTGRES_URL or "", isolation_level="AUTOCOMMIT")
    name = f"reco_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(POSTGRES_URL or "").set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_test_app(database_url: str, tmp_path: Path, **overrides: Any) -> Flask:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "INSTANCE_DIR": str(tmp_path),
        "ARTIFACTS_DIR": str(tmp_path / "artifacts"),
        "RATELIMIT_ENABLED": False,
        "TODAY": "2026-11-29",
        # Reads' audit entries written as each request ends, so a test sees them at once.
        "AUDIT_FLUSH_MS": 0,
        # Tests change the catalog and read it back at once; the 1 s check has its own test.
        "CATALOG_CHECK_SECONDS": 0,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(sqlite_template: Path, tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh SQLite database (API tests; storage tests use ``database_url``)."""
    app = make_test_app(_sqlite_copy(sqlite_template, tmp_path), tmp_path)
    yield app
    app.services.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def catalog_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the sample catalog imported, made once per session; copy it."""
    path = tmp_path_factory.mktemp("catalog_template") / "catalog.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with writing(make_session_factory(engine)) as session:
        apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def sign_in(client: FlaskClient, counselor: dict[str, str], app_key: dict[str, str], worker_id: int,
            device: str = "test phone") -> dict[str, Any]:
    """The app's sign-in as a worker does it: the counselor issues a code, the app exchanges it.

    Returns the token response (``access_token``, ``refresh_token``, ``session_id``, ``worker_id``)
    plus ``headers`` to call ``/v1/me/…`` with."""
    r = client.post(f"/v1/workers/{worker_id}/activation-codes", headers=counselor)
    assert r.status_code == 201, r.get_data(as_text=True)
    r = client.post("/v1/auth/activate", headers=app_key,
                    json={"activation_code": r.get_json()["activation_code"], "device_name": device})
    assert r.status_code == 201, r.get_data(as_text=True)
    tokens: dict[str, Any] = r.get_json()
    tokens["headers"] = {"Authorization": f"Bearer {tokens['access_token']}"}
    return tokens
