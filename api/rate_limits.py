"""Rate limits that hold: one budget per key for all workers of a host, failed credentials
refused per client address before they cost a hash or a query, ``Retry-After`` only where it
means something, and the client address taken from the proxy only when one is configured.

The per-key budget itself is Flask-Limiter's application limit (see :func:`api.app.create_app`);
this module adds what it lacks.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

import storage.rate_limits  # noqa: F401  (registers the sqlite:// scheme with `limits`)
from api.errors import fail

# Statuses for which Retry-After says something (RFC 9110 §10.2.3); Flask-Limiter adds it to every
# response when its headers are on, and a client that honours it would back off after a 200.
RETRY_AFTER_STATUSES = frozenset({429, 503})
EXEMPT_BLUEPRINTS = frozenset({"health"})


def storage_uri(settings: dict[str, Any]) -> str:
    """The configured store, or the host-wide SQLite file in the instance directory."""
    configured = str(settings.get("RATELIMIT_STORAGE_URI") or "")
    if configured:
        return configured
    return f"sqlite:///{(Path(settings['INSTANCE_DIR']) / 'rate-limits.sqlite3').resolve()}"


def trust_proxy(app: Flask) -> None:
    """Behind our reverse proxy (``RECO_PROXY_HOPS=1``), take the client address and scheme from
    the X-Forwarded-For/-Proto it sets. Off by default: without a proxy in front, those headers
    come from the client and would let anyone pick the address their budget is counted under."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    """Register before Flask-Limiter: these hooks must run ahead of its check (before_request
    hooks run in order) and after its header injection (after_request hooks run in reverse)."""
    enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
    limit = parse(app.config["RATELIMIT_FAILED_AUTH"])
    window = FixedWindowRateLimiter(storage_from_string(storage_uri(app.config)))
    prefix = str(app.config.get("RATELIMIT_KEY_PREFIX") or "reco")

    def exempt() -> bool:
        return not enabled or request.blueprint in EXEMPT_BLUEPRINTS

    @app.before_request
    def _refuse_addresses_that_keep_failing() -> None:
        # Checked before Flask-Limiter computes the key's bucket (an HMAC) and before the key is
        # looked up: an address that sent too many bad or missing credentials costs nothing more.
        if exempt():
            return
        if not window.test(limit, prefix, "failed-auth", request.remote_addr or "-"):
            reset_at = window.get_window_stats(limit, prefix, "failed-auth", request.remote_addr or "-").reset_time
            retry = max(1, math.ceil(reset_at - time.time()))
            fail(429, "Too many requests without a valid API key or access token from this address.",
                 headers={"Retry-After": str(retry)})

    @app.after_request
    def _count_failed_credentials(response: Response) -> Response:
        if response.status_code == 401 and not exempt():
            window.hit(limit, prefix, "failed-auth", request.remote_addr or "-")
        if response.status_code not in RETRY_AFTER_STATUSES:
            response.headers.pop("Retry-After", None)
        return response
