"""Protective headers on every answer, and /docs served by us (works offline, strict CSP)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.api.conftest import Keys
from tests.api.test_workers_api import create


def test_nosniff_and_no_store_on_every_answer(client: FlaskClient, keys: Keys) -> None:
    w = create(client, keys.as_tinghu)
    h = keys.as_tinghu
    answers = {
        "profile": client.get(f"/v1/workers/{w['id']}", headers=h),
        "list": client.get("/v1/workers", headers=h),
        "search": client.post("/v1/workers/search", headers=h, json={"name": "王"}),
        "recommendations": client.get(f"/v1/workers/{w['id']}/recommendations?k=3", headers=h),
        "catalog": client.get("/v1/courses?per_page=2", headers=h),
        "reference": client.get("/v1/reference/counties", headers=h),
        "problem 401": client.get("/v1/workers"),
        "problem 404": client.get("/v1/nothing-here", headers=h),
        "health": client.get("/health/live"),
        "console login": client.get("/console/login"),
        "openapi": client.get("/openapi.json"),
    }
    for what, r in answers.items():
        assert r.status_code < 500, what
        assert r.headers.get("X-Content-Type-Options") == "nosniff", what
        assert r.headers.get("Referrer-Policy") == "no-referrer", what
        assert r.headers.get("Cache-Control") == "no-store", what


def test_docs_are_served_from_the_pinned_package_under_a_strict_csp(client: FlaskClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    page = r.get_data(as_text=True)
    assert "http://" not in page and "https://" not in page  # nothing from outside: works offline
    assert not re.search(r"<script>(?!</script>)", page)  # no inline script (the CSP forbids it)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    for url in sources:
        with client.get(url) as asset:
            assert asset.status_code == 200, url
            assert asset.headers["X-Content-Type-Options"] == "nosniff"
    js = next(u for u in sources if u.endswith("swagger-ui-bundle.js"))
    with client.get(js) as asset:
        assert asset.mimetype in ("text/javascript", "application/javascript")
        assert "max-age" in asset.headers["Cache-Control"]  # versioned URL: cacheable
        assert len(asset.get_data()) > 100_000
    assert client.get(js.replace("swagger-ui-bundle.js", "LICENSE")).status_code == 404  # allow-listed files only
    assert client.get(re.sub(r"/v[\d.]+/", "/v0.0.1/", js)).status_code == 404
    spec = re.search(r'data-spec-url="([^"]+)"', page)
    assert spec and client.get(spec.group(1)).status_code == 200
