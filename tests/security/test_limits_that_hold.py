"""Limits that hold (issue 10): one budget per key shared by every process of a host, failed
credentials refused per client address before they cost a hash or a query, ``Retry-After`` only
on 429/503, and X-Forwarded-For believed only when a proxy is configured.

On the main of 2026-12-02 each of these failed: a second process (another gunicorn worker, or a
recycled one) started with a fresh budget, 20,000 made-up keys got 20,000 401s and as many HMACs
and key lookups, and every 200 carried ``Retry-After: 60``.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import access.keys
import api.auth
from access.keys import create_key
from storage.session import writing
from tests.conftest import TEST_SECRET, make_test_app

REDIS_URL = os.environ.get("RECO_TEST_REDIS_URL")
BAD_KEYS = int(os.environ.get("RECO_TEST_BAD_KEYS", 2_000))  # 20,000: 25 s, same result


def _app(catalog_template: Path, tmp_path: Path, database: Path | None = None, **overrides: Any) -> Flask:
    if database is None:
        database = tmp_path / f"limits-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(catalog_template, database)
    # No RATELIMIT_STORAGE_URI: the default, a SQLite file in the instance directory.
    return make_test_app(f"sqlite:///{database}", tmp_path, RATELIMIT_ENABLED=True, **overrides)


def _key(app: Flask) -> str:
    with writing(app.services.sessions) as session:
        return create_key(session, TEST_SECRET, "app")[1]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_one_budget_for_every_process_of_the_host(catalog_template: Path, tmp_path: Path) -> None:
    """Two app instances stand in for two gunicorn workers, or a worker and its recycled successor:
    the second does not start the key's budget afresh."""
    first = _app(catalog_template, tmp_path, RATELIMIT_DEFAULT="10 per minute")
    key = _key(first)
    database = Path(first.config["DATABASE_URL"].removeprefix("sqlite:///"))
    second = _app(catalog_template, tmp_path, database=database, RATELIMIT_DEFAULT="10 per minute")
    statuses = [(first if i % 2 else second).test_client().get("/v1/occupations", headers=auth(key)).status_code
                for i in range(16)]
    assert statuses.count(200) == 10 and statuses[10:] == [429] * 6, statuses
    # A "recycled worker": a third instance, same host, still refuses this key for the minute.
    third = _app(catalog_template, tmp_path, database=database, RATELIMIT_DEFAULT="10 per minute")
    assert third.test_client().get("/v1/occupations", headers=auth(key)).status_code == 429
    for a in (first, second, third):
        a.services.engine.dispose()


@pytest.mark.skipif(not REDIS_URL, reason="needs RECO_TEST_REDIS_URL (set by .ci/run)")
def test_one_budget_across_hosts_with_redis(catalog_template: Path, tmp_path: Path) -> None:
    """Two app instances with instance directories of their own (two hosts: each would have its
    own SQLite counter file) sharing the database and one Redis."""
    (tmp_path / "host-a").mkdir()
    (tmp_path / "host-b").mkdir()
    first = _app(catalog_template, tmp_path / "host-a", RATELIMIT_DEFAULT="6 per minute",
                 RATELIMIT_STORAGE_URI=REDIS_URL)
    key = _key(first)
    database = Path(first.config["DATABASE_URL"].removeprefix("sqlite:///"))
    second = _app(catalog_template, tmp_path / "host-b", database=database, RATELIMIT_DEFAULT="6 per minute",
                  RATELIMIT_STORAGE_URI=REDIS_URL)
    statuses = [(first, second)[i % 2].test_client().get("/v1/occupations", headers=auth(key)).status_code
                for i in range(10)]
    assert statuses == [200] * 6 + [429] * 4, statuses
    for a in (first, second):
        a.services.engine.dispose()


def test_retry_after_only_on_429(catalog_template: Path, tmp_path: Path) -> None:
    app = _app(catalog_template, tmp_path, RATELIMIT_DEFAULT="3 per minute")
    key, client = _key(app), app.test_client()
    ok = [client.get("/v1/occupations", headers=auth(key)) for _ in range(3)]
    assert all(r.status_code == 200 and "Retry-After" not in r.headers for r in ok), [dict(r.headers) for r in ok]
    assert ok[0].headers["X-RateLimit-Limit"] == "3"  # the budget headers stay
    refused = client.get("/v1/occupations", headers=auth(key))
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    app.services.engine.dispose()


def _counting(monkeypatch: pytest.MonkeyPatch, name: str, calls: list[str], module: Any = api.auth) -> None:
    real: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def test_bad_keys_are_refused_per_address_before_any_hash(catalog_template: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(catalog_template, tmp_path, RATELIMIT_FAILED_AUTH="30 per minute")
    client = app.test_client()
    calls: list[str] = []
    _counting(monkeypatch, "hash_key", calls)  # the bucket of a presented key (rate_limit_key)
    # The key lookup in the database, behind the process's key cache (which keeps valid keys only).
    _counting(monkeypatch, "authenticate", calls, access.keys)
    statuses: dict[int, int] = {}
    calls_when_limited = None
    started = time.monotonic()
    for i in range(BAD_KEYS):
        status = client.get("/v1/occupations", headers=auth(f"reco_{i:08x}_made-up-secret")).status_code
        statuses[status] = statuses.get(status, 0) + 1
        if status == 429 and calls_when_limited is None:
            calls_when_limited = len(calls)
    elapsed = time.monotonic() - started
    assert statuses == {401: 30, 429: BAD_KEYS - 30}, statuses
    # For each of the 30 refused keys: one lookup, and the HMAC naming its bucket (Flask-Limiter
    # asks for the bucket twice: to count and for the headers). Nothing at all after that.
    assert calls_when_limited is not None and calls.count("authenticate") == 30
    assert calls.count("hash_key") == 60
    assert len(calls) == calls_when_limited, f"{len(calls) - calls_when_limited} hashes/lookups once limited"
    # No key at all counts the same way (still 429 for this address, without hashing anything).
    limited = client.get("/v1/occupations")
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert limited.get_json()["status"] == 429 and int(limited.headers["Retry-After"]) > 0
    # Another address is not affected; health is never limited.
    assert client.get("/v1/occupations", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 401
    assert client.get("/health/live").status_code == 200
    print(f"\n{BAD_KEYS} made-up keys from one address: {statuses} in {elapsed:.1f} s; "
          f"{len(calls)} hashes+lookups in all")
    app.services.engine.dispose()


@pytest.mark.parametrize(("hops", "separate_budgets"), [(0, False), (1, True)])
def test_forwarded_for_is_believed_only_behind_the_proxy(catalog_template: Path, tmp_path: Path,
                                                         hops: int, separate_budgets: bool) -> None:
    """Without a proxy (``make run``) the header comes from the client: believing it would let an
    attacker pick a fresh address for every request. Behind deploy/stack.py nginx sets it."""
    app = _app(catalog_template, tmp_path, RATELIMIT_FAILED_AUTH="3 per minute", PROXY_HOPS=hops)
    client = app.test_client()
    statuses = [client.get("/v1/occupations", headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
                for i in range(6)]
    assert statuses == ([401] * 6 if separate_budgets else [401, 401, 401, 429, 429, 429]), statuses
    app.services.engine.dispose()
