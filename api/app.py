"""The application factory: settings, database, OpenAPI, auth, errors, limits, blueprints."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask_limiter import Limiter
from flask_smorest import Blueprint

from api import cli, jobs_cli
from api.auth import SECURITY_SCHEME, WORKER_SECURITY_SCHEME, rate_limit_key
from api.context import RecoApp
from api.db import init_app as init_db
from api.errors import ProblemApi, register_error_handlers
from api.fields import RequestParser
from api.logs import init_app as init_logs
from api.metrics import init_app as init_metrics
from api.rate_limits import init_app as init_rate_limits
from api.rate_limits import storage_uri, trust_proxy
from serving.root import build_services
from serving.settings import environ, load_settings, secret_problem
from stats.settings import StatsSettings

API_DESCRIPTION = """
Course matching for the Yancheng skills-upgrading plan (盐城市职业技能提升行动).

Job-center counselors and the mobile app find subsidized training courses a worker is eligible
for, near them and starting soon, with the subsidy and the reason for each suggestion.

Every call needs a bearer credential: an API key (`Authorization: Bearer reco_…`) or, for the
app acting for one signed-in worker, that worker's access token (`/v1/auth/activate`, then
`/v1/me/…`). The app's own key alone reaches only anonymous things. Errors are
`application/problem+json` (RFC 9457) with an `errors` list naming each bad field.
"""

# Our parser: each query schema's own `unknown = RAISE` applies (webargs drops unknown query
# parameters otherwise), and a declared JSON body is required (415 without one).
Blueprint.ARGUMENTS_PARSER = RequestParser()


def create_app(config: Mapping[str, Any] | None = None) -> RecoApp:
    app = RecoApp(__name__, instance_relative_config=False)
    settings = load_settings(environ(), config)
    # Only TESTING may run with a weak or known key (the suite's own, say).
    problem_with_secret = None if settings.get("TESTING") else secret_problem(settings["SECRET_KEY"])
    if problem_with_secret:
        # Not "generate a new one": API keys and ID-number lookups are keyed with the instance's
        # secret, and a new secret on an existing database orphans every one of them.
        raise RuntimeError(f"Refusing to start: {problem_with_secret}. Use the instance's key: "
                           "`bin/reco …` reads var/secret_key (written by `make run`), or "
                           "`export RECO_SECRET_KEY=$(cat var/secret_key)`. Generate a new key only for a new, "
                           "empty database.")
    app.config.update(settings)
    app.config.update(
        API_TITLE="Yancheng training-course matching API",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        # /docs is ours (api/docs.py): Swagger UI from a pinned package, no CDN, a strict CSP.
        API_SPEC_OPTIONS={
            "info": {"description": API_DESCRIPTION},
            "components": {"securitySchemes": {"bearerAuth": SECURITY_SCHEME,
                                               "workerToken": WORKER_SECURITY_SCHEME}},
            "security": [{"bearerAuth": []}],
        },
        JSON_SORT_KEYS=False,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # Debug mode can never be on in this service: the Werkzeug debugger executes code.
    app.debug = False

    # The composition root: settings, policy, weights, caps, snapshot cache, model holder,
    # sessions and clock, built once, the same way the batch jobs build them. The model loads on
    # the first request that needs it (or /health/ready), not here: every `flask` command creates
    # the app too, and an import or a key has no use for the model.
    app.services = build_services(settings)
    # Plan-progress statistics: program mapping, targets, smallest published cell (RECO_STATS_*).
    app.extensions["reco.stats"] = StatsSettings.from_environ(environ())
    init_db(app)
    init_logs(app)
    init_metrics(app)

    api = ProblemApi(app)
    app.rest_api = api
    register_error_handlers(app)
    # One budget per key across the whole API (application limits are shared by all routes;
    # default limits would give a key the full budget on every route separately).
    trust_proxy(app)
    init_rate_limits(app)  # before the Limiter: its hooks must run around Flask-Limiter's
    limiter = Limiter(rate_limit_key, app=app, application_limits=[app.config["RATELIMIT_DEFAULT"]],
                      storage_uri=storage_uri(app.config),
                      enabled=app.config["RATELIMIT_ENABLED"])

    from api.catalog.routes import blp as catalog_blp
    from api.eligibility.routes import blp as eligibility_blp
    from api.events.routes import blp as events_blp
    from api.health.routes import blp as health_blp
    from api.me.routes import blp as me_blp
    from api.recommendations.routes import blp as recommendations_blp
    from api.reference.routes import blp as reference_blp
    from api.signin.routes import blp as auth_blp
    from api.stats.routes import blp as stats_blp
    from api.transfers.routes import blp as transfers_blp
    from api.workers.access_routes import blp as worker_access_blp
    from api.workers.routes import blp as workers_blp

    limiter.exempt(health_blp)
    for blp in (health_blp, catalog_blp, workers_blp, eligibility_blp, recommendations_blp, events_blp,
                stats_blp, worker_access_blp, auth_blp, me_blp, transfers_blp, reference_blp):
        api.register_blueprint(blp)

    from api.console.routes import init_app as init_console
    from api.docs import init_app as init_docs
    from api.headers import init_app as init_headers

    init_console(app)
    init_docs(app)
    init_headers(app)
    cli.init_app(app)
    jobs_cli.init_app(app)
    logging.getLogger("reco").setLevel(os.environ.get("RECO_LOG_LEVEL", "INFO").upper())
    return app
