"""Schema fuzzing: schemathesis against our own OpenAPI document, over WSGI (no network).

Every operation, once per role's key (admin, a counselor of a job center, the app), with the
sample catalog and workers of two job centers loaded so that ids exist. All default checks run
(server errors, undeclared status codes and content types, response schema conformance,
negative data rejection, unsupported methods, ignored auth), with positive and negative data, in
the examples, coverage and fuzzing phases. Each (operation, role) pair gets a fresh database, so
DELETE and POST cases never leak into another test.

The document fuzzed is the committed ``openapi.json``; ``tests/api/test_openapi_drift.py`` keeps it
equal to what the app serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import Case

from tests.security.conftest import World, build_world

REPO = Path(__file__).resolve().parents[2]
FUZZ_ROLES = ("admin", "counselor", "app")
MAX_EXAMPLES = 25

# Rules OpenAPI 3.0 cannot state, so a schema-valid request may still get 422 here (schemathesis's
# documented tuning for "a rejection the schema can't express, such as an unknown id or a
# cross-field rule"): county codes are rows of the imported catalog, ids in a body must name
# existing workers and courses, and `radius_km` needs `near`. Every other operation must accept
# every schema-valid request.
UNEXPRESSIBLE_422 = {
    "GET /v1/courses": "radius_km needs near; county, occupation and institution codes are catalog rows",
    "GET /v1/map/courses": "radius_km needs near; county, occupation and institution codes are catalog rows",
    "GET /v1/institutions": "county codes are catalog rows",
    "POST /v1/workers/search": "an ID number needs its check digit; a phone at least 6 digits; a name not blank",
    "GET /v1/map/institutions": "radius_km needs near",
    "GET /v1/workers/{worker_id}/recommendations": "radius_km needs near",
    "POST /v1/workers": "counties are catalog rows; relatives must be workers; job center must exist",
    "PATCH /v1/workers/{worker_id}": "counties are catalog rows; relatives must be workers",
    "POST /v1/workers/{worker_id}/trainings": "course_id must be a catalog course; dates must be ordered and not "
                                              "in the future; the rules and the course's seats and deadline guard it",
    "PATCH /v1/workers/{worker_id}/trainings/{training_id}": "a completion needs completed_on; dates must be ordered "
                                                             "and not in the future",
    "POST /v1/events": "worker_id and course_id must exist",
    # policy/date_bounds.py: OpenAPI 3.0 gives a date no range, and "not in the future" moves daily.
    "POST /v1/eligibility": "dates within 1900..2199; birth, issue and completion not in the future; ends after starts",
    "POST /v1/recommendations": "dates within 1900..2199; birth, issue and completion not in the future; ends after "
                                "starts",
    "POST /v1/why-nothing": "dates within 1900..2199; birth, issue and completion not in the future; ends after starts",
    "GET /v1/stats/quarterly": "a plan must cover the quarter; center and plan must exist",
    "GET /v1/stats/quarterly/export": "a plan must cover the quarter; center and plan must exist",
    "GET /v1/stats/quarterly/charts/{chart}": "a plan must cover the quarter; center and plan must exist",
    "POST /v1/auth/activate": "the code must be one the service issued, unused and unexpired",
    "POST /v1/auth/refresh": "the refresh token must be one the service issued and not yet replaced",
    "POST /v1/transfers": "the ID number must pass GB 11643 and be registered at another job center",
    "POST /v1/workers/{worker_id}/identity-check": "the ID number must pass GB 11643 (check digit, birth date)",
}
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

config = schemathesis.Config.from_dict({
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
    "operations": [
        {"include-name": name,
         "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, "422"]}}}
        for name in UNEXPRESSIBLE_422
    ],
})


class CurrentApp:
    """The WSGI app schemathesis calls: forwards to the app of the test that is running.

    The schema is loaded once, at collection, but each (operation, role) test has its own app;
    schemathesis's own re-sent requests (the ignored-auth probes) go through ``schema.app`` too."""

    target: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.target is not None, "no app: use the fuzz_world fixture"
        return self.target(environ, start_response)


current_app = CurrentApp()
schema = schemathesis.openapi.from_path(REPO / "openapi.json", config=config)
schema.app = current_app


@pytest.fixture(params=FUZZ_ROLES)
def fuzz_world(request: pytest.FixtureRequest, catalog_template: Path,
               tmp_path: Path) -> Iterator[tuple[World, str]]:
    world = build_world(catalog_template, tmp_path)
    current_app.target = world.app
    yield world, request.param
    current_app.target = None
    world.app.services.engine.dispose()


@pytest.mark.slow
@schema.parametrize()
# One populated app per (operation, role), shared by that test's examples on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case: Case, fuzz_world: tuple[World, str]) -> None:
    world, role = fuzz_world
    case.call_and_validate(headers=world.headers(role))
