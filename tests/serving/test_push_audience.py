"""The one-pass push audience equals what each worker's own recommendations show.

A generated population (with opted-out workers, dismissals, enrolments and short travel ranges
mixed in) is ranked per worker through ``serving.recommend.recommend``; the audience of every
course of the catalog, computed in one pass over arrays, must be exactly the opted-in workers whose
own list holds the course (and who did not dismiss it), at the same place in that list.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from policy import decide_many
from recommender.audience import AudienceState, CourseColumn, course_audience
from recommender.ranking import CourseArrays, RankingWeights
from serving.models import ModelServing
from serving.push_audience import AudienceWorker, build_audience_state
from serving.recommend import recommend
from serving.snapshot import CatalogSnapshot
from tests.serving.conftest import DEFAULT_MAX_KM, POLICY, TODAY
from training_jobs.synthetic import generate_population

K = 10
WEIGHTS = RankingWeights()


def population(snapshot: CatalogSnapshot, n: int = 240) -> list[AudienceWorker]:
    profiles, _, events = generate_population(list(snapshot.items), n, 11, TODAY)
    rng = np.random.default_rng(5)
    course_ids = [c.id for c in snapshot.items]
    seen: dict[int, list[int]] = {}
    for e in events:
        seen.setdefault(e.worker_id, []).append(e.course_id)
    out = []
    for wid, p in sorted(profiles.items()):
        roll = rng.random(4)
        if roll[0] < 0.2:  # a short travel range: some courses are out of range
            p = replace(p, max_travel_km=float(rng.choice([3.0, 8.0, 15.0])))
        if roll[1] < 0.1:
            p = replace(p, online_ok=False)
        mine = seen.get(wid) or [int(rng.choice(course_ids))]
        dismissed = frozenset(int(c) for c in rng.choice(mine, size=min(2, len(mine)), replace=False)) \
            if roll[2] < 0.3 else frozenset()
        taken = frozenset({int(rng.choice(course_ids))}) if roll[3] < 0.2 else frozenset()
        out.append(AudienceWorker(wid, p, opted_in=bool(rng.random() > 0.15), dismissed=dismissed, taken=taken))
    return out


def per_worker_lists(snapshot: CatalogSnapshot, serving: ModelServing,
                     workers: list[AudienceWorker]) -> dict[int, dict[int, int]]:
    """worker id -> {course id: place in the worker's own list}."""
    return {w.worker_id: {r.course.id: r.rank for r in recommend(
        snapshot, serving, w.profile, worker_id=w.worker_id, today=TODAY, settings=POLICY, weights=WEIGHTS, k=K,
        dismissed=w.dismissed, taken=w.taken, default_max_km=DEFAULT_MAX_KM).items} for w in workers}


def state_for(snapshot: CatalogSnapshot, serving: ModelServing, workers: list[AudienceWorker]) -> AudienceState:
    return build_audience_state(snapshot, serving, workers, today=TODAY, settings=POLICY, weights=WEIGHTS, k=K,
                                default_max_km=DEFAULT_MAX_KM)


def column(snapshot: CatalogSnapshot, serving: ModelServing, row: int) -> CourseColumn:
    artifact = serving.current()
    if artifact is None:
        return CourseColumn.of(snapshot.arrays, row)
    items = serving.item_matrix(artifact, snapshot)
    return CourseColumn.of(snapshot.arrays, row, items.vectors, items.biases)


@pytest.fixture(scope="module")
def snapshot_with_outcomes(snapshot: CatalogSnapshot) -> CatalogSnapshot:
    """The sample catalog with certificate rates and a quality floor, as an archive would give them
    (issue 15): the outcome terms must enter both paths alike."""
    rng = np.random.default_rng(15)
    items = tuple(replace(it, certificate_rate=float(rng.uniform(0.3, 0.95)), certificate_finished=int(rng.integers(0, 80)),
                          below_quality_floor=bool(rng.random() < 0.15)) for it in snapshot.items)
    return replace(snapshot, version=f"{snapshot.version}+outcomes", items=items,
                   arrays=CourseArrays.from_courses(items))


@pytest.mark.slow
@pytest.mark.parametrize(("model", "catalog"), [("trained", "snapshot"), ("rule_based", "snapshot"),
                                                ("trained", "snapshot_with_outcomes")])
def test_audience_of_every_course_equals_the_per_worker_lists(
        model: str, catalog: str, request: pytest.FixtureRequest) -> None:
    serving: ModelServing = request.getfixturevalue(model)
    snapshot: CatalogSnapshot = request.getfixturevalue(catalog)
    workers = population(snapshot)
    lists = per_worker_lists(snapshot, serving, workers)
    state = state_for(snapshot, serving, workers)
    by_id = {w.worker_id: w for w in workers}
    reached = 0
    for row, item in enumerate(snapshot.items):
        got = course_audience(state, column(snapshot, serving, row), today=TODAY, weights=WEIGHTS)
        expected = {wid: places[item.id] for wid, places in lists.items()
                    if item.id in places and by_id[wid].opted_in and item.id not in by_id[wid].dismissed}
        assert dict(zip(got.worker_ids.tolist(), got.position.tolist(), strict=True)) == expected, item.id
        # Best fits first: by place in the worker's list, then score.
        keys = list(zip(got.position.tolist(), (-got.score).tolist(), strict=True))
        assert keys == sorted(keys)
        reached += len(got)
    # The comparison means something only if courses do reach people, and not everyone.
    assert reached > len(workers)
    # Every exclusion happened somewhere in the population.
    opted_out = [w for w in workers if not w.opted_in and lists[w.worker_id]]
    # Dismissals matter: some dismissed course would be in the worker's list without the dismissal.
    undismissed = per_worker_lists(snapshot, serving, [replace(w, dismissed=frozenset())
                                                       for w in workers if w.dismissed])
    by_then = {w.worker_id: w.dismissed for w in workers}
    assert opted_out and any(by_then[wid] & set(places) for wid, places in undismissed.items())


@pytest.mark.slow
def test_no_audience_holds_an_excluded_worker(snapshot: CatalogSnapshot, trained: ModelServing) -> None:
    workers = population(snapshot, 160)
    state = state_for(snapshot, trained, workers)
    by_id = {w.worker_id: w for w in workers}
    excluded = {"ineligible": 0, "taken": 0, "dismissed": 0, "opted_out": 0, "out_of_range": 0}
    nonempty = 0
    for row, item in enumerate(snapshot.items):
        col = column(snapshot, trained, row)
        got = course_audience(state, col, today=TODAY, weights=WEIGHTS)
        nonempty += bool(len(got))
        for wid in got.worker_ids.tolist():
            w = by_id[wid]
            assert w.opted_in and item.id not in w.dismissed and item.id not in w.taken
            assert decide_many(w.profile, snapshot.table, TODAY, POLICY).eligible[row]
            if not col.online and w.profile.lat is not None and w.profile.lon is not None:
                from catalog.geo import haversine_km
                reach = w.profile.max_travel_km or DEFAULT_MAX_KM
                assert float(haversine_km(w.profile.lat, w.profile.lon, [col.lat], [col.lon])[0]) <= reach
        for w in workers:
            if w.worker_id in got.worker_ids:
                continue
            if not w.opted_in:
                excluded["opted_out"] += 1
            elif item.id in w.dismissed:
                excluded["dismissed"] += 1
            elif item.id in w.taken:
                excluded["taken"] += 1
        # A full course or one whose enrolment deadline has passed reaches no one.
        assert len(course_audience(state, replace(col, seats_left=0), today=TODAY, weights=WEIGHTS)) == 0
        late = TODAY + timedelta(days=col.enrol_deadline - TODAY.toordinal() + 1)
        assert len(course_audience(state, col, today=late, weights=WEIGHTS)) == 0
    assert nonempty > 10
    assert excluded["opted_out"] and excluded["dismissed"] and excluded["taken"]


@pytest.mark.slow
def test_blocks_of_any_size_give_the_same_state(snapshot: CatalogSnapshot, trained: ModelServing) -> None:
    workers = population(snapshot, 100)
    one = state_for(snapshot, trained, workers)
    small = build_audience_state(snapshot, trained, workers, today=TODAY, settings=POLICY, weights=WEIGHTS, k=K,
                                 default_max_km=DEFAULT_MAX_KM, block=16)
    assert np.array_equal(one.eligible_bits, small.eligible_bits)
    assert np.array_equal(one.picks.row, small.picks.row) and np.array_equal(one.picks.score, small.picks.score)
    assert one.bands is not None and small.bands is not None
    assert np.array_equal(one.bands.values, small.bands.values) and np.array_equal(one.bands.offsets,
                                                                                   small.bands.offsets)
    for row in range(0, len(snapshot.items), 7):
        col = column(snapshot, trained, row)
        a, b = (course_audience(s, col, today=TODAY, weights=WEIGHTS) for s in (one, small))
        assert np.array_equal(a.worker_ids, b.worker_ids) and np.array_equal(a.position, b.position)
    with pytest.raises(ValueError):
        build_audience_state(snapshot, trained, workers[:3], today=TODAY, settings=POLICY, weights=WEIGHTS, k=K,
                             default_max_km=DEFAULT_MAX_KM, block=12)
