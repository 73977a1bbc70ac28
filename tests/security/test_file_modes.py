"""The database, its WAL and SHM files and the instance folder are private to the service's user
(600/700), whatever the umask: they hold names, phones and keyed ID hashes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from serving.root import build_services
from serving.settings import load_settings
from storage.engine import default_sqlite_url, make_engine
from storage.migrate import upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default, under which files come out 644
    yield
    os.umask(previous)


@pytest.mark.usefixtures("open_umask")
def test_database_wal_shm_and_instance_folder_are_private(tmp_path: Path) -> None:
    instance = tmp_path / "var"
    services = build_services(load_settings({"RECO_INSTANCE_DIR": str(instance)}, {"SECRET_KEY": "x"}))
    assert services.settings["DATABASE_URL"] == default_sqlite_url(instance)
    try:
        upgrade(services.engine)
        with services.engine.connect() as conn:  # an open connection keeps -wal and -shm in place
            conn.execute(text("SELECT count(*) FROM workers"))
            database = instance / "reco.sqlite3"
            files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert all(f.exists() for f in files), os.listdir(instance)
            assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
        assert oct(mode(instance)) == "0o700"
    finally:
        services.close()


@pytest.mark.usefixtures("open_umask")
def test_an_existing_readable_database_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    os.chmod(database, 0o644)
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        assert oct(mode(database)) == "0o600"
        assert oct(mode(Path(f"{database}-wal"))) == "0o600"
    engine.dispose()
