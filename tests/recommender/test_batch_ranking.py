"""The block ranking equals the per-worker ranking, row by row, ties and caps included."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.batch_ranking import percentiles, top_k
from recommender.ranking import Candidates, RankingWeights, _percentile, blend, policy_terms, rank


def block(seed: int, b: int = 64, n: int = 300) -> tuple[Candidates, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    occ = rng.integers(0, 12, n)
    inst = rng.integers(0, 9, n)
    # Coarse values: many exact ties in scores and in blended scores.
    scores = (rng.integers(0, 40, (b, n)) / 8).astype(np.float32)
    cand = Candidates(
        eligible=rng.random((b, n)) < 0.7, seats_open=rng.random(n) < 0.95, deadline_ok=rng.random(n) < 0.95,
        in_range=rng.random((b, n)) < 0.8, distance_km=np.where(rng.random((b, n)) < 0.2, np.nan,
                                                               rng.integers(0, 30, (b, n)).astype(float)),
        days_to_start=rng.integers(-5, 90, n).astype(float), shortage_level=rng.integers(0, 4, n),
        targeted=rng.random((b, n)) < 0.1, credit_score=rng.choice([0.0, 0.5, 1.0], n),
        dismissed=rng.random((b, n)) < 0.02, interest_match=rng.random((b, n)) < 0.1,
        safety_first=rng.random((b, n)) < 0.01, occupation=occ, institution=inst)
    return cand, scores, np.vstack([occ, inst])


def row(c: Candidates, i: int) -> Candidates:
    def pick(a: np.ndarray) -> np.ndarray:
        return a[i] if np.ndim(a) == 2 else a
    return Candidates(**{f: pick(getattr(c, f)) for f in c.__dataclass_fields__})


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("model", [True, False])
@pytest.mark.parametrize("window", [None, 5, 1000])
def test_block_equals_rows(seed: int, model: bool, window: int | None) -> None:
    cand, scores, (occ, inst) = block(seed)
    weights = RankingWeights()
    keep = cand.keep_mask()
    keep[0] = False  # a worker with no candidate
    keep[1] = False
    keep[1, 7] = True  # and one with a single candidate
    terms = policy_terms(cand, weights)
    pct = None
    if model:
        pct, ordered = percentiles(scores, keep)
        for i in range(scores.shape[0]):
            assert np.array_equal(pct[i], _percentile(scores[i], keep[i]))
            kept = np.sort(scores[i][keep[i]])
            assert np.array_equal(ordered.values[i, :ordered.count[i]], kept.astype(np.float64))
    k = 10
    got = top_k(blend(pct, terms, weights), keep, k, occ, inst, 2, 3, window=window)
    for i in range(scores.shape[0]):
        one = row(cand, i)
        one = Candidates(**{**one.__dict__, "eligible": keep[i], "seats_open": np.ones_like(keep[i]),
                            "deadline_ok": np.ones_like(keep[i]), "in_range": np.ones_like(keep[i]),
                            "dismissed": np.zeros_like(keep[i])})
        want = rank(scores[i] if model else None, one, weights, k, 2, 3)
        cols = [c for c in got.column[i].tolist() if c >= 0]
        assert cols == [r.index for r in want], i
        assert got.score[i, :len(want)].tolist() == [r.score for r in want]
