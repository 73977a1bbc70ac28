"""How long profile reads stall while a big worker import runs (issue 10).

Builds a SQLite database with the sample catalog and a few workers, writes an N-row workers.csv,
starts ``flask workers import`` in a subprocess (one all-or-nothing transaction), and meanwhile
reads one profile at a time (``GET /v1/workers/{id}``, an audited read) through the app's test
client, recording each read's latency. Prints the import's duration and the reads' max/p99.

    python bench/import_reader_stall.py --rows 8000

Run from a checkout; it uses only that checkout's code, so it measures before and after a change.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path.cwd()
sys.path.insert(0, str(REPO))

SECRET = "stall-" + "Zq8Lm3Wp" * 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8000)
    args = parser.parse_args()

    from access.keys import create_key
    from api.app import create_app
    from catalog.importing import apply, expand_paths, plan
    from storage.engine import make_engine
    from storage.migrate import upgrade
    from storage.session import make_session_factory, writing
    from workers.service import create_worker

    tmp = Path(tempfile.mkdtemp(prefix="stall-"))
    url = f"sqlite:///{tmp / 'db.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with writing(factory) as session:
        apply(session, plan(session, expand_paths([REPO / "catalog" / "data"])))
    with writing(factory) as session:
        key = create_key(session, SECRET, "counselor", job_center_code="JC-TINGHU")[1]
        ids = [create_worker(session, None, {"job_center": "JC-TINGHU", "name": f"w{i}", "residence_county": "tinghu",
                                             "birth_date": date(1980, 1, 1)}, secret_key=SECRET,
                             today=date(2026, 11, 29)).id for i in range(8)]
    engine.dispose()

    csv_path = tmp / "workers.csv"
    with csv_path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["job_center", "external_ref", "name", "phone", "birth_date", "residence_county",
                    "employment_status", "priority_groups"])
        for i in range(args.rows):
            w.writerow(["JC-TINGHU", f"STALL-{i:06d}", f"导入{i}", f"139{i:08d}", "1985-03-01", "tinghu",
                        "unemployed", "laid_off_unemployed"])

    env = {**os.environ, "DATABASE_URL": url, "RECO_SECRET_KEY": SECRET, "RECO_INSTANCE_DIR": str(tmp),
           "RECO_TODAY": "2026-11-29", "RECO_LOG_LEVEL": "WARNING"}
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "INSTANCE_DIR": str(tmp), "TODAY": "2026-11-29",
                      "RATELIMIT_ENABLED": False, "ARTIFACTS_DIR": str(tmp / "artifacts")})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get(f"/v1/workers/{ids[0]}", headers=headers).status_code == 200

    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "workers", "import", str(csv_path)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    i = 0
    while proc.poll() is None and time.monotonic() - started < 600:
        t = time.monotonic()
        status = client.get(f"/v1/workers/{ids[i % len(ids)]}", headers=headers).status_code
        latencies.append(time.monotonic() - t)
        statuses[status] = statuses.get(status, 0) + 1
        i += 1
        time.sleep(0.01)
    err = proc.communicate()[1].decode(errors="replace")
    took = time.monotonic() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan")
    print(f"import of {args.rows} rows: {took:.1f} s (exit {proc.returncode}); {len(latencies)} profile reads "
          f"meanwhile, statuses {statuses}, max {max(latencies or [0]) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    if proc.returncode:
        print(err[-2000:])
    app.services.close() if hasattr(app.services, "audit_trail") else app.services.engine.dispose()


if __name__ == "__main__":
    main()
