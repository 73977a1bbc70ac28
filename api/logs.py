"""Structured logs: one JSON object per line, each with the request's id, and no personal data.

The request id is the caller's ``X-Request-ID`` when it is a sane token (a proxy's or the app's
own, 8–64 characters of ``[A-Za-z0-9._-]``), else a new one; it is echoed in the response, so a
support ticket can quote it. A log record names the route's rule, the method, the status and the
time taken, never the raw path's ids, a query string, a body or a credential.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# What a record may carry besides its message (``log.info("…", extra={...})``).
FIELDS = ("route", "method", "status", "duration_ms", "model_version")


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", "request_id", …}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if isinstance(record.exc_info, tuple) and record.exc_info[0] is not None:
            # The exception's type only: its message and traceback may quote values.
            entry["exc_type"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


def request_id_from(header: str | None) -> str:
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    logger = logging.getLogger("reco")
    # Only where nobody configured logging (a gunicorn worker, ``flask`` commands): a host that
    # did (pytest, an embedding app) keeps its own handlers on the root logger.
    if not logging.getLogger().handlers and not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    access = logging.getLogger("reco.request")

    @app.before_request
    def _request_id() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.log_started = time.perf_counter()

    @app.after_request
    def _echo(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("log_started")
        if started is not None and access.isEnabledFor(logging.DEBUG):
            rule = request.url_rule
            access.debug("request", extra={
                "route": rule.rule if rule is not None else "unmatched", "method": request.method,
                "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
        return response
