"""Request ids (accepted when sane, else new; always echoed), JSON log lines without personal
data, and /metrics in one process (the multiprocess count is tests/faults/test_metrics.py)."""

from __future__ import annotations

import json
import logging
import sys

from flask import Flask
from flask.testing import FlaskClient

from api.logs import JsonFormatter, request_id_from
from tests.api.conftest import Keys


def test_a_sane_request_id_is_echoed_and_any_other_replaced(client: FlaskClient) -> None:
    r = client.get("/health/live", headers={"X-Request-ID": "lb-7f3a9c21.0001"})
    assert r.headers["X-Request-ID"] == "lb-7f3a9c21.0001"
    for bad in ("short", "x" * 65, "has space in it", "13800138000;x=1", "<script>alert(1)</script>"):
        got = client.get("/health/live", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert got != bad and len(got) == 32 and got.isalnum()
    assert len(client.get("/health/live").headers["X-Request-ID"]) == 32
    assert request_id_from(None) != request_id_from(None)


def test_log_lines_are_json_with_the_request_id_and_no_exception_text(app: Flask) -> None:
    formatter = JsonFormatter()
    with app.test_request_context("/v1/workers/7"):
        from flask import g

        g.request_id = "req-12345678"
        try:
            raise ValueError("ID 320902198001011234 is invalid")
        except ValueError:
            record = logging.getLogger("reco.test").makeRecord(
                "reco.test", logging.ERROR, __file__, 1, "import failed", (), exc_info=sys.exc_info())
        record.route = "/v1/workers/<int:worker_id>"
        line = formatter.format(record)
    entry = json.loads(line)
    assert entry["request_id"] == "req-12345678" and entry["level"] == "ERROR"
    assert entry["route"] == "/v1/workers/<int:worker_id>" and entry["exc_type"] == "ValueError"
    assert "320902198001011234" not in line and "\n" not in line


def test_metrics_need_an_admin_key_and_count_per_route(client: FlaskClient, keys: Keys) -> None:
    admin = keys.as_admin
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=keys.as_tinghu).status_code == 401
    assert client.get("/v1/workers/999999/recommendations", headers=admin).status_code == 404
    profile = {"birth_date": "1985-05-15", "residence_county": "tinghu", "employment_status": "unemployed",
               "location": {"lat": 33.35, "lon": 120.16}}
    assert client.post("/v1/recommendations", json={"profile": profile}, headers=keys.as_app).status_code == 200
    text = client.get("/metrics", headers=admin).get_data(as_text=True)
    assert 'route="/v1/workers/<int:worker_id>/recommendations"' in text
    assert 'reco_http_errors_total{kind="client",route="/v1/workers/<int:worker_id>/recommendations"}' in text
    # Labels name the route rule, never the path a client sent (a sample's value may hold any digits).
    assert "/v1/workers/999999" not in text and 'worker_id="' not in text
    assert "reco_rule_filtered_share_count" in text and 'reco_model_info{version="rule_based"}' in text
    assert "reco_catalog_courses{version=" in text
