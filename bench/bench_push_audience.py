"""Benchmark: the push audience of one course over 100,000 and 1,000,000 workers, in one pass.

``python bench/bench_push_audience.py [--workers 100000 1000000]`` prints a table and writes
``bench/results/push_audience.json``.

Two things over the *same* arrays, in the same run:

- **audience**: :func:`recommender.audience.course_audience`: the course's rules bits, consent,
  dismissals and travel range over all workers, the course against all user representations
  (einsum mat-vec), each survivor's place in their candidate-score band (vectorized binary search),
  the policy terms and blend, the comparison with each worker's top-``k`` picks and diversity caps,
  and the ranked result;
- **bare arithmetic**: what any audience must at least do: the BLAS mat-vec of the course against
  all user representations, the eligibility-and-consent mask, and the top-N by score
  (``argpartition`` then a sort of the N).

The workers are synthetic arrays shaped like the service's state (``serving.push_audience``):
64-dimensional representations, Yancheng locations, candidate-score bands of 8-48 scores, top-20
picks; about half of them eligible for the course. Building that state from real workers (one
per-worker ranking each) is a separate, nightly cost and is not timed here.

BLAS/OpenMP threads are pinned to 1 before numpy loads, as in the service.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommender.audience import (  # noqa: E402
    AudienceState,
    CourseColumn,
    CourseWorkerSets,
    ScoreBands,
    TopPicks,
    WorkerColumns,
    course_audience,
)
from recommender.ranking import RankingWeights  # noqa: E402

TODAY = date(2026, 12, 2)
DIM = 64
K = 20
N_COURSES = 16  # rows of the eligibility bits; the course measured is row 0
TOP_N = 1_000  # the bare top-N: ten pushes per open seat of a 100-seat course


def synthetic_state(n: int, seed: int = 0) -> tuple[AudienceState, CourseColumn]:
    """A state of ``n`` workers and the course (row 0) to find the audience of."""
    rng = np.random.default_rng(seed)
    users = (rng.standard_normal((n, DIM)) / np.sqrt(DIM)).astype(np.float32)
    user_bias = (rng.standard_normal(n) * 0.1).astype(np.float32)
    vec = rng.standard_normal(DIM).astype(np.float32)
    course = CourseColumn(
        row=0, lat=33.39, lon=120.14, online=False, seats_left=100,
        enrol_deadline=TODAY.toordinal() + 20, start_date=TODAY.toordinal() + 25, shortage_level=1,
        credit_score=0.75, target_groups=0b101, occupation="4-10-01-06", occupation_prefix="4-10",
        category="services", institution="INST-1", vector=vec, bias=np.float32(0.05))
    own = np.einsum("ij,j->i", users, vec) + course.bias + user_bias  # the course's score per worker
    # Bands: 8-48 candidate scores around each worker's own, the course's score among them.
    lengths = rng.integers(8, 49, n)
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    values = (np.repeat(own, lengths) + rng.standard_normal(int(offsets[-1])).astype(np.float32)).astype(np.float32)
    values[offsets[:-1] + rng.integers(0, lengths)] = own
    order = np.lexsort((values, np.repeat(np.arange(n), lengths)))
    values = values[order]
    below = rng.integers(0, 60, n)
    # Picks, best first; the k-th (the threshold) between 1.25 and 1.6, so that a course reaches a
    # few per cent of the workers, as in the generated populations of the tests.
    kth = rng.uniform(1.25, 1.6, n)
    picks_score = kth[:, None] + -np.sort(-rng.uniform(0.0, 0.9, (n, K)), axis=1)
    picks_score[:, -1] = kth
    picks_row = rng.integers(1, 5_000, (n, K))
    eligible = rng.random(n) < 0.5
    state = AudienceState(
        catalog_version="bench",
        workers=WorkerColumns(
            ids=np.arange(1, n + 1, dtype=np.int64), opted_in=rng.random(n) < 0.8,
            lat=33.39 + rng.normal(0, 0.3, n), lon=120.14 + rng.normal(0, 0.3, n),
            max_km=np.where(rng.random(n) < 0.2, 15.0, 50.0), online_ok=rng.random(n) < 0.9,
            group_mask=rng.integers(0, 1 << 17, n).astype(np.uint32), user_vectors=users, user_bias=user_bias),
        eligible_bits=np.vstack([np.packbits(eligible)] + [np.packbits(rng.random(n) < 0.5)
                                                            for _ in range(N_COURSES - 1)]),
        safety_first=CourseWorkerSets.from_pairs(np.zeros(100, np.int64), rng.integers(0, n, 100), N_COURSES),
        dismissed=CourseWorkerSets.from_pairs(np.zeros(n // 200, np.int64), rng.integers(0, n, n // 200), N_COURSES),
        interests={"4-10-01-06": np.flatnonzero(rng.random(n) < 0.05), "services": np.flatnonzero(rng.random(n) < 0.1)},
        bands=ScoreBands(offsets=offsets, values=values, below=below, candidates=below + lengths),
        picks=TopPicks(score=picks_score, row=picks_row, occupation=rng.integers(0, 300, (n, K)),
                       institution=rng.integers(0, 400, (n, K))),
        occupation_codes={"4-10-01-06": 7}, institution_codes={"INST-1": 11}, k=K,
        max_per_occupation=3, max_per_institution=3,
    )
    return state, course


def bare(state: AudienceState, course: CourseColumn) -> np.ndarray:
    """Mat-vec, mask, top-N: the arithmetic floor of any audience."""
    w = state.workers
    assert w.user_vectors is not None and course.vector is not None
    scores = w.user_vectors @ course.vector
    mask = np.unpackbits(state.eligible_bits[course.row], count=len(w)).astype(bool) & w.opted_in
    masked = np.where(mask, scores, -np.inf)
    top = np.argpartition(-masked, TOP_N)[:TOP_N]
    return top[np.argsort(-masked[top], kind="stable")]


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench(n: int, repeat: int) -> dict[str, float]:
    t = time.perf_counter()
    state, course = synthetic_state(n)
    setup = time.perf_counter() - t
    weights = RankingWeights()
    audience = course_audience(state, course, today=TODAY, weights=weights)
    t_aud = best_of(lambda: course_audience(state, course, today=TODAY, weights=weights), repeat)
    t_bare = best_of(lambda: bare(state, course), repeat)
    return {"workers": n, "audience_ms": t_aud * 1e3, "bare_ms": t_bare * 1e3, "ratio": t_aud / t_bare,
            "audience_size": len(audience), "synthetic_setup_s": setup}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    results = [bench(n, args.repeat) for n in args.workers]
    print(f"{'workers':>9} | {'audience ms':>11} | {'bare ms':>8} | {'ratio':>6} | {'audience':>8}")
    print("-" * 55)
    for r in results:
        print(f"{r['workers']:>9} | {r['audience_ms']:>11.1f} | {r['bare_ms']:>8.1f} | {r['ratio']:>5.2f}x | "
              f"{r['audience_size']:>8}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(parents=True, exist_ok=True)
    payload = {"python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(),
               "threads": 1, "method": f"best of {args.repeat} wall-clock; one course; state precomputed; "
               f"bare = BLAS mat-vec + mask + top-{TOP_N}", "results": results}
    (out / "push_audience.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    print(f"wrote {out / 'push_audience.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
