"""API fixtures: the sample catalog loaded into the ``app`` fixture's database, and one API key
of each role (admin, counselors of JC-TINGHU and JC-DAFENG, app).

Importing the 710-course catalog takes about half a second; it is done once per session into a
template database, and each test's fresh SQLite copy is replaced by a copy of that template
before the app opens it (the same copy-a-template scheme ``tests/conftest.py`` uses)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from access.keys import create_key
from storage.session import writing
from tests.conftest import TEST_SECRET


@dataclass(frozen=True)
class Keys:
    admin: str
    tinghu: str  # counselor of JC-TINGHU
    dafeng: str  # counselor of JC-DAFENG
    app: str

    @staticmethod
    def header(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    @property
    def as_admin(self) -> dict[str, str]:
        return self.header(self.admin)

    @property
    def as_tinghu(self) -> dict[str, str]:
        return self.header(self.tinghu)

    @property
    def as_dafeng(self) -> dict[str, str]:
        return self.header(self.dafeng)

    @property
    def as_app(self) -> dict[str, str]:
        return self.header(self.app)


def load_sample_catalog(app: Flask, template: Path) -> None:
    engine = app.services.engine
    database = make_url(str(engine.url)).database
    assert database and Path(database).exists()
    engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(database + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, database)


@pytest.fixture
def keys(app: Flask, catalog_template: Path) -> Keys:
    """Load the sample catalog into ``app``'s database and create one key per role."""
    load_sample_catalog(app, catalog_template)
    with writing(app.services.sessions) as session:
        admin = create_key(session, TEST_SECRET, "admin", name="test admin")[1]
        tinghu = create_key(session, TEST_SECRET, "counselor", job_center_code="JC-TINGHU")[1]
        dafeng = create_key(session, TEST_SECRET, "counselor", job_center_code="JC-DAFENG")[1]
        app_key = create_key(session, TEST_SECRET, "app", name="mobile app")[1]
    return Keys(admin, tinghu, dafeng, app_key)
