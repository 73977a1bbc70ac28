"""Load test: recommendations, course search and events at once, on a city-sized population.

1. Prepares a database in a work directory: the published reference data (counties, job centers,
   occupations, shortage lists) from ``catalog/data``, a synthetic catalog of ``--courses``
   courses from :func:`training_jobs.synthetic.generate_courses` written as catalog rows, a
   synthetic population of ``--workers`` workers with their events from
   :func:`training_jobs.synthetic.generate_population`, and a trained model artifact.
   With ``--workdir DIR`` a database prepared before (same sizes and seed) is reused.
2. Starts gunicorn on 127.0.0.1 (2 workers, one BLAS thread each; rate limiting off).
3. Runs ``--clients`` concurrent clients (plain threads, one keep-alive connection each) for
   ``--duration`` seconds after ``--warmup`` seconds not counted, each picking an operation by
   weight: a registered worker's recommendations, an inline profile's recommendations, a course
   search near a point with filters, and a batch of events.
4. Prints requests/s, p50/p95/p99 per endpoint and overall and the error count, and writes
   ``bench/results/load.json``. Exits 1 if any request failed.

    python bench/load.py                 # 3 minutes, 100,000 workers, 10,000 courses
    python bench/load.py --duration 20   # smoke run

All traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "load.json"
TODAY = date(2026, 11, 29)
SYNTHETIC_INSTITUTION_PREFIX = "SYN-"
# Operation mix: (name, weight). The names are the report's rows.
MIX = (("GET /v1/workers/{id}/recommendations", 35), ("POST /v1/recommendations", 15),
       ("GET /v1/courses", 30), ("POST /v1/events", 20))


# --------------------------------------------------------------------------- preparation

def write_synthetic_catalog(session: Any, courses: list[Any]) -> int:
    """Write generated CourseItems (and their occupations and institutions) as catalog rows.

    The reference data (counties, job centers, occupations, shortage lists) must be imported
    first. The published sample courses are removed so the catalog is the generated one; course
    ids are kept (``1..n``) so events and the model refer to the same ids.
    """
    from sqlalchemy import delete, insert, select

    from catalog.tables import Course, Institution, Occupation
    from training_jobs.synthetic import OCC_BY_CODE

    session.execute(delete(Course))
    known = set(session.scalars(select(Occupation.code)))
    missing = [
        {"code": o.code, "name_zh": o.name_zh, "name_en": o.name_en, "category": o.category,
         "access_restricted": o.access_restricted, "special_operation": o.special_operation,
         "levels": [lv for lv in o.levels if lv is not None]}
        for o in OCC_BY_CODE.values() if o.code not in known]
    if missing:
        session.execute(insert(Occupation), missing)
    institutions: dict[str, dict[str, Any]] = {}
    for c in courses:
        code = SYNTHETIC_INSTITUTION_PREFIX + c.institution_code
        institutions.setdefault(code, {
            "code": code, "name_zh": c.institution_name_zh, "name_en": f"Synthetic institution {code}",
            "type": "private_institution" if int(code[-3:]) % 2 else "technical_school", "county": c.facts.county,
            "address": f"{c.facts.county} (synthetic)", "lat": c.lat, "lon": c.lon,
            "credit_rating": c.institution_credit_rating, "disability_base": False, "phone": ""})
    session.execute(insert(Institution), list(institutions.values()))
    inst_ids = {code: iid for code, iid in session.execute(select(Institution.code, Institution.id))}
    rows = []
    for c in courses:
        f = c.facts
        hours = int(f.extra.get("hours", 80))
        online = hours if f.delivery_mode == "online" else hours // 2 if f.delivery_mode == "hybrid" else 0
        seats = max(c.seats_left, 20)
        rows.append({
            "id": c.id, "code": f"SYN-{c.id:06d}", "title_zh": c.title_zh, "title_en": c.title_en,
            "institution_id": inst_ids[SYNTHETIC_INSTITUTION_PREFIX + c.institution_code],
            "occupation_code": f.occupation_code, "level": f.level, "training_type": f.training_type,
            "certificate_type": f.certificate_type, "hours": hours, "online_hours": online,
            "start_date": f.start_date, "end_date": f.end_date, "enrol_deadline": c.enrol_deadline,
            "seats": seats, "seats_taken": seats - c.seats_left, "county": f.county,
            "address": f"{f.county} (synthetic)", "lat": c.lat, "lon": c.lon,
            "delivery_mode": f.delivery_mode, "subsidy_cny": int(f.subsidy_cny),
            "target_groups": sorted(f.target_groups), "free_for_key_groups": f.free_for_key_groups,
            "accessible": "disabled" in f.target_groups, "project_based": f.project_based,
        })
    for start in range(0, len(rows), 5000):
        session.execute(insert(Course), rows[start:start + 5000])
    return len(rows)


def replicate(workers: dict[int, Any], centers: dict[int, str | None], events: list[Any],
              n_workers: int) -> tuple[dict[int, Any], dict[int, str | None], list[Any]]:
    """Copies of generated people (new ids, same profile and history) up to ``n_workers``."""
    from dataclasses import replace

    base = sorted(workers)
    span = max(base)
    by_worker: dict[int, list[Any]] = {}
    for e in events:
        by_worker.setdefault(e.worker_id, []).append(e)
    out_w, out_c, out_e = dict(workers), dict(centers), list(events)
    copy = 1
    while len(out_w) < n_workers:
        for wid in base:
            if len(out_w) >= n_workers:
                break
            new = wid + copy * span
            out_w[new] = workers[wid]
            out_c[new] = centers.get(wid)
            out_e.extend(replace(e, worker_id=new) for e in by_worker.get(wid, ()))
        copy += 1
    return out_w, out_c, out_e


def prepare(workdir: Path, n_workers: int, n_courses: int, seed: int, epochs: int,
            distinct_workers: int) -> dict[str, Any]:
    """Build the database and the model in ``workdir``; return timings and sizes."""
    from sqlalchemy import func, select

    from catalog.importing import apply, expand_paths, plan
    from recommender.model import ModelParams
    from storage.engine import make_engine
    from storage.migrate import upgrade
    from storage.session import make_session_factory, writing
    from training_jobs.dataset import catalog_items, load_training_data
    from training_jobs.demo_population import write_population
    from training_jobs.synthetic import generate_courses, generate_population
    from training_jobs.train import run_training
    from workers.tables import Event, Worker

    marker = workdir / "prepared.json"
    wanted = {"workers": n_workers, "courses": n_courses, "seed": seed, "epochs": epochs,
              "distinct_workers": distinct_workers, "today": TODAY.isoformat()}
    if marker.exists():
        info = json.loads(marker.read_text())
        if all(info.get(k) == v for k, v in wanted.items()):
            print(f"reusing the database prepared in {workdir} ({info['prepare_seconds']:.0f} s to make)")
            return {**info, "reused": True}
    for stale in ("reco.sqlite3", "reco.sqlite3-wal", "reco.sqlite3-shm"):
        (workdir / stale).unlink(missing_ok=True)
    shutil.rmtree(workdir / "artifacts", ignore_errors=True)

    timings: dict[str, float] = {}
    t0 = t = time.perf_counter()
    engine = make_engine(f"sqlite:///{workdir / 'reco.sqlite3'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    with writing(sessions) as session:
        apply(session, plan(session, expand_paths([REPO / "catalog" / "data"])))
        courses = generate_courses(n_courses, seed, TODAY)
        write_synthetic_catalog(session, courses)
    timings["catalog_s"] = time.perf_counter() - t
    t = time.perf_counter()
    with writing(sessions) as session:
        items = catalog_items(session, TODAY)
        print(f"generating {min(n_workers, distinct_workers)} distinct workers over {len(items)} courses "
              f"for a population of {n_workers} …", flush=True)
        # The generator's cost grows with workers × courses (about 45 minutes for 100,000 × 10,000
        # on 2 cores), so ``distinct`` people are generated and the population is made of copies
        # of them with their histories: the service sees n_workers workers and their events.
        distinct = min(n_workers, distinct_workers)
        workers, centers, events = generate_population(items, distinct, seed, TODAY)
        if distinct < n_workers:
            workers, centers, events = replicate(workers, centers, events, n_workers)
        timings["generate_s"] = time.perf_counter() - t
        t = time.perf_counter()
        write_population(session, workers, centers, events, progress=False)
    timings["write_population_s"] = time.perf_counter() - t
    t = time.perf_counter()
    with sessions() as session:
        data = load_training_data(session, TODAY, progress=False)
        n_events = session.scalar(select(func.count(Event.id))) or 0
        n_w = session.scalar(select(func.count(Worker.id))) or 0
    # Fewer epochs than the service's default: the load test measures serving, and training three
    # models on ~1.7M events at the default 40 epochs would take longer than the test itself.
    params = ModelParams.from_mapping({**ModelParams().to_dict(), "epochs": epochs})
    result = run_training(data, params, workdir / "artifacts", today=TODAY, progress=False)
    timings["train_s"] = time.perf_counter() - t
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    info = {**wanted, "workers_written": n_w, "events_written": n_events,
            "model_version": result.version, "model_promoted": result.promoted,
            "timings": {k: round(v, 1) for k, v in timings.items()},
            "prepare_seconds": round(time.perf_counter() - t0, 1)}
    marker.write_text(json.dumps(info, indent=1))
    return {**info, "reused": False}


def make_keys(workdir: Path, secret: str) -> dict[str, str]:
    from access.keys import create_key
    from storage.engine import make_engine
    from storage.session import make_session_factory, writing

    engine = make_engine(f"sqlite:///{workdir / 'reco.sqlite3'}")
    with writing(make_session_factory(engine)) as session:
        keys = {role: create_key(session, secret, role, name=f"load {role}")[1] for role in ("admin", "app")}
    engine.dispose()
    return keys


def load_targets(workdir: Path) -> tuple[list[int], list[int], list[tuple[float, float]]]:
    from sqlalchemy import select

    from catalog.tables import Course
    from storage.engine import make_engine
    from workers.tables import Worker

    engine = make_engine(f"sqlite:///{workdir / 'reco.sqlite3'}")
    with engine.connect() as conn:
        worker_ids = list(conn.scalars(select(Worker.id)))
        course_ids = list(conn.scalars(select(Course.id)))
        points = [(lat, lon) for lat, lon in conn.execute(
            select(Worker.lat, Worker.lon).where(Worker.lat.is_not(None)).limit(5000))]
    engine.dispose()
    return worker_ids, course_ids, points


# --------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workdir: Path, secret: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {**os.environ,
           "DATABASE_URL": f"sqlite:///{workdir / 'reco.sqlite3'}",
           "RECO_SECRET_KEY": secret, "RECO_ARTIFACTS_DIR": str(workdir / "artifacts"),
           "RECO_INSTANCE_DIR": str(workdir), "RECO_BIND": f"127.0.0.1:{port}",
           "RECO_WORKERS": str(workers), "RECO_THREADS": str(threads),
           "RECO_RATE_LIMIT_ENABLED": "false", "RECO_TODAY": TODAY.isoformat(),
           "RECO_LOG_LEVEL": "warning", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"),
                             "--access-logfile", str(workdir / "access.log"), "wsgi:app"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {workdir / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/ready")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("gunicorn did not become ready within 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- driver

@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name, _ in MIX})
    errors: dict[str, int] = field(default_factory=lambda: {name: 0 for name, _ in MIX})
    error_samples: list[str] = field(default_factory=list)


INTERESTS = ("digital", "modern_services", "advanced_manufacturing", "agriculture", "safety", "business")
GROUPS = ("enterprise_employee", "rural_migrant", "unemployed_graduate", "veteran", "professional_farmer",
          "high_risk_worker", "entrepreneur", "laid_off_unemployed")


def build_request(op: str, rng: random.Random, targets: dict[str, Any]) -> tuple[str, str, bytes | None]:
    if op == "GET /v1/workers/{id}/recommendations":
        wid = rng.choice(targets["workers"])
        return "GET", f"/v1/workers/{wid}/recommendations?k=10", None
    if op == "POST /v1/recommendations":
        lat, lon = rng.choice(targets["points"])
        profile = {"birth_date": f"{rng.randint(1965, 2004)}-0{rng.randint(1, 9)}-15",
                   "education": rng.choice(["junior_high", "senior_high", "secondary_vocational", "junior_college"]),
                   "residence_county": rng.choice(["tinghu", "yandu", "dafeng", "dongtai", "funing"]),
                   "employment_status": rng.choice(["employed", "unemployed"]),
                   "priority_groups": [rng.choice(GROUPS)], "location": {"lat": lat, "lon": lon},
                   "interests": rng.sample(INTERESTS, 2), "online_ok": True}
        return "POST", "/v1/recommendations", json.dumps({"profile": profile, "k": 10}).encode()
    if op == "GET /v1/courses":
        lat, lon = rng.choice(targets["points"])
        query = f"near={lat:.2f},{lon:.2f}&radius_km={rng.choice([5, 10, 20, 30])}&per_page=20"
        extra = rng.choice(["", "&has_open_seats=true", "&training_type=skill_upgrade",
                            "&category=digital", "&delivery_mode=offline", "&starts_after=2026-11-01"])
        return "GET", f"/v1/courses?{query}{extra}", None
    events = [{"worker_id": rng.choice(targets["workers"]), "course_id": rng.choice(targets["courses"]),
               "kind": rng.choice(["view", "view", "view", "click", "save", "dismiss"]),
               "client_event_id": uuid.uuid4().hex} for _ in range(rng.randint(1, 5))]
    return "POST", "/v1/events", json.dumps({"events": events}).encode()


def client_loop(port: int, key: str, targets: dict[str, Any], seed: int, start_at: float, stop_at: float,
                tally: Tally, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    names = [name for name, _ in MIX]
    weights = [w for _, w in MIX]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Connection": "keep-alive"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    local: dict[str, list[float]] = {n: [] for n in names}
    local_err: dict[str, int] = {n: 0 for n in names}
    samples: list[str] = []
    while (now := time.perf_counter()) < stop_at:
        op = rng.choices(names, weights)[0]
        method, path, body = build_request(op, rng, targets)
        t = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            ok = 200 <= resp.status < 300
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except (OSError, http.client.HTTPException) as exc:
            ok, payload = False, repr(exc).encode()
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = time.perf_counter() - t
        if now < start_at:
            continue  # warm-up: not counted
        local[op].append(elapsed)
        if not ok:
            local_err[op] += 1
            if len(samples) < 5:
                samples.append(f"{method} {path.split('?')[0]}: {payload[:300]!r}")
    conn.close()
    with lock:
        for n in names:
            tally.latencies[n].extend(local[n])
            tally.errors[n] += local_err[n]
        tally.error_samples.extend(samples)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    idx = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[idx]


def summarize(tally: Tally, seconds: float) -> list[dict[str, Any]]:
    rows = []
    everything: list[float] = []
    for name, _ in MIX:
        values = sorted(tally.latencies[name])
        everything.extend(values)
        rows.append(_row(name, values, tally.errors[name], seconds))
    rows.append(_row("overall", sorted(everything), sum(tally.errors.values()), seconds))
    return rows


def _row(name: str, values: list[float], errors: int, seconds: float) -> dict[str, Any]:
    return {"endpoint": name, "requests": len(values), "rps": round(len(values) / seconds, 1),
            "p50_ms": round(percentile(values, 50) * 1000, 1), "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1), "errors": errors}


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'endpoint':<40} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in rows:
        print(f"{r['endpoint']:<40} {r['requests']:>9} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} "
              f"{r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['errors']:>7}")


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=180.0, help="Measured seconds (default 180)")
    parser.add_argument("--warmup", type=float, default=5.0, help="Seconds of traffic not counted")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent clients")
    parser.add_argument("--workers", type=int, default=100_000, help="Synthetic workers")
    parser.add_argument("--courses", type=int, default=10_000, help="Synthetic courses")
    parser.add_argument("--distinct-workers", type=int, default=5_000,
                        help="People actually generated; the population is copies of them (default 5000)")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--epochs", type=int, default=5, help="Training epochs (default 5)")
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--server-threads", type=int, default=4, help="Threads per gunicorn worker")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="Keep (and reuse) the prepared database here instead of a temp dir")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.duration > 3600:
        parser.error("--duration must be within (0, 3600] seconds")

    temp = None
    if args.workdir is None:
        temp = tempfile.mkdtemp(prefix="reco-load-")
        workdir = Path(temp)
    else:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        info = prepare(workdir, args.workers, args.courses, args.seed, args.epochs, args.distinct_workers)
        print(f"database: {info['workers_written']} workers, {info['events_written']} events, "
              f"{args.courses} courses; model {info['model_version']} "
              f"({'promoted' if info['model_promoted'] else 'not promoted'}); "
              f"prepared in {info['prepare_seconds']:.0f} s {info['timings']}", flush=True)
        secret = secrets.token_urlsafe(48)
        keys = make_keys(workdir, secret)
        worker_ids, course_ids, points = load_targets(workdir)
        targets = {"workers": worker_ids, "courses": course_ids, "points": points}
        port = free_port()
        server = start_server(workdir, secret, port, args.server_workers, args.server_threads)
        try:
            tally, lock = Tally(), threading.Lock()
            begin = time.perf_counter()
            start_at, stop_at = begin + args.warmup, begin + args.warmup + args.duration
            # The mobile app is most of the traffic; an admin key stands in for counselors.
            threads = [threading.Thread(target=client_loop, daemon=True,
                                        args=(port, keys["app"] if i % 4 else keys["admin"], targets,
                                              args.seed * 1000 + i, start_at, stop_at, tally, lock))
                       for i in range(args.clients)]
            print(f"driving 127.0.0.1:{port} with {args.clients} clients for {args.duration:.0f} s "
                  f"(+{args.warmup:.0f} s warm-up) …", flush=True)
            for th in threads:
                th.start()
            for th in threads:
                th.join(args.warmup + args.duration + 60)
        finally:
            stop_server(server)
        rows = summarize(tally, args.duration)
        print_table(rows)
        total_errors = rows[-1]["errors"]
        for sample in tally.error_samples[:5]:
            print(f"  error: {sample}")
        report = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "duration_s": args.duration, "warmup_s": args.warmup, "clients": args.clients,
            "server": {"workers": args.server_workers, "threads": args.server_threads, "worker_class": "gthread",
                       "database": "sqlite (WAL)", "rate_limit": "disabled"},
            "mix": dict(MIX),
            "population": {"workers": info["workers_written"], "courses": args.courses,
                           "events": info["events_written"], "seed": args.seed},
            "model": {"version": info["model_version"], "promoted": info["model_promoted"]},
            "prepare": {"seconds": info["prepare_seconds"], "reused": info["reused"], **info["timings"]},
            "results": rows, "errors": total_errors,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {args.out}")
        return 1 if total_errors else 0
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
