"""Benchmark: the daily push plan for 100,000 and 1,000,000 synthetic workers.

``python bench/bench_push_plan.py [--workers 100000 1000000]`` prints a table and writes
``bench/results/push_plan.json``.

The plan's work without the database (loading workers and writing the chosen pushes are left out:
they are one streamed query and one insert per push), on the sample catalog and a small trained
model, one BLAS thread:

- **state**: every worker ranked once (``serving.push_audience.build_audience_state``, in blocks
  of workers: the rules per worker, then (workers x courses) arrays, einsum scores, block
  percentiles, argpartition top-k);
- **audiences**: the one-pass audience of every course open for enrolment, as
  ``training_jobs.push_plan.plan_day`` computes them;
- **assign**: the caps, the budget and the order (``serving.push_plan.assign``);
- **per-worker path**: the previous state build, one ``rank_worker`` per worker, timed on a sample
  and scaled to the population (what the plan cost before);
- **bare arithmetic**: what ranking every worker needs at the least, over the same sizes in the
  same run: BLAS (workers x courses) products in blocks, a 50% mask, and each worker's top ``k``
  by ``np.partition``.

Workers: ``--distinct`` people from ``training_jobs.synthetic.generate_population`` copied under
new ids, each copy moved up to ~5 km and rounded to 0.01 degree as stored locations are; 70%
opted in. They are generated while the state is built (a stream), as the job reads them.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.importing import apply, expand_paths, plan  # noqa: E402
from policy import PolicySettings  # noqa: E402
from policy.profile import WorkerProfile  # noqa: E402
from recommender.audience import CourseColumn, course_audience  # noqa: E402
from recommender.items import TrainingData  # noqa: E402
from recommender.model import ModelParams  # noqa: E402
from recommender.ranking import RankingWeights  # noqa: E402
from serving.models import ModelServing  # noqa: E402
from serving.push_audience import AudienceWorker, build_audience_state  # noqa: E402
from serving.push_plan import Candidate, PushCaps, PushHistory, assign  # noqa: E402
from serving.recommend import rank_worker  # noqa: E402
from serving.snapshot import CatalogSnapshot, build_snapshot  # noqa: E402
from storage.engine import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.session import make_session_factory, writing  # noqa: E402
from training_jobs.synthetic import generate_population  # noqa: E402
from training_jobs.train import run_training  # noqa: E402

TODAY = date(2026, 11, 29)
K = 20
MAX_KM = 50.0
SAMPLE_CATALOG = Path(__file__).resolve().parents[1] / "catalog" / "data"


def setting_up(root: Path) -> tuple[CatalogSnapshot, ModelServing]:
    engine = make_engine(f"sqlite:///{root / 'db.sqlite3'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    with writing(factory) as session:
        apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
    with factory() as session:
        snapshot = build_snapshot(session, TODAY)
    engine.dispose()
    workers, centers, events = generate_population(list(snapshot.items), 600, 7, TODAY)
    data = TrainingData(workers, {c.id: c for c in snapshot.items}, events, centers)
    params = ModelParams(no_components=16, epochs=8, random_state=3, num_threads=1)
    run_training(data, params, root / "artifacts", today=TODAY, progress=False)
    serving = ModelServing(root / "artifacts", reload_seconds=0)
    if not serving.reload_now():
        raise RuntimeError("no model to serve")
    return snapshot, serving


def population(people: list[WorkerProfile], n: int, seed: int = 1) -> Iterator[AudienceWorker]:
    rng = np.random.default_rng(seed)
    for start in range(0, n, 10_000):
        m = min(10_000, n - start)
        who = rng.integers(0, len(people), m)
        dlat, dlon = rng.uniform(-0.045, 0.045, m), rng.uniform(-0.055, 0.055, m)
        opted = rng.random(m) < 0.7
        for i in range(m):
            p = people[who[i]]
            if p.lat is not None and p.lon is not None:
                p = replace(p, lat=round(p.lat + dlat[i], 2), lon=round(p.lon + dlon[i], 2))
            yield AudienceWorker(10_000_000 + start + i, p, opted_in=bool(opted[i]))


def bare(n: int, n_courses: int, dim: int, seed: int = 2) -> float:
    """BLAS (workers x courses) in blocks, a 50% mask and each row's top-k threshold by partition."""
    rng = np.random.default_rng(seed)
    items = rng.standard_normal((n_courses, dim)).astype(np.float32)
    block = max(64, (1 << 17) // n_courses)
    users = rng.standard_normal((block, dim)).astype(np.float32)
    mask = rng.random((block, n_courses)) < 0.5
    t = time.perf_counter()
    for start in range(0, n, block):
        b = min(block, n - start)
        scores = users[:b] @ items.T
        masked = np.where(mask[:b], scores, -np.inf)
        np.partition(masked, n_courses - K, axis=1)[:, n_courses - K]
    return time.perf_counter() - t


def bench(n: int, snapshot: CatalogSnapshot, serving: ModelServing, people: list[WorkerProfile],
          sample: int) -> dict[str, float]:
    weights, settings = RankingWeights(), PolicySettings()
    t = time.perf_counter()
    state = build_audience_state(snapshot, serving, population(people, n), today=TODAY, settings=settings,
                                 weights=weights, k=K, default_max_km=MAX_KM)
    t_state = time.perf_counter() - t

    artifact = serving.current()
    assert artifact is not None
    items = serving.item_matrix(artifact, snapshot)
    t0 = TODAY.toordinal()
    open_rows = [r for r, c in enumerate(snapshot.items) if c.seats_left > 0 and c.enrol_deadline.toordinal() >= t0]
    t = time.perf_counter()
    candidates: list[Candidate] = []
    for r in open_rows:
        audience = course_audience(state, CourseColumn.of(snapshot.arrays, r, items.vectors, items.biases),
                                   today=TODAY, weights=weights)
        cid = snapshot.items[r].id
        candidates.extend(Candidate(int(w), cid, int(p), float(s)) for w, p, s in
                          zip(audience.worker_ids, audience.position, audience.score, strict=True))
    t_aud = time.perf_counter() - t
    seats = {snapshot.items[r].id: snapshot.items[r].seats_left for r in open_rows}
    t = time.perf_counter()
    chosen = assign(candidates, caps=PushCaps(), seats_left=seats, history=PushHistory())
    t_assign = time.perf_counter() - t

    # The per-worker path on a sample, scaled to n.
    some = list(population(people, sample, seed=9))
    t = time.perf_counter()
    for wk in some:
        rank_worker(snapshot, serving, wk.profile, worker_id=wk.worker_id, today=TODAY, settings=settings,
                    weights=weights, k=K, default_max_km=MAX_KM)
    per_worker = (time.perf_counter() - t) / sample
    dim = int(items.vectors.shape[1])
    t_bare = bare(n, len(snapshot.items), dim)
    plan_s = t_state + t_aud + t_assign
    return {"workers": n, "courses": len(snapshot.items), "open_courses": len(open_rows), "dim": dim,
            "state_s": t_state, "state_ms_per_worker": t_state / n * 1e3, "audiences_s": t_aud,
            "assign_s": t_assign, "plan_s": plan_s, "matches": len(candidates), "planned": len(chosen),
            "per_worker_path_ms": per_worker * 1e3, "per_worker_path_s": per_worker * n,
            "speedup": per_worker * n / t_state, "bare_s": t_bare, "state_vs_bare": t_state / t_bare}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--distinct", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=2_000, help="workers timed on the per-worker path")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        snapshot, serving = setting_up(Path(tmp))
        people = [p for _, p in sorted(generate_population(list(snapshot.items), args.distinct, 11, TODAY)[0].items())]
        print(f"setup (catalog, model, {args.distinct} distinct people): {time.perf_counter() - t:.0f} s", flush=True)
        results = []
        for n in args.workers:
            results.append(bench(n, snapshot, serving, people, args.sample))
            r = results[-1]
            print(f"{n} workers: state {r['state_s']:.0f} s, audiences {r['audiences_s']:.0f} s, "
                  f"assign {r['assign_s']:.0f} s", flush=True)
    print(f"{'workers':>9} | {'state':>7} | {'audiences':>9} | {'assign':>6} | {'plan':>7} | "
          f"{'per-worker path':>15} | {'bare':>6} | {'planned':>8}")
    print("-" * 90)
    for r in results:
        print(f"{r['workers']:>9} | {r['state_s']:>6.0f}s | {r['audiences_s']:>8.0f}s | {r['assign_s']:>5.0f}s | "
              f"{r['plan_s'] / 60:>5.1f}min | {r['per_worker_path_s'] / 60:>12.0f}min | {r['bare_s']:>5.1f}s | "
              f"{r['planned']:>8}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(parents=True, exist_ok=True)
    payload = {"python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(),
               "threads": 1, "method": "one run, wall clock, shared 2-core machine; no database I/O; "
               "per-worker path timed on a sample and scaled; bare = BLAS products + mask + np.partition top-k",
               "results": results}
    (out / "push_plan.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    print(f"wrote {out / 'push_plan.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
