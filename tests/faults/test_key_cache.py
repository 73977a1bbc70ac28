"""API keys are verified from an in-process cache, and a revocation holds in every instance within
a second: two app instances (standing in for two gunicorn workers or hosts) on one database."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import event, text

from access.keys import revoke_key
from storage.session import writing
from tests.conftest import TEST_SECRET, make_test_app
from tests.faults.conftest import prepare_database


def test_a_revoked_key_is_refused_by_every_instance_within_a_second(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    url = f"sqlite:///{db_path}"
    p = prepare_database(url, TEST_SECRET)
    first = make_test_app(url, tmp_path / "a", KEY_CACHE_SECONDS=1.0)
    second = make_test_app(url, tmp_path / "b", KEY_CACHE_SECONDS=1.0)
    clients = [first.test_client(), second.test_client()]
    auth = p.auth(p.counselor)

    def statuses() -> list[int]:
        return [c.get("/v1/reference/counties", headers=auth).status_code for c in clients]

    assert statuses() == [200, 200]
    lookups: list[str] = []
    for app in (first, second):
        event.listen(app.services.engine, "before_cursor_execute",
                     lambda *a: lookups.append(a[2]) if "api_keys" in a[2] else None)
    for _ in range(20):
        assert statuses() == [200, 200]
    assert lookups == []  # verified from the cache, no lookup per request

    # Revoked by another host (a plain UPDATE: nothing in these processes hears of it).
    with first.services.engine.begin() as conn:
        conn.execute(text("UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP WHERE prefix = :p"),
                     {"p": p.counselor.split("_")[1]})
    revoked_at = time.monotonic()
    while statuses() != [401, 401]:
        assert time.monotonic() - revoked_at < 1.2, "a revoked key was still accepted after a second"
        time.sleep(0.05)

    # Revoked through this process: refused here at once, elsewhere within the second.
    auth = p.auth(p.admin)
    assert statuses() == [200, 200]
    with writing(first.services.sessions) as session:
        assert revoke_key(session, p.admin.split("_")[1])
    assert clients[0].get("/v1/reference/counties", headers=auth).status_code == 401
    time.sleep(1.05)
    assert statuses() == [401, 401]
    for app in (first, second):
        app.services.engine.dispose()
