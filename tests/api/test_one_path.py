"""One rule, one place: the drifts between the endpoint, the push job, the trainings endpoint and
training that issue 8 measured, each pinned by a test.

- the push plan never holds a course the worker dismissed, enrolled in or completed, and for every
  worker of a generated population it is exactly the endpoint's top k;
- ``subsidized_this_year`` of the trainings endpoint is R3's own count, with and without end dates;
- a dismissal means the same in serving, push and training;
- one travel default.
"""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from api.context import RecoApp
from policy.profile import WorkerProfile
from recommender.dismissals import standing_dismissals
from recommender.features import IdMap
from recommender.items import Interaction
from recommender.model import build_interaction_matrices
from recommender.ranking import DEFAULT_MAX_TRAVEL_KM, build_candidates
from serving.push import course_push_audience, plan_pushes
from serving.recommend import recommend
from serving.recommendations import rank_stored_worker
from serving.settings import load_settings
from storage.session import writing
from tests.api.conftest import Keys
from training_jobs.dataset import catalog_items, load_training_data
from training_jobs.demo_population import write_population
from training_jobs.synthetic import generate_population
from workers.tables import Event, Worker

K = 10
TODAY = date(2026, 11, 29)  # the test app's RECO_TODAY


def _app(app: Flask) -> RecoApp:
    assert isinstance(app, RecoApp)
    return app


def populate(app: Flask, n: int, seed: int = 11) -> list[int]:
    """A generated population written into the app's database; the ids of the opted-in workers."""
    services = _app(app).services
    with writing(services.sessions) as session:
        courses = catalog_items(session, TODAY)
        workers, centers, events = generate_population(courses, n, seed, TODAY)
        write_population(session, workers, centers, events, progress=False)
    with services.sessions() as session:
        return list(session.scalars(select(Worker.id).where(Worker.push_opt_in.is_(True)).order_by(Worker.id)))


def endpoint_top(client: FlaskClient, keys: Keys, worker_id: int, k: int = K) -> list[int]:
    resp = client.get(f"/v1/workers/{worker_id}/recommendations?k={k}", headers=keys.as_admin)
    assert resp.status_code == 200, resp.get_json()
    items = resp.get_json()["items"]
    assert [it["rank"] for it in items] == list(range(1, len(items) + 1))
    return [it["course"]["id"] for it in items]


def push_plan(app: Flask, top_k: int = K) -> dict[int, list[int]]:
    """Every course's push audience at once: each opted-in worker's pushed courses, best first."""
    services = _app(app).services
    with services.sessions() as session:
        everything = {item.id for item in services.snapshots.get(session, TODAY).items}
        lines = list(course_push_audience(services, session, everything, top_k=top_k))
    plan: dict[int, list[tuple[int, int]]] = {}
    for line in lines:
        plan.setdefault(line["worker_id"], []).append((line["rank"], line["course_id"]))
    return {w: [c for _, c in sorted(pairs)] for w, pairs in plan.items()}


def post_event(client: FlaskClient, keys: Keys, worker_id: int, course_id: int, kind: str,
               at: datetime | None = None) -> None:
    event: dict[str, Any] = {"worker_id": worker_id, "course_id": course_id, "kind": kind}
    if at is not None:
        event["at"] = at.isoformat()
    resp = client.post("/v1/events", json={"events": [event]}, headers=keys.as_admin)
    assert resp.status_code == 201, resp.get_json()


def post_training(client: FlaskClient, keys: Keys, worker_id: int, body: dict[str, Any]) -> None:
    resp = client.post(f"/v1/workers/{worker_id}/trainings", json=body, headers=keys.as_admin)
    assert resp.status_code == 201, resp.get_json()


@pytest.mark.slow
def test_push_plan_is_the_endpoint_top_k_and_never_holds_a_dismissed_enrolled_or_completed_course(
        app: Flask, client: FlaskClient, keys: Keys) -> None:
    opted_in = populate(app, 45)
    assert len(opted_in) >= 20
    # Some workers act on their own list: dismiss the first course, enrol in the second,
    # complete the third.
    acted: dict[int, set[int]] = {}
    for worker_id in opted_in[:8]:
        top = endpoint_top(client, keys, worker_id)
        if len(top) < 3:
            continue
        post_event(client, keys, worker_id, top[0], "dismiss")
        post_training(client, keys, worker_id, {"course_id": top[1], "status": "enrolled",
                                                "enrolled_on": TODAY.isoformat()})
        post_training(client, keys, worker_id, {"course_id": top[2], "status": "completed",
                                                "enrolled_on": (TODAY - timedelta(days=60)).isoformat(),
                                                "completed_on": (TODAY - timedelta(days=5)).isoformat()})
        acted[worker_id] = set(top[:3])
    assert len(acted) >= 3, "the generated population should give several workers a list of three"

    plan = push_plan(app)
    for worker_id in opted_in:
        shown = endpoint_top(client, keys, worker_id)
        assert plan.get(worker_id, []) == shown, f"worker {worker_id}: push and endpoint disagree"
    for worker_id, hidden in acted.items():
        assert not hidden & set(plan.get(worker_id, [])), f"worker {worker_id} is pushed a course they acted on"
        assert not hidden & set(endpoint_top(client, keys, worker_id))


def test_trainings_count_is_r3s_count_with_and_without_end_dates(app: Flask, client: FlaskClient,
                                                                   keys: Keys) -> None:
    services = _app(app).services
    with services.sessions() as session:
        items = services.snapshots.get(session, TODAY).items
    ending_this_year = next((c for c in items if c.facts.end_date.year == TODAY.year), None)
    if ending_this_year is None:
        pytest.skip("the sample catalog has no course ending this year")
    resp = client.post("/v1/workers", json={"job_center": "JC-TINGHU", "hukou_county": "tinghu",
                                           "residence_county": "tinghu", "birth_date": "1990-05-01",
                                           "employment_status": "unemployed",
                                           "priority_groups": ["laid_off_unemployed"]},
                       headers=keys.as_admin)
    assert resp.status_code == 201, resp.get_json()
    worker_id = resp.get_json()["id"]

    def counts() -> tuple[int, int]:
        history = client.get(f"/v1/workers/{worker_id}/trainings", headers=keys.as_admin).get_json()
        decision = client.get(f"/v1/workers/{worker_id}/eligibility?course_id={ending_this_year.id}",
                              headers=keys.as_admin).get_json()
        return history["subsidized_this_year"], 3 - decision["subsidies_left_this_year"]

    record = {"occupation_code": "4-10-01-06", "level": 5, "training_type": "employment_skills",
              "subsidized": True}
    assert counts() == (0, 0)
    # With an end date this year.
    post_training(client, keys, worker_id, {**record, "status": "enrolled", "enrolled_on": "2026-03-02",
                                            "end_date": "2026-05-30"})
    assert counts() == (1, 1)
    # An open subsidized enrolment without an end date: counted in the year it was enrolled, by both.
    post_training(client, keys, worker_id, {**record, "level": 4, "status": "enrolled",
                                            "enrolled_on": "2026-10-12"})
    assert counts() == (2, 2)
    # Self-paid and dropped trainings count for neither.
    post_training(client, keys, worker_id, {**record, "level": 3, "subsidized": False, "status": "enrolled",
                                            "enrolled_on": "2026-10-12"})
    post_training(client, keys, worker_id, {**record, "level": 2, "status": "dropped", "enrolled_on": "2026-10-12"})
    assert counts() == (2, 2)


SCENARIOS: dict[str, tuple[str, ...]] = {
    # kinds in time order, and whether the dismissal still stands
    "dismissed": ("dismiss",),
    "dismissed then viewed": ("dismiss", "view"),
    "dismissed then clicked": ("dismiss", "click"),
    "dismissed then saved": ("dismiss", "save"),
    "saved then dismissed": ("save", "dismiss"),
    "dismissed, enrolled, dismissed again": ("dismiss", "enrol", "dismiss"),
}
STANDS = {"dismissed", "dismissed then viewed", "dismissed then clicked", "saved then dismissed",
          "dismissed, enrolled, dismissed again"}


def test_dismissal_means_the_same_in_serving_push_and_training(app: Flask, client: FlaskClient,
                                                               keys: Keys) -> None:
    services = _app(app).services
    opted_in = populate(app, 12, seed=5)
    worker_id = next(w for w in opted_in if len(endpoint_top(client, keys, w, 40)) >= len(SCENARIOS))
    top = endpoint_top(client, keys, worker_id, 40)
    course_of = dict(zip(SCENARIOS, top, strict=False))
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    with writing(services.sessions) as session:  # explicit times, so the order is unambiguous
        session.execute(delete_events(worker_id))
        rows = [{"worker_id": worker_id, "course_id": course_of[name], "kind": kind,
                 "at": start + timedelta(hours=i), "source": "test"}
                for name, kinds in SCENARIOS.items() for i, kind in enumerate(kinds)]
        session.execute(insert(Event), rows)
    standing = {course_of[name] for name in STANDS}
    # The reading itself.
    assert standing_dismissals([(course_of[n], k, start + timedelta(hours=i))
                                for n, ks in SCENARIOS.items() for i, k in enumerate(ks)]) == standing

    shown = set(endpoint_top(client, keys, worker_id, 40))
    pushed = set(push_plan(app, top_k=40).get(worker_id, []))
    with services.sessions() as session:
        data = load_training_data(session, TODAY, progress=False)
    mine = [e for e in data.interactions if e.worker_id == worker_id]
    items = IdMap.from_ids(sorted({e.course_id for e in mine}))
    dismissed = build_interaction_matrices(mine, IdMap.from_ids([worker_id]), items).dismissed
    learned_as_dismissed = {items.external_ids[j] for j in dismissed.nonzero()[1]}

    for name, course_id in course_of.items():
        stands = name in STANDS
        assert (course_id not in shown) == stands, f"serving: {name}"
        assert (course_id not in pushed) == stands, f"push: {name}"
        assert (course_id in learned_as_dismissed) == stands, f"training: {name}"


def delete_events(worker_id: int) -> Any:
    from sqlalchemy import delete

    return delete(Event).where(Event.worker_id == worker_id)


def test_one_travel_default(app: Flask) -> None:
    services = _app(app).services
    defaults = {
        "settings": load_settings({}, None)["DEFAULT_MAX_KM"],
        "the web app": services.ranking.default_max_km,
        "recommend": inspect.signature(recommend).parameters["default_max_km"].default,
        "build_candidates": inspect.signature(build_candidates).parameters["default_max_km"].default,
    }
    assert set(defaults.values()) == {DEFAULT_MAX_TRAVEL_KM}, defaults
    # The push job ranks with the same configuration object as the endpoint: no default of its own.
    for fn in (plan_pushes, rank_stored_worker):
        assert "default_max_km" not in inspect.signature(fn).parameters


def test_a_profile_without_a_travel_range_gets_the_default_everywhere(app: Flask, keys: Keys) -> None:
    services = _app(app).services
    with services.sessions() as session:
        snapshot = services.snapshots.get(session, TODAY)
    far_away = WorkerProfile(birth_date=date(1990, 1, 1), hukou_county="tinghu", residence_county="tinghu",
                             employment_status="unemployed", priority_groups=frozenset({"laid_off_unemployed"}),
                             lat=33.39, lon=120.14)
    result = recommend(snapshot, services.models, far_away, worker_id=None, today=TODAY,
                       settings=services.policy, weights=services.ranking.weights, k=50)
    distances = [r.distance_km for r in result.items if r.distance_km is not None]
    assert distances and max(distances) <= DEFAULT_MAX_TRAVEL_KM
    unlimited = recommend(snapshot, services.models, far_away, worker_id=None, today=TODAY,
                          settings=services.policy, weights=services.ranking.weights, k=50, default_max_km=None)
    assert unlimited.eligible_count > result.eligible_count  # the default is a real limit here


def test_training_reads_dismissals_like_serving() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    events = [Interaction(1, 10, "dismiss", at), Interaction(1, 10, "save", at + timedelta(1)),
              Interaction(1, 11, "save", at), Interaction(1, 11, "dismiss", at + timedelta(1)),
              Interaction(1, 12, "dismiss", at), Interaction(1, 12, "view", at + timedelta(1))]
    items = IdMap.from_ids([10, 11, 12])
    mats = build_interaction_matrices(events, IdMap.from_ids([1]), items)
    learned = {items.external_ids[j] for j in mats.dismissed.nonzero()[1]}
    assert learned == standing_dismissals((e.course_id, e.kind, e.at) for e in events) == {11, 12}
    assert np.asarray(mats.interactions.todense())[0].tolist() == [1.0, 0.0, 0.0]

