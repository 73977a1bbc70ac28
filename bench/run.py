"""``make bench``: the city-scale benchmark in one run, each ratio beside its target.

1. Generates the city (``bench/city.py``: 100,000 workers, 10,000 courses, 1,000,000 interactions,
   numpy, seconds) and a served model with random weights over the real feature space.
2. **Ranking core**, in-process: one worker against the whole catalog, every step (rules,
   filters, score, blend, diversity, explanations), vs the bare numpy mat-vec + top-k on the same
   arrays. Target: within 10x.
3. **HTTP** through gunicorn (2 workers x 4 threads, SQLite WAL) with ``wrk`` (16 connections,
   Lua scripts that vary ids, points and bodies): ``/health/live`` vs a stored worker's
   recommendations, inline recommendations and nearby course search. Targets: >= 50% of the
   health endpoint's throughput, p99 <= 25 ms. Then the RSS of each gunicorn worker.
4. **Catalog import** of 10,000 courses: time per 1,000 rows, first import and idempotent re-import.

Three repeats of everything; the table shows the median and the spread (min-max) and the JSON in
``bench/results/`` keeps every repeat, the machine and its load average (other work on the
machine slows every figure: read them beside it).

    python bench/run.py                 # the city (about 10 minutes)
    python bench/run.py --scale smoke   # tiny sizes: checks the harness works, not how fast
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.city import TODAY, City, Sizes, generate, random_artifact, write_database  # noqa: E402

SCALES = {"city": Sizes(), "smoke": Sizes(workers=300, courses=200, interactions=3_000)}
RESULTS = REPO / "bench" / "results"


# --------------------------------------------------------------------------- report helpers

def summary(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "repeats": values}


def spread(s: dict[str, Any], fmt: str = "{:.3g}") -> str:
    return f"{fmt.format(s['median'])} ({fmt.format(s['min'])}–{fmt.format(s['max'])})"


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(), "numpy": np.__version__,
            "load_average": os.getloadavg(), "when": datetime.now(UTC).isoformat(timespec="seconds")}


# --------------------------------------------------------------------------- ranking core

def bench_ranking(city: City, artifacts: Path, repeats: int, n_workers: int) -> dict[str, Any]:
    from policy import PolicySettings
    from policy.bulk import CourseTable
    from recommender.ranking import CourseArrays, RankingWeights
    from serving.models import ModelServing
    from serving.recommend import recommend
    from serving.snapshot import CatalogSnapshot

    items = tuple(city.courses)
    snapshot = CatalogSnapshot(version="bench", items=items, row_of={it.id: i for i, it in enumerate(items)},
                               table=CourseTable.from_courses([it.facts for it in items]),
                               arrays=CourseArrays.from_courses(items))
    serving = ModelServing(artifacts)
    artifact = serving.current()
    assert artifact is not None, "the benchmark's model did not load"
    matrix = serving.item_matrix(artifact, snapshot)
    rng = np.random.default_rng(city.sizes.seed + 2)
    rows = rng.choice(city.sizes.workers, min(n_workers, city.sizes.workers), replace=False)
    profiles = [(int(r) + 1, city.profile(int(r))) for r in rows]
    users = [artifact.model.user_vector(artifact.feature_space.user_row(p, TODAY, wid)) for wid, p in profiles]
    settings, weights = PolicySettings(), RankingWeights()

    def core() -> None:
        for wid, profile in profiles:
            recommend(snapshot, serving, profile, worker_id=wid, today=TODAY, settings=settings,
                      weights=weights, k=10)

    def bare() -> None:
        vectors, biases = matrix.vectors, matrix.biases
        for user in users:
            scores = vectors @ user.vector + biases
            top = np.argpartition(-scores, 10)[:10]
            top[np.argsort(-scores[top])]

    def per_worker_ms(fn: Callable[[], None]) -> float:
        started = time.perf_counter()
        fn()
        return (time.perf_counter() - started) / len(profiles) * 1000

    core_ms, bare_ms = [], []
    for _ in range(repeats):
        core_ms.append(per_worker_ms(core))
        bare_ms.append(per_worker_ms(bare))
    ratios = [c / b for c, b in zip(core_ms, bare_ms, strict=True)]
    return {"courses": len(items), "workers_sampled": len(profiles), "core_ms": summary(core_ms),
            "bare_ms": summary(bare_ms), "ratio": summary(ratios), "target_ratio": 10.0}


# --------------------------------------------------------------------------- HTTP with wrk

LUA = """-- generated by bench/run.py: {name}
local paths = {{ {paths} }}
local bodies = {{ {bodies} }}
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer {key}"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local i = (n * 7919) % #paths + 1
  local body = nil
  if #bodies > 0 then body = bodies[(n * 104729) % #bodies + 1] end
  return wrk.format(nil, paths[i], nil, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}}\\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def lua_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_scripts(city: City, workdir: Path, key: str, n: int = 2000) -> dict[str, Path]:
    rng = np.random.default_rng(city.sizes.seed + 3)
    workers = rng.integers(1, city.sizes.workers + 1, n)
    rows = rng.integers(0, city.sizes.workers, n)
    points = [(round(float(city.lat[r]), 2), round(float(city.lon[r]), 2)) for r in rows]
    bodies = [json.dumps({"profile": {
        "birth_date": f"{1970 + int(r) % 35}-0{1 + int(r) % 9}-01", "residence_county": city.counties[int(city.county[r])],
        "employment_status": "unemployed", "priority_groups": ["laid_off_unemployed"],
        "location": {"lat": lat, "lon": lon}}, "k": 10}) for r, (lat, lon) in zip(rows, points, strict=True)]
    specs = {
        "GET /health/live": ("GET", ["/health/live"], []),
        "GET /v1/workers/{id}/recommendations": ("GET", [f"/v1/workers/{w}/recommendations?k=10" for w in workers], []),
        "POST /v1/recommendations (inline)": ("POST", ["/v1/recommendations"], bodies),
        "GET /v1/courses?near (20 km)": ("GET", [f"/v1/courses?near={lat},{lon}&radius_km=20&per_page=20"
                                                for lat, lon in points], []),
    }
    out = {}
    for i, (name, (method, paths, body_list)) in enumerate(specs.items()):
        path = workdir / f"wrk-{i}.lua"
        path.write_text(LUA.format(name=name, method=method, key=key,
                                   paths=", ".join(lua_string(p) for p in paths),
                                   bodies=", ".join(lua_string(b) for b in body_list)))
        out[name] = path
    return out


def run_wrk(port: int, script: Path, seconds: float, connections: int) -> dict[str, Any]:
    proc = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                           "-s", str(script), f"http://127.0.0.1:{port}"],
                          capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH "))
    r = json.loads(line[len("BENCH "):])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def child_pids(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                out.append(int(entry.name))
    return out


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_http(city: City, workdir: Path, repeats: int, seconds: float, connections: int) -> dict[str, Any]:
    from bench.load import free_port, make_keys, start_server, stop_server

    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    secret = secrets.token_urlsafe(48)
    keys = make_keys(workdir, secret)
    scripts = wrk_scripts(city, workdir, keys["admin"])
    port = free_port()
    # Recycling (max_requests) would restart a worker every few seconds at these rates, and a
    # cold worker loads the city's model and catalog first: measured apart (cold_start_s), not here.
    os.environ["RECO_MAX_REQUESTS"] = "0"
    started = time.perf_counter()
    server = start_server(workdir, secret, port, workers=2, threads=4)
    try:
        ready_s = time.perf_counter() - started
        for script in scripts.values():  # warm every worker's caches (snapshot, model, item matrix)
            run_wrk(port, script, 1, connections)
        cold_s = time.perf_counter() - started
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in scripts}
        for _ in range(repeats):  # side by side in one run, endpoint after endpoint
            for name, script in scripts.items():
                runs[name].append(run_wrk(port, script, seconds, connections))
        workers = sorted(child_pids(server.pid))
        rss = [rss_mb(pid) for pid in workers]
    finally:
        stop_server(server)
    health = [r["rps"] for r in runs["GET /health/live"]]
    table = {}
    for name, results in runs.items():
        table[name] = {
            "rps": summary([r["rps"] for r in results]),
            "share_of_health": summary([r["rps"] / h for r, h in zip(results, health, strict=True)]),
            "p99_ms": summary([r["p99_us"] / 1000 for r in results]),
            "p50_ms": summary([r["p50_us"] / 1000 for r in results]),
            "non2xx": sum(r["non2xx"] for r in results), "socket_errors": sum(r["socket_errors"] for r in results)}
    return {"connections": connections, "seconds_each": seconds, "gunicorn": "2 workers x 4 threads, no recycling",
            "ready_s": ready_s, "warm_s": cold_s,
            "endpoints": table, "targets": {"share_of_health": 0.5, "p99_ms": 25.0},
            "rss_mb_per_worker": rss}


# --------------------------------------------------------------------------- catalog import

def catalog_dir(target: Path, n_courses: int) -> Path:
    """The published reference data plus ``n_courses`` valid courses (sample rows, new codes)."""
    data = REPO / "catalog" / "data"
    target.mkdir(parents=True, exist_ok=True)
    for f in data.glob("*.csv"):
        if f.name != "courses.csv":
            shutil.copy(f, target / f.name)
    with open(data / "courses.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, sample = list(reader.fieldnames or ()), list(reader)
    with open(target / "courses.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for i in range(n_courses):
            writer.writerow({**sample[i % len(sample)], "code": f"YC-BENCH-{i:06d}"})
    return target


def bench_import(workdir: Path, n_courses: int, repeats: int) -> dict[str, Any]:
    from catalog.importing import apply, expand_paths, plan
    from storage.engine import make_engine
    from storage.migrate import upgrade
    from storage.session import make_session_factory, writing

    source = catalog_dir(workdir / "catalog", n_courses)
    first, again = [], []
    for r in range(repeats):
        engine = make_engine(f"sqlite:///{workdir / f'import-{r}.sqlite3'}")
        upgrade(engine)
        sessions = make_session_factory(engine)
        for times in (first, again):
            started = time.perf_counter()
            with writing(sessions) as session:
                apply(session, plan(session, expand_paths([source])))
            times.append((time.perf_counter() - started) / n_courses * 1000)
        engine.dispose()
    return {"courses": n_courses, "first_s_per_1000": summary(first), "reimport_s_per_1000": summary(again)}


# --------------------------------------------------------------------------- main

def print_table(report: dict[str, Any]) -> None:
    print(f"\nmachine: {report['machine']['cpus']} CPUs, load average before {report['machine']['load_average']}, "
          f"after {report['load_average_after']}")
    print(f"data: {report['sizes']} generated in {report['generate_s']:.1f} s; database written in "
          f"{sum(report['write_s'].values()):.1f} s {report['write_s']}")
    r = report.get("ranking")
    if r:
        print("\n| ranking core, one worker vs all courses | ms per worker, median (min–max) | target |")
        print("|---|---|---|")
        print(f"| all steps (rules, filters, score, blend, diversity, reasons) | {spread(r['core_ms'])} | |")
        print(f"| bare numpy mat-vec + top-k | {spread(r['bare_ms'])} | |")
        ok = "met" if r["ratio"]["median"] <= r["target_ratio"] else "NOT met"
        print(f"| **ratio** | {spread(r['ratio'])}x | <= {r['target_ratio']:.0f}x ({ok}) |")
    h = report.get("http")
    if h and "endpoints" in h:
        print(f"\n| HTTP, {h['connections']} connections, {h['seconds_each']} s each | req/s | share of /health/live "
              f"(target >= 50%) | p99 ms (target <= 25) | non-2xx |")
        print("|---|---|---|---|---|")
        for name, e in h["endpoints"].items():
            print(f"| {name} | {spread(e['rps'], '{:.0f}')} | {spread(e['share_of_health'], '{:.0%}')} | "
                  f"{spread(e['p99_ms'], '{:.1f}')} | {e['non2xx'] + e['socket_errors']} |")
        print(f"\nRSS per gunicorn worker (MB): {[round(x) for x in h['rss_mb_per_worker']]}; server ready in "
              f"{h['ready_s']:.1f} s, both workers warm (model, catalog) {h['warm_s']:.1f} s after start")
    elif h:
        print(f"\nHTTP: {h.get('skipped')}")
    i = report.get("import")
    if i:
        print(f"\n| catalog import, {i['courses']} courses | s per 1,000 rows |")
        print("|---|---|")
        print(f"| first import | {spread(i['first_s_per_1000'])} |")
        print(f"| idempotent re-import | {spread(i['reimport_s_per_1000'])} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="city")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="wrk seconds per endpoint and repeat")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--ranking-workers", type=int, default=200, help="workers ranked per repeat")
    parser.add_argument("--only", action="append", choices=["ranking", "http", "import"],
                        help="run only these parts (repeatable)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the data here (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=None, help="JSON report (default bench/results/run-<scale>.json)")
    args = parser.parse_args(argv)
    parts = set(args.only or ["ranking", "http", "import"])
    sizes = SCALES[args.scale]
    report: dict[str, Any] = {"scale": args.scale, "sizes": sizes.__dict__, "machine": machine()}
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="reco-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        city = generate(sizes)
        report["generate_s"] = city.generate_seconds
        marker, wanted = workdir / "prepared.json", json.dumps(sizes.__dict__)
        if "http" not in parts:
            report["write_s"] = {}
        elif args.workdir is not None and marker.exists() and marker.read_text() == wanted:
            report["write_s"] = {"reused": 0.0}  # the same sizes and seed: the same data
        else:
            marker.unlink(missing_ok=True)
            for stale in ("reco.sqlite3", "reco.sqlite3-wal", "reco.sqlite3-shm"):
                (workdir / stale).unlink(missing_ok=True)
            report["write_s"] = write_database(city, f"sqlite:///{workdir / 'reco.sqlite3'}")
            marker.write_text(wanted)
        started = time.perf_counter()
        report["model_version"] = random_artifact(city, workdir / "artifacts")
        report["write_s"]["model_s"] = time.perf_counter() - started
        if "ranking" in parts:
            report["ranking"] = bench_ranking(city, workdir / "artifacts", args.repeats, args.ranking_workers)
        if "http" in parts:
            report["http"] = bench_http(city, workdir, args.repeats, args.seconds, args.connections)
        if "import" in parts:
            report["import"] = bench_import(workdir, sizes.courses, args.repeats)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    report["load_average_after"] = os.getloadavg()
    out = args.out or RESULTS / f"run-{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str))
    print_table(report)
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
