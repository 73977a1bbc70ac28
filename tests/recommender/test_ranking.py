from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.vocabulary import PRIORITY_GROUPS, SENSITIVE_PRIORITY_GROUPS
from policy.profile import WorkerProfile
from recommender.ranking import (
    REASONS,
    Candidates,
    CourseArrays,
    RankingWeights,
    build_candidates,
    fallback_rank,
    rank,
    reason_texts,
)


def _cands(n: int, **over: Any) -> Candidates:
    base: dict[str, Any] = dict(
        eligible=np.ones(n, bool), seats_open=np.ones(n, bool), deadline_ok=np.ones(n, bool),
        in_range=np.ones(n, bool), distance_km=np.full(n, np.nan), days_to_start=np.full(n, 200.0),
        shortage_level=np.zeros(n, np.int64), targeted=np.zeros(n, bool), credit_score=np.zeros(n),
        dismissed=np.zeros(n, bool), interest_match=np.zeros(n, bool), safety_first=np.zeros(n, bool),
        occupation=np.array([f"o{i}" for i in range(n)], dtype=object),
        institution=np.array([f"i{i}" for i in range(n)], dtype=object))
    base.update(over)
    return Candidates(**base)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.lists(st.floats(-5, 5, allow_nan=False), min_size=n, max_size=n),
    *(st.lists(st.booleans(), min_size=n, max_size=n) for _ in range(4)),
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
    st.integers(0, 15), st.sampled_from([None, 1, 2]))))
def test_filters_are_hard_and_caps_hold(case: Any) -> None:
    scores, elig, seats, dl, rng_, occ, inst, k, cap = case
    n = len(scores)
    c = _cands(n, eligible=np.array(elig), seats_open=np.array(seats), deadline_ok=np.array(dl),
               in_range=np.array(rng_), occupation=np.array(occ), institution=np.array(inst),
               targeted=np.array(seats), safety_first=np.array(dl) & ~np.array(elig))
    for result in (rank(np.array(scores), c, k=k, max_per_occupation=cap, max_per_institution=cap),
                   fallback_rank(c, k=k, max_per_occupation=cap, max_per_institution=cap)):
        assert len(result) <= k
        idx = [r.index for r in result]
        assert len(set(idx)) == len(idx)
        for i in idx:
            assert elig[i] and seats[i] and dl[i] and rng_[i]
        if cap is not None:
            assert max(np.bincount([occ[i] for i in idx], minlength=1)) <= cap
            assert max(np.bincount([inst[i] for i in idx], minlength=1)) <= cap
        assert [r.score for r in result] == sorted((r.score for r in result), reverse=True)


def test_exact_order_and_reasons() -> None:
    c = _cands(5, shortage_level=np.array([0, 1, 0, 0, 0]), targeted=np.array([False, False, True, False, False]),
               eligible=np.array([True, True, True, True, False]))
    res = rank(np.array([4.0, 3.0, 2.0, 1.0, 100.0]), c, k=10)
    # percentiles among the 4 kept: 1, 2/3, 1/3, 0; +0.15 shortage (level 1), +0.15 targeted
    assert [r.index for r in res] == [0, 1, 2, 3]
    assert res[0].score == pytest.approx(1.0)
    assert res[1].score == pytest.approx(2 / 3 + 0.15)
    assert res[0].reasons == ("SIMILAR_WORKERS_ENROLLED",)
    assert "SHORTAGE_OCCUPATION" in res[1].reasons and "TARGETS_YOUR_GROUP" in res[2].reasons


def test_diversity_caps_are_greedy() -> None:
    c = _cands(6, occupation=np.array(["a", "a", "a", "b", "b", "c"], dtype=object),
               institution=np.array(["x", "y", "z", "x", "x", "x"], dtype=object))
    res = rank(np.arange(6, 0, -1, dtype=float), c, k=6, max_per_occupation=2, max_per_institution=2)
    assert [r.index for r in res] == [0, 1, 3]  # 2: occupation a full; 4, 5: institution x full


def test_safety_first_and_dismissed() -> None:
    c = _cands(3, safety_first=np.array([False, False, True]), dismissed=np.array([True, False, False]))
    res = rank(np.array([3.0, 2.0, 1.0]), c, k=3)
    # A standing dismissal is a hard filter: the best-scored course is not shown at all.
    assert [r.index for r in res] == [2, 1]
    assert res[0].reasons[0] == "SAFETY_FIRST"
    assert not c.keep_mask()[0]


def test_fallback_uses_policy_terms_only() -> None:
    c = _cands(3, interest_match=np.array([False, True, False]), credit_score=np.array([1.0, 0.0, 0.0]))
    res = fallback_rank(c, k=3)
    assert [r.index for r in res] == [1, 0, 2]
    assert all("SIMILAR_WORKERS_ENROLLED" not in r.reasons for r in res)


def test_weights_from_mapping() -> None:
    w = RankingWeights.from_mapping({"shortage": "0.5", "near_km": 5})
    assert w.shortage == 0.5 and w.near_km == 5.0
    with pytest.raises(ValueError):
        RankingWeights.from_mapping({"shortgae": 1})


def test_reason_texts_never_name_a_group() -> None:
    names = set(PRIORITY_GROUPS.values()) | {"残疾", "低保", "矫正", "disab", "correction", "low-income", "poverty"}
    for code, (zh, en) in REASONS.items():
        for word in names:
            assert word not in zh and word.lower() not in en.lower(), code
    assert SENSITIVE_PRIORITY_GROUPS  # the list the texts must not reveal
    assert reason_texts(["NEAR_YOU"], "en") == ["Close to you"]


def test_build_candidates_masks(course_factory: Any, today: date) -> None:
    courses = [
        course_factory(1, lat=33.39, lon=120.14),
        course_factory(2, seats_left=0),
        course_factory(3, deadline=today - timedelta(days=1)),
        course_factory(4, lat=34.20, lon=119.58),  # Xiangshui, ~100 km away
        course_factory(5, lat=34.20, lon=119.58, mode="online", targets=frozenset({"veteran"})),
    ]
    arrays = CourseArrays.from_courses(courses)
    worker = WorkerProfile(lat=33.39, lon=120.14, max_travel_km=30, priority_groups=frozenset({"veteran"}),
                           interests=("modern_services",))
    c = build_candidates(arrays, worker, today, np.ones(5, bool), dismissed_ids=[5])
    # 5 is online (always in range) but dismissed: a standing dismissal is a hard filter.
    assert list(c.keep_mask()) == [True, False, False, False, False]
    assert list(c.targeted) == [False, False, False, False, True] and c.dismissed[4]
    assert c.interest_match.all() and np.isnan(c.distance_km[4]) and c.distance_km[0] < 0.1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=2, max_size=40))
def test_percentile_gives_ties_their_average_rank(rows: list[tuple[int, bool]]) -> None:
    from scipy.stats import rankdata

    from recommender.ranking import _percentile

    scores = np.array([float(s) for s, _ in rows])
    keep = np.array([k for _, k in rows])
    expected = np.zeros(len(rows))
    if keep.sum() == 1:
        expected[keep] = 1.0
    elif keep.sum() > 1:
        expected[keep] = (rankdata(scores[keep], method="average") - 1) / (keep.sum() - 1)
    assert np.allclose(_percentile(scores, keep), expected)


def _reference_rank(scores: np.ndarray | None, c: Candidates, w: RankingWeights, k: int,
                    max_occ: int | None, max_inst: int | None) -> list[tuple[int, float, tuple[str, ...]]]:
    # The whole-catalog algorithm rank() replaced: terms over every row, one full sort.
    from recommender.ranking import _percentile, _reasons, blend, policy_terms

    keep = c.keep_mask()
    terms = policy_terms(c, w)
    pct = None if scores is None else _percentile(scores, keep)
    blended = blend(pct, terms, w)
    contrib = {**({} if pct is None else {"SIMILAR_WORKERS_ENROLLED": pct}), **terms}
    idx = np.flatnonzero(keep)
    occ_n: dict[Any, int] = {}
    inst_n: dict[Any, int] = {}
    out = []
    for i in idx[np.lexsort((idx, -blended[idx]))]:
        occ, inst = c.occupation[i], c.institution[i]
        if (max_occ is not None and occ_n.get(occ, 0) >= max_occ) or (
                max_inst is not None and inst_n.get(inst, 0) >= max_inst):
            continue
        occ_n[occ] = occ_n.get(occ, 0) + 1
        inst_n[inst] = inst_n.get(inst, 0) + 1
        out.append((int(i), float(blended[i]), _reasons(int(i), contrib, w)))
        if len(out) >= k:
            break
    return out


@pytest.mark.parametrize("seed", range(6))
def test_ranking_the_kept_rows_with_a_preselected_head_equals_the_whole_catalog_sort(seed: int) -> None:
    # Large enough for the pre-selected head (k * 10 rows) to matter, with ties (rounded scores),
    # and caps tight enough (few occupations and institutions) that the greedy pass must walk
    # past the head in some cases.
    rng = np.random.default_rng(seed)
    n, k = 3000, int(rng.integers(1, 30))
    few = int(rng.integers(2, 40))
    c = _cands(n, eligible=rng.random(n) < 0.8, in_range=rng.random(n) < 0.9,
               distance_km=np.where(rng.random(n) < 0.3, np.nan, rng.random(n) * 40),
               days_to_start=rng.integers(-5, 120, n).astype(float),
               shortage_level=rng.integers(0, 4, n), targeted=rng.random(n) < 0.2,
               credit_score=rng.choice([0.0, 0.5, 1.0], n), interest_match=rng.random(n) < 0.3,
               occupation=np.array([f"o{i}" for i in rng.integers(0, few, n)], dtype=object),
               institution=np.array([f"i{i}" for i in rng.integers(0, few, n)], dtype=object),
               certificate_rate=np.where(rng.random(n) < 0.5, np.nan, rng.random(n)),
               below_floor=rng.random(n) < 0.05)
    scores = np.round(rng.normal(size=n), 1)
    w = RankingWeights()
    for caps in ((3, 3), (1, 1), (None, 2), (None, None)):
        got = [(r.index, r.score, r.reasons) for r in rank(scores, c, w, k, *caps)]
        assert got == _reference_rank(scores, c, w, k, *caps)
        got = [(r.index, r.score, r.reasons) for r in fallback_rank(c, w, k, *caps)]
        assert got == _reference_rank(None, c, w, k, *caps)


def test_distances_within_a_range_equal_haversine_inside_it() -> None:
    from catalog.geo import haversine_km

    rng = np.random.default_rng(3)
    n = 5000
    lat, lon = 33.0 + rng.normal(0, 0.6, n), 120.0 + rng.normal(0, 0.6, n)
    lat[7], lon[8] = np.nan, np.nan  # no place: no distance, as haversine_km has it
    arrays = CourseArrays(**{**{f: np.zeros(n) for f in CourseArrays.__dataclass_fields__},
                             "ids": np.arange(n), "lat": lat, "lon": lon})
    full = haversine_km(33.1, 120.2, lat, lon)
    assert np.array_equal(arrays.distances_km(33.1, 120.2), full, equal_nan=True)
    for km in (3.0, 5.0, 20.0, 50.0):
        near = arrays.distances_km(33.1, 120.2, km)
        inside = full <= km
        assert 0 < inside.sum() < n
        assert np.array_equal(near[inside], full[inside])  # bit for bit where it matters
        assert np.isnan(near[7]) and np.isnan(near[8])
        rest = ~inside & ~np.isnan(full)
        assert np.all(near[rest] > km)  # the rest is beyond the range (measured or inf)
