"""Benchmark: score one worker against the whole catalog with numpy vs ``LightFM.predict``.

``python bench/bench_scoring.py`` prints a table and writes ``bench/results/scoring.json``.

BLAS/OpenMP threads are pinned to 1 *before numpy is imported* (the variables are read once, when
the BLAS library loads): a serving worker process gets one core under gunicorn, so a multi-
threaded mat-vec would measure a speed the service never sees, and LightFM.predict is run with
``num_threads=1`` for the same reason.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommender.model import HybridModel, ModelParams  # noqa: E402


def _features(rng: np.random.Generator, n_rows: int, n_identity: int, n_attr: int, per_row: int) -> sp.csr_matrix:
    # Identity column per row (as for trained ids) plus `per_row` attribute columns, L1-normalized.
    rows, cols = [], []
    for r in range(n_rows):
        rows.append(r)
        cols.append(min(r, n_identity - 1))
        for c in rng.choice(n_attr, size=per_row, replace=False):
            rows.append(r)
            cols.append(n_identity + int(c))
    m = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n_rows, n_identity + n_attr))
    inv = 1.0 / np.asarray(m.sum(axis=1)).ravel()
    return sp.csr_matrix(sp.diags(inv.astype(np.float32)) @ m, dtype=np.float32)


def _best_of(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def bench(n_items: int, n_users: int = 2000, components: int = 64, repeat: int = 20) -> dict[str, float]:
    """Time numpy scoring and LightFM.predict for one user over ``n_items`` courses."""
    rng = np.random.default_rng(0)
    uf = _features(rng, n_users, n_users, 300, 12)
    itf = _features(rng, n_items, n_items, 500, 10)
    inter = sp.coo_matrix((np.ones(n_users * 5, np.float32),
                           (rng.integers(0, n_users, n_users * 5), rng.integers(0, n_items, n_users * 5))),
                          shape=(n_users, n_items))
    inter.sum_duplicates()
    inter.data[:] = 1.0
    model = HybridModel(ModelParams(no_components=components, epochs=1, num_threads=1)).fit(inter, uf, itf)
    items = model.item_matrix(itf)  # precomputed once per catalog version in the service
    user_row = uf[7]
    user_ids = np.full(n_items, 7, dtype=np.int32)
    item_ids = np.arange(n_items, dtype=np.int32)

    def numpy_score() -> np.ndarray:
        return model.score(model.user_vector(user_row), items)

    def lightfm_predict() -> np.ndarray:
        return model.lightfm.predict(user_ids, item_ids, item_features=itf, user_features=uf, num_threads=1)

    assert np.allclose(numpy_score(), lightfm_predict(), rtol=1e-4, atol=1e-4)
    t_np = _best_of(numpy_score, repeat)
    t_lf = _best_of(lightfm_predict, max(3, repeat // 4))
    t_items = _best_of(lambda: model.item_matrix(itf), 3)
    return {"n_items": n_items, "components": components, "numpy_ms": t_np * 1e3, "lightfm_predict_ms": t_lf * 1e3,
            "speedup": t_lf / t_np, "item_matrix_precompute_ms": t_items * 1e3}


def main() -> int:
    """Run the benchmark for 10k and 100k courses."""
    results = [bench(n) for n in (10_000, 100_000)]
    print(f"{'courses':>8} | {'numpy ms':>9} | {'predict ms':>10} | {'speed-up':>8} | {'item precompute ms':>18}")
    print("-" * 66)
    for r in results:
        print(f"{r['n_items']:>8} | {r['numpy_ms']:>9.3f} | {r['lightfm_predict_ms']:>10.3f} | "
              f"{r['speedup']:>7.1f}x | {r['item_matrix_precompute_ms']:>18.1f}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(parents=True, exist_ok=True)
    payload = {"python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(),
               "threads": 1, "method": "best of N wall-clock; one user vs all courses; items precomputed",
               "results": results}
    (out / "scoring.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    print(f"wrote {out / 'scoring.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
