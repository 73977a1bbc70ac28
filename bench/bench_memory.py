"""Benchmark: memory per serving process with a city-scale model, and how it grows with workers.

``python bench/bench_memory.py`` (100,000 and 1,000,000 workers; ``--workers 20000`` for a smoke
run) prints a table and writes ``bench/results/memory.json``.

For each size it writes a synthetic artifact of the real shape with :func:`save_artifact`: user
embeddings for one identity feature per worker plus the attribute features, 10,000 courses, the id
maps and the feature vocabulary (the JSON files grow with the workers too), at the default
``no_components``. It then starts **two** processes that import the web app's modules (the
baseline of a gunicorn worker), load the artifact through :class:`serving.models.ModelServing`
(what a gunicorn worker does), build the catalog's item representations and score ``--score``
random workers, and reads ``/proc/<pid>/smaps_rollup`` of both while they are alive: RSS, PSS
(shared pages divided among the processes mapping them) and USS (private pages). ``--mode copy``
loads the arrays into private memory instead (what the loader did before issue 16), for comparison.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.artifacts import save_artifact  # noqa: E402
from recommender.features import FeatureSpace, IdMap  # noqa: E402
from recommender.model import HybridModel, ModelParams  # noqa: E402

N_ATTR_USER, N_ATTR_ITEM = 400, 600  # about the attribute vocabulary of the synthetic city


def _attr_names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}:{i}" for i in range(n)]


def write_model(root: Path, n_workers: int, n_courses: int, components: int) -> tuple[str, float]:
    """A synthetic artifact of the served shape; returns (version, seconds to write)."""
    rng = np.random.default_rng(0)
    users = IdMap(list(range(1_000_000, 1_000_000 + n_workers)))
    items = IdMap(list(range(1, n_courses + 1)))
    fs = FeatureSpace.from_names({0: _attr_names("u", N_ATTR_USER)}, {1: _attr_names("c", N_ATTR_ITEM)},
                                 users, items)
    params = ModelParams(no_components=components)
    model = HybridModel.from_arrays({
        "user_embeddings": rng.standard_normal((fs.n_user_features, components), dtype=np.float32) * 0.1,
        "user_biases": np.zeros(fs.n_user_features, np.float32),
        "item_embeddings": rng.standard_normal((fs.n_item_features, components), dtype=np.float32) * 0.1,
        "item_biases": rng.standard_normal(fs.n_item_features, dtype=np.float32) * 0.1,
    }, params)
    t = time.perf_counter()
    version = save_artifact(root, model, fs, {"users": users, "items": items}, {"source": "bench_memory"}, {})
    return version, time.perf_counter() - t


CHILD = r"""
import os, sys, time, json
import numpy as np
sys.path.insert(0, {root!r})
import api.app  # the web app's imports: the baseline of a gunicorn worker
from serving.models import ModelServing

def say(stage):
    print(json.dumps({{"stage": stage}}), flush=True)
    sys.stdin.readline()

say("imported")
t = time.perf_counter()
serving = ModelServing({artifacts!r})
art = serving.current()
load_s = time.perf_counter() - t
if {copy!r}:
    m = art.model
    m.user_embeddings, m.user_biases = np.array(m.user_embeddings), np.array(m.user_biases)
    m.item_embeddings, m.item_biases = np.array(m.item_embeddings), np.array(m.item_biases)
print(json.dumps({{"load_s": load_s}}), flush=True)
say("loaded")
fs = art.feature_space
attrs = ["c:%d" % i for i in range(0, 600, 7)]
items = art.model.item_matrix(fs.item_matrix_from_names([(c, attrs[:8]) for c in fs.item_ids.external_ids]))
rng = np.random.default_rng(os.getpid())
uattrs = ["u:%d" % i for i in range(400)]
ids = rng.choice(np.asarray(fs.user_ids.external_ids), size={score})
t = time.perf_counter()
for uid in ids:
    row = fs.user_matrix_from_names([(int(uid), uattrs[int(uid) % 50:int(uid) % 50 + 12])])
    vec = art.model.user_vector(row)
    scores = art.model.score(vec, items)
    np.argpartition(-scores, 10)[:10]
score_ms = (time.perf_counter() - t) / len(ids) * 1000
print(json.dumps({{"score_ms": score_ms}}), flush=True)
say("scored")
"""


def smaps(pid: int) -> dict[str, int]:
    """kB figures of /proc/<pid>/smaps_rollup (Rss, Pss, USS = Private_Clean + Private_Dirty …)."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    out["Uss"] = out.get("Private_Clean", 0) + out.get("Private_Dirty", 0)
    return out


def measure(artifacts: Path, copy: bool, score: int) -> dict[str, object]:
    """Two processes load the model; smaps of both at each stage."""
    code = CHILD.format(root=str(ROOT), artifacts=str(artifacts), copy=copy, score=score)
    procs = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, cwd=ROOT) for _ in range(2)]
    stages: dict[str, list[dict[str, int]]] = {}
    extra: list[dict[str, float]] = [{}, {}]
    try:
        for stage in ("imported", "loaded", "scored"):
            for i, p in enumerate(procs):
                assert p.stdout is not None
                while True:
                    line = p.stdout.readline()
                    if not line:
                        raise RuntimeError(f"child exited before {stage}")
                    msg = json.loads(line)
                    if "stage" in msg:
                        break
                    extra[i].update(msg)
            stages[stage] = [smaps(p.pid) for p in procs]  # both alive, both at the same stage
            for p in procs:
                assert p.stdin is not None
                p.stdin.write("\n")
                p.stdin.flush()
    finally:
        for p in procs:
            p.wait(timeout=60)
    return {"stages": stages, "children": extra}


def _mb(kb: float) -> float:
    return kb / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--courses", type=int, default=10_000)
    ap.add_argument("--components", type=int, default=ModelParams().no_components)
    ap.add_argument("--score", type=int, default=1000, help="random workers each process scores")
    ap.add_argument("--modes", nargs="+", default=["mmap", "copy"], choices=["mmap", "copy"])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "memory.json")
    args = ap.parse_args(argv)
    rows = []
    for n in args.workers:
        with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
            version, write_s = write_model(Path(tmp), n, args.courses, args.components)
            folder = Path(tmp) / version
            sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
            for mode in args.modes:
                r = measure(Path(tmp), mode == "copy", args.score)
                stages = r["stages"]
                assert isinstance(stages, dict)
                row = {"workers": n, "courses": args.courses, "components": args.components, "mode": mode,
                       "artifact_mb": {k: round(v / 2**20, 1) for k, v in sizes.items()},
                       "write_s": round(write_s, 2), "children": r["children"],
                       "smaps_kb": stages}
                rows.append(row)
                for stage, per in stages.items():
                    print(f"{n:>9,} {mode:>4} {stage:>8}: " + " | ".join(
                        f"RSS {_mb(s['Rss']):6.1f} PSS {_mb(s['Pss']):6.1f} USS {_mb(s['Uss']):6.1f} "
                        f"(file-backed PSS {_mb(s.get('Pss_File', 0)):5.1f})" for s in per) + " MB", flush=True)
    print()
    print(f"{'workers':>9} {'mode':>5} {'npz MB':>7} {'json MB':>8} {'RSS/proc':>9} {'PSS/proc':>9} "
          f"{'USS/proc':>9} {'2-proc PSS':>10} {'load s':>7} {'score ms':>8}")
    for row in rows:
        final = row["smaps_kb"]["scored"]  # type: ignore[index]
        art = row["artifact_mb"]
        assert isinstance(art, dict)
        json_mb = sum(v for k, v in art.items() if k.endswith(".json"))
        ch = row["children"]
        assert isinstance(ch, list)
        print(f"{row['workers']:>9,} {row['mode']:>5} {art['model.npz']:>7.1f} {json_mb:>8.1f} "
              f"{max(_mb(s['Rss']) for s in final):>9.1f} {max(_mb(s['Pss']) for s in final):>9.1f} "
              f"{max(_mb(s['Uss']) for s in final):>9.1f} {sum(_mb(s['Pss']) for s in final):>10.1f} "
              f"{max(c['load_s'] for c in ch):>7.2f} {max(c['score_ms'] for c in ch):>8.2f}")
    load = os.getloadavg()
    result = {"machine": {"platform": platform.platform(), "python": platform.python_version(),
                          "cpus": os.cpu_count(), "loadavg": load},
              "target": "RSS per gunicorn worker <= 300 MB with the city-scale model loaded", "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
