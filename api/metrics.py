"""Prometheus metrics at ``/metrics``: requests and latency per route, errors, the model and
catalog versions each worker serves, and the share of the catalog the rules filter out.

Under gunicorn every worker is its own process: ``gunicorn.conf.py`` points
``PROMETHEUS_MULTIPROC_DIR`` at an empty directory under the instance directory before the fork,
each worker writes its samples there, and a scrape (answered by whichever worker) adds them up.
Without that variable (``flask run``, tests) the process's own registry is served.

``/metrics`` is not part of the public API: it answers an admin API key, or the scrape token
``RECO_METRICS_TOKEN`` (a bearer token for the Prometheus server, which then needs no API key).
Labels carry the route's rule (``/v1/workers/<int:worker_id>``), never a raw path or a query.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from api.auth import principal_from_request
from api.context import services
from api.errors import fail

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("reco_http_requests_total", "HTTP requests answered", ("route", "method", "status"))
LATENCY = Histogram("reco_http_request_duration_seconds", "Time to answer, per route", ("route", "method"),
                    buckets=LATENCY_BUCKETS)
ERRORS = Counter("reco_http_errors_total", "Answers 4xx (client) and 5xx (server), per route",
                 ("route", "kind"))
MODEL = Gauge("reco_model_info", "The model version a worker serves (1), 'rule_based' without one",
              ("version",), multiprocess_mode="liveall")
CATALOG = Gauge("reco_catalog_courses", "Courses in the catalog snapshot a worker serves, by version",
                ("version",), multiprocess_mode="liveall")
RULE_FILTERED = Histogram("reco_rule_filtered_share",
                          "Share of the catalog the eligibility rules filtered out, per recommendation list",
                          buckets=(0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0))


def observe_recommendations(eligible: int, model_version: str | None) -> None:
    """Record one ranked list: how much the rules filtered, and which model ranked it."""
    snapshot = services().snapshots.current
    if snapshot is not None and snapshot.items:
        RULE_FILTERED.observe(1.0 - eligible / len(snapshot.items))
        _set_info(CATALOG, "catalog", snapshot.version, float(len(snapshot.items)))
    _set_info(MODEL, "model", model_version or "rule_based", 1.0)


_shown: dict[str, str] = {}


def _set_info(gauge: Gauge, name: str, version: str, value: float) -> None:
    # One series per version; the version a worker no longer serves drops to 0.
    old = _shown.get(name)
    if old is not None and old != version:
        gauge.labels(old).set(0)
    gauge.labels(version).set(value)
    _shown[name] = version


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _authorized() -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    expected = current_app.config.get("METRICS_TOKEN") or ""
    if expected and hmac.compare_digest(token.encode(), expected.encode()):
        return True
    principal = principal_from_request()
    return principal is not None and principal.role == "admin"


def metrics() -> Response:
    if not _authorized():
        fail(401, "Metrics need an admin API key or the scrape token (RECO_METRICS_TOKEN).",
             headers={"WWW-Authenticate": 'Bearer realm="reco"'})
    if os.environ.get(MULTIPROC_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload, mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    app.add_url_rule("/metrics", "metrics", metrics)

    @app.before_request
    def _started() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get("started")
        if started is not None:
            route, method, status = _route(), request.method, response.status_code
            REQUESTS.labels(route, method, str(status)).inc()
            LATENCY.labels(route, method).observe(time.perf_counter() - started)
            if status >= 400:
                ERRORS.labels(route, "server" if status >= 500 else "client").inc()
        return response
