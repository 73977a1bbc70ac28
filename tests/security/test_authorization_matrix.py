"""The authorization matrix: every route × every caller, own and foreign objects.

Callers: no key, admin, a counselor on a worker of their own job center (``counselor_own``), the
same counselor on a worker of another job center (``counselor_foreign``), the app's own key, and
the app acting for a signed-in worker: that worker's access token on their own record
(``worker``), another worker's token on the same record (``other_worker``), and tokens that are
``expired`` or ``revoked``.
Each cell names the outcome class; only the cells marked ``OK`` may answer 2xx. A route that
exists in the app but not here, or not in the OpenAPI document, fails the coverage test: a new
endpoint needs its row before it can ship.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from tests.security.conftest import (
    FOREIGN_CENTER,
    OWN_CENTER,
    THIRD_CENTER,
    World,
    new_national_id,
    worker_body,
)

OK, BAD, UNAUTHORIZED, FORBIDDEN, HIDDEN, REFUSED = "2xx", 400, 401, 403, 404, 422
CALLERS = ("none", "admin", "counselor_own", "counselor_foreign", "app", "worker", "other_worker",
           "expired", "revoked")
# Routes that are not API operations: the spec itself, its UI, Flask's static files and the
# counselors' console (HTML pages behind a signed-in account, tested in tests/console/) and the
# Prometheus scrape (admin key or scrape token only: tests/api/test_observability.py).
NOT_OPERATIONS = re.compile(r"^(/static/|/openapi\.json$|/docs|/console/|/metrics$|/$)")


def row(none: Any, admin: Any, own: Any, foreign: Any, app: Any, worker: Any = FORBIDDEN,
        other_worker: Any = FORBIDDEN) -> dict[str, Any]:
    """One route's outcomes; a token that expired or was revoked is always 401."""
    return dict(zip(CALLERS, (none, admin, own, foreign, app, worker, other_worker, UNAUTHORIZED, UNAUTHORIZED),
                    strict=True))


PUBLIC = dict(row(OK, OK, OK, OK, OK, OK, OK), expired=OK, revoked=OK)
# Anonymous things: the catalog, the map, inline eligibility and recommendations. A worker's token
# is for that worker's own things only.
ANY_KEY = row(UNAUTHORIZED, OK, OK, OK, OK)
COUNSELORS = row(UNAUTHORIZED, OK, OK, HIDDEN, FORBIDDEN)
# The signed-in worker's own things: no path names a worker, so another worker's token simply
# reaches *their* own things.
SELF = row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)

# (method, Flask rule) -> caller -> outcome. "Foreign" is a worker of another job center: a
# counselor gets 404 (it is not theirs to know it exists), or 422 when the foreign object is
# named in a body (an event for it; registering a worker there).
MATRIX: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/v1/occupations"): ANY_KEY,
    ("GET", "/v1/institutions"): ANY_KEY,
    ("GET", "/v1/courses"): ANY_KEY,
    ("GET", "/v1/courses/<int:course_id>"): ANY_KEY,
    ("GET", "/v1/map/courses"): ANY_KEY,
    ("GET", "/v1/map/institutions"): ANY_KEY,
    ("GET", "/v1/workers"): row(UNAUTHORIZED, OK, OK, OK, FORBIDDEN),
    ("POST", "/v1/workers"): row(UNAUTHORIZED, OK, OK, REFUSED, FORBIDDEN),
    # A worker reads their own profile and list; another worker's token is told nothing exists.
    ("GET", "/v1/workers/<int:worker_id>"): row(UNAUTHORIZED, OK, OK, HIDDEN, FORBIDDEN, OK, HIDDEN),
    ("PATCH", "/v1/workers/<int:worker_id>"): COUNSELORS,
    ("DELETE", "/v1/workers/<int:worker_id>"): COUNSELORS,
    ("GET", "/v1/workers/<int:worker_id>/trainings"): COUNSELORS,
    ("POST", "/v1/workers/<int:worker_id>/trainings"): COUNSELORS,
    ("PATCH", "/v1/workers/<int:worker_id>/trainings/<int:training_id>"): COUNSELORS,
    ("GET", "/v1/workers/<int:worker_id>/eligibility"): COUNSELORS,
    ("GET", "/v1/workers/<int:worker_id>/recommendations"): row(UNAUTHORIZED, OK, OK, HIDDEN, FORBIDDEN, OK, HIDDEN),
    ("POST", "/v1/workers/<int:worker_id>/activation-codes"): COUNSELORS,
    ("GET", "/v1/workers/<int:worker_id>/sessions"): COUNSELORS,
    ("DELETE", "/v1/workers/<int:worker_id>/sessions"): COUNSELORS,
    ("GET", "/v1/workers/<int:worker_id>/dismissals"): COUNSELORS,
    ("DELETE", "/v1/workers/<int:worker_id>/dismissals/<int:course_id>"): COUNSELORS,
    ("POST", "/v1/workers/<int:worker_id>/identity-check"): COUNSELORS,
    ("POST", "/v1/eligibility"): ANY_KEY,
    ("POST", "/v1/recommendations"): ANY_KEY,
    # Counselors record events for their own workers; the app only through a worker's token.
    ("POST", "/v1/events"): row(UNAUTHORIZED, OK, OK, REFUSED, FORBIDDEN),
    ("POST", "/v1/auth/activate"): row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("POST", "/v1/auth/refresh"): row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("POST", "/v1/auth/sign-out"): SELF,
    ("GET", "/v1/me"): SELF,
    ("GET", "/v1/me/recommendations"): SELF,
    ("POST", "/v1/me/events"): SELF,
    ("PUT", "/v1/me/consent"): SELF,
    ("GET", "/v1/me/consent"): SELF,
    ("GET", "/v1/me/pushes"): SELF,
    # One push of the own worker: another worker's token is told it does not exist.
    ("POST", "/v1/me/pushes/<int:push_id>/opened"): row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                                        OK, HIDDEN),
    ("POST", "/v1/me/pushes/<int:push_id>/dismissed"): row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                                           OK, HIDDEN),
    ("GET", "/v1/me/sessions"): SELF,
    # One device of the own worker: another worker cannot end it (not theirs to know it exists).
    ("DELETE", "/v1/me/sessions/<session_id>"): row(UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                                    OK, HIDDEN),
    ("GET", "/v1/transfers"): row(UNAUTHORIZED, OK, OK, OK, FORBIDDEN),
    # Asking for a person held elsewhere (own) works; asking for one the center already holds is refused.
    ("POST", "/v1/transfers"): row(UNAUTHORIZED, OK, OK, REFUSED, FORBIDDEN),
    # A transfer involving the counselor's center (own) or between two other centers (foreign).
    ("POST", "/v1/transfers/<int:transfer_id>/approve"): COUNSELORS,
    ("POST", "/v1/transfers/<int:transfer_id>/reject"): COUNSELORS,
    # Statistics: admins any scope, a counselor their own center only (403 for another's).
    ("GET", "/v1/stats/quarterly"): row(UNAUTHORIZED, OK, OK, FORBIDDEN, FORBIDDEN),
    ("GET", "/v1/stats/quarterly/export"): row(UNAUTHORIZED, OK, OK, FORBIDDEN, FORBIDDEN),
    ("GET", "/v1/stats/quarterly/charts/<chart>"): row(
        UNAUTHORIZED, OK, OK, FORBIDDEN, FORBIDDEN),
    ("POST", "/v1/workers/search"): row(UNAUTHORIZED, OK, OK, OK, FORBIDDEN),
    ("GET", "/v1/workers/<int:worker_id>/why-nothing"): row(UNAUTHORIZED, OK, OK, HIDDEN, FORBIDDEN),
    ("POST", "/v1/why-nothing"): ANY_KEY,
    ("GET", "/v1/reference/counties"): ANY_KEY,
    ("GET", "/v1/reference/job-centers"): ANY_KEY,
    ("GET", "/v1/reference/priority-groups"): ANY_KEY,
    ("GET", "/v1/reference/training-types"): ANY_KEY,
}


@dataclass(frozen=True)
class Target:
    """What a cell acts on: a worker and the job center it belongs to."""

    world: World
    worker_id: int
    center: str


@dataclass(frozen=True)
class Call:
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    json: Any = None


INLINE_PROFILE = {"birth_date": "1985-03-01", "education": "senior_high", "hukou_county": "tinghu",
                  "residence_county": "tinghu", "jobseeking_county": "tinghu",
                  "employment_status": "unemployed", "priority_groups": ["laid_off_unemployed"]}

# How to make a well-formed request for each route, so that the only reason to refuse is who asks.
CALLS: dict[tuple[str, str], Callable[[Target], Call]] = {
    ("GET", "/v1/courses/<int:course_id>"): lambda t: Call(f"/v1/courses/{t.world.course_id}"),
    ("GET", "/v1/courses"): lambda t: Call("/v1/courses", {"near": "33.35,120.16", "per_page": 5}),
    ("GET", "/v1/map/courses"): lambda t: Call("/v1/map/courses", {"county": "tinghu", "limit": 5}),
    ("GET", "/v1/map/institutions"): lambda t: Call("/v1/map/institutions", {"county": "tinghu", "crs": "gcj02"}),
    ("POST", "/v1/workers"): lambda t: Call("/v1/workers", json=dict(
        worker_body("tinghu" if t.center == OWN_CENTER else "dafeng", 7), job_center=t.center,
        external_ref=None)),
    ("GET", "/v1/workers/<int:worker_id>"): lambda t: Call(f"/v1/workers/{t.worker_id}"),
    ("PATCH", "/v1/workers/<int:worker_id>"): lambda t: Call(f"/v1/workers/{t.worker_id}",
                                                            json={"push_opt_in": True}),
    # Each deleting cell deletes a worker of its own, so one cell's success cannot hide another's.
    ("DELETE", "/v1/workers/<int:worker_id>"): lambda t: Call(f"/v1/workers/{t.world.new_worker(t.center)}"),
    ("GET", "/v1/workers/<int:worker_id>/trainings"): lambda t: Call(f"/v1/workers/{t.worker_id}/trainings"),
    ("POST", "/v1/workers/<int:worker_id>/trainings"): lambda t: Call(
        f"/v1/workers/{t.worker_id}/trainings",
        json={"course_id": t.world.course_id, "status": "enrolled", "enrolled_on": "2026-11-01"}),
    ("PATCH", "/v1/workers/<int:worker_id>/trainings/<int:training_id>"): lambda t: Call(
        f"/v1/workers/{t.worker_id}/trainings/{t.world.new_training(t.worker_id)}",
        json={"status": "completed", "completed_on": "2026-11-20", "certificate_type": "skill_level"}),
    ("GET", "/v1/workers/<int:worker_id>/eligibility"): lambda t: Call(
        f"/v1/workers/{t.worker_id}/eligibility", {"course_id": t.world.course_id}),
    ("GET", "/v1/workers/<int:worker_id>/recommendations"): lambda t: Call(
        f"/v1/workers/{t.worker_id}/recommendations", {"k": 3}),
    ("POST", "/v1/eligibility"): lambda t: Call("/v1/eligibility", json={
        "profile": INLINE_PROFILE, "course_ids": [t.world.course_id]}),
    ("POST", "/v1/recommendations"): lambda t: Call("/v1/recommendations", json={"profile": INLINE_PROFILE, "k": 3}),
    # Scoped, not refused: a counselor searching another center's client finds nobody (200, empty).
    ("POST", "/v1/workers/search"): lambda t: Call("/v1/workers/search", json={"name": "测试"}),
    ("GET", "/v1/workers/<int:worker_id>/why-nothing"): lambda t: Call(f"/v1/workers/{t.worker_id}/why-nothing"),
    ("POST", "/v1/why-nothing"): lambda t: Call("/v1/why-nothing", json={"profile": INLINE_PROFILE}),
    ("POST", "/v1/events"): lambda t: Call("/v1/events", json={"events": [
        {"worker_id": t.worker_id, "course_id": t.world.course_id, "kind": "view"}]}),
    ("POST", "/v1/workers/<int:worker_id>/activation-codes"): lambda t: Call(
        f"/v1/workers/{t.worker_id}/activation-codes"),
    ("GET", "/v1/workers/<int:worker_id>/sessions"): lambda t: Call(f"/v1/workers/{t.worker_id}/sessions"),
    ("DELETE", "/v1/workers/<int:worker_id>/sessions"): lambda t: Call(
        f"/v1/workers/{t.world.new_worker(t.center)}/sessions"),
    ("GET", "/v1/workers/<int:worker_id>/dismissals"): lambda t: Call(f"/v1/workers/{t.worker_id}/dismissals"),
    ("DELETE", "/v1/workers/<int:worker_id>/dismissals/<int:course_id>"): lambda t: Call(
        f"/v1/workers/{t.worker_id}/dismissals/{t.world.dismiss(t.worker_id)}"),
    ("POST", "/v1/workers/<int:worker_id>/identity-check"): lambda t: Call(
        f"/v1/workers/{t.worker_id}/identity-check", json={"national_id": new_national_id()}),
    ("POST", "/v1/auth/activate"): lambda t: Call("/v1/auth/activate", json={
        "activation_code": t.world.new_code(), "device_name": "matrix"}),
    ("POST", "/v1/auth/refresh"): lambda t: Call("/v1/auth/refresh", json={
        "refresh_token": t.world.new_refresh_token()}),
    ("GET", "/v1/me/recommendations"): lambda t: Call("/v1/me/recommendations", {"k": 3}),
    ("POST", "/v1/me/events"): lambda t: Call("/v1/me/events", json={"events": [
        {"course_id": t.world.course_id, "kind": "view"}]}),
    ("PUT", "/v1/me/consent"): lambda t: Call("/v1/me/consent", json={"push_opt_in": True}),
    ("DELETE", "/v1/me/sessions/<session_id>"): lambda t: Call(f"/v1/me/sessions/{t.world.own_spare_session}"),
    ("GET", "/v1/me/pushes"): lambda t: Call("/v1/me/pushes", {"status": "history"}),
    ("POST", "/v1/me/pushes/<int:push_id>/opened"): lambda t: Call(
        f"/v1/me/pushes/{t.world.new_push(t.world.own_worker)}/opened"),
    ("POST", "/v1/me/pushes/<int:push_id>/dismissed"): lambda t: Call(
        f"/v1/me/pushes/{t.world.new_push(t.world.own_worker)}/dismissed"),
    ("POST", "/v1/transfers"): lambda t: Call("/v1/transfers", json={
        "national_id": t.world.new_registered(FOREIGN_CENTER if t.center == OWN_CENTER else OWN_CENTER)[1],
        "to_job_center": OWN_CENTER}),
    ("POST", "/v1/transfers/<int:transfer_id>/approve"): lambda t: Call(
        f"/v1/transfers/{transfer_for(t)}/approve"),
    ("POST", "/v1/transfers/<int:transfer_id>/reject"): lambda t: Call(
        f"/v1/transfers/{transfer_for(t)}/reject"),
    ("GET", "/v1/stats/quarterly"): lambda t: Call("/v1/stats/quarterly", {"quarter": "2026Q3", "center": t.center}),
    ("GET", "/v1/stats/quarterly/export"): lambda t: Call(
        "/v1/stats/quarterly/export", {"quarter": "2026Q3", "center": t.center, "format": "csv"}),
    ("GET", "/v1/stats/quarterly/charts/<chart>"): lambda t: Call(
        "/v1/stats/quarterly/charts/funnel", {"quarter": "2026Q3", "center": t.center, "format": "svg"}),
}


def transfer_for(t: Target) -> int:
    """A pending transfer: from the own center to another (own), or between two others (foreign)."""
    if t.center == OWN_CENTER:
        return t.world.new_transfer(holder=OWN_CENTER, asker=FOREIGN_CENTER)
    return t.world.new_transfer(holder=FOREIGN_CENTER, asker=THIRD_CENTER)


def operations(app: Flask) -> set[tuple[str, str]]:
    """(method, rule) of every API operation the app routes."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if not NOT_OPERATIONS.match(rule.rule)
            for method in (rule.methods or ()) - {"HEAD", "OPTIONS"}}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule)


def test_every_route_is_in_the_matrix_and_the_openapi_document(app: Flask) -> None:
    routed = operations(app)
    missing = sorted(routed - MATRIX.keys())
    assert not missing, f"routes without a row in MATRIX (add who may call them): {missing}"
    stale = sorted(MATRIX.keys() - routed)
    assert not stale, f"MATRIX rows for routes that no longer exist: {stale}"
    spec = app.test_client().get("/openapi.json").get_json()
    undocumented = sorted((m, r) for m, r in routed
                          if m.lower() not in spec["paths"].get(openapi_path(r), {}))
    assert not undocumented, f"routes missing from the OpenAPI document: {undocumented}"
    for cells in MATRIX.values():
        assert set(cells) == set(CALLERS)


def test_matrix_rows_are_well_formed() -> None:
    assert all(v in (OK, BAD, UNAUTHORIZED, FORBIDDEN, HIDDEN, REFUSED)
               for cells in MATRIX.values() for v in cells.values())


def test_the_app_key_alone_reaches_only_anonymous_things() -> None:
    """Every route about a stored worker refuses the app's own key; it may sign a worker in."""
    anonymous = {r for r, cells in MATRIX.items() if cells in (ANY_KEY, PUBLIC)}
    for route, cells in MATRIX.items():
        if cells["app"] == OK:
            assert route in anonymous or route[1].startswith("/v1/auth/"), route
        if "worker_id" in route[1] or route[1].startswith(("/v1/me", "/v1/events", "/v1/workers")):
            assert cells["app"] in (UNAUTHORIZED, FORBIDDEN), route


def target_for(world: World, caller: str) -> tuple[Target, dict[str, str]]:
    """Who calls, on what: every caller but ``counselor_foreign`` acts on the own worker's record."""
    if caller == "counselor_foreign":
        return Target(world, world.foreign_worker, FOREIGN_CENTER), world.headers("counselor")
    role = "counselor" if caller == "counselor_own" else caller
    return Target(world, world.own_worker, OWN_CENTER), world.headers(role)


@pytest.mark.parametrize(("method", "rule"), sorted(MATRIX), ids=[f"{m} {r}" for m, r in sorted(MATRIX)])
def test_each_cell(world: World, method: str, rule: str) -> None:
    client = world.app.test_client()
    outcomes = {}
    for caller in CALLERS:
        target, headers = target_for(world, caller)
        call = CALLS.get((method, rule), lambda t: Call(rule))(target)
        resp = client.open(call.path, method=method, query_string=call.query, json=call.json, headers=headers)
        got = OK if 200 <= resp.status_code < 300 else resp.status_code
        outcomes[caller] = got
        if got != OK:
            assert resp.mimetype == "application/problem+json", (caller, resp.status_code, resp.mimetype)
    expected = MATRIX[(method, rule)]
    assert outcomes == expected, f"{method} {rule}: expected {expected}, got {outcomes}"
