"""/metrics under real gunicorn (2 workers): every worker's requests are counted, a scrape from
either worker adds them up, and the endpoint answers only an admin key or the scrape token."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.mmap_dict import MmapedDict

from tests.faults.conftest import SERVER_SECRET, Gunicorn, prepare_database

ROUTE = "/v1/reference/counties"
N = 40
MAX_SENT = 800
TOKEN = "scrape-" + "k3Jd8Qw2" * 4


def counted(text: str, route: str) -> float:
    pattern = re.compile(r'^reco_http_requests_total\{([^}]*)\} ([0-9.e+]+)$', re.M)
    return sum(float(value) for labels, value in pattern.findall(text) if f'route="{route}"' in labels)


def per_worker(directory: Path, route: str) -> dict[int, float]:
    """What each worker process wrote for ``route`` (the files a scrape adds up)."""
    out: dict[int, float] = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            if '"reco_http_requests_total"' in key and f'"route": "{route}"' in key:
                out[pid] = out.get(pid, 0.0) + value
    return out


@pytest.mark.slow
def test_metrics_from_both_workers_add_up(tmp_path: Path, gunicorn_factory: Callable[..., Gunicorn]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    p = prepare_database(url, SERVER_SECRET)
    server = gunicorn_factory(url, workers=2, RECO_METRICS_TOKEN=TOKEN)
    admin = p.auth(p.admin)

    assert requests.get(f"{server.base}/metrics", timeout=10).status_code == 401
    assert requests.get(f"{server.base}/metrics", headers=p.auth(p.counselor), timeout=10).status_code == 401
    before = counted(requests.get(f"{server.base}/metrics", headers=admin, timeout=10).text, ROUTE)

    def send(_i: int) -> int:
        # A fresh connection each time, from 8 threads, so both workers take some.
        return requests.get(f"{server.base}{ROUTE}", headers={**admin, "Connection": "close"},
                            timeout=30).status_code

    # Batches until both workers took some (one often takes all: connections pile onto one
    # worker), within a bound.
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        while sent < MAX_SENT:
            assert list(pool.map(send, range(N))) == [200] * N
            sent += N
            if len(per_worker(tmp_path / "prometheus", ROUTE)) == 2:
                break

    for headers in (admin, {"Authorization": f"Bearer {TOKEN}"}):  # answered by either worker
        text = requests.get(f"{server.base}/metrics", headers=headers, timeout=10).text
        assert counted(text, ROUTE) - before == sent
        assert "reco_http_request_duration_seconds_bucket" in text
    workers = per_worker(tmp_path / "prometheus", ROUTE)
    assert set(workers) <= server.workers() and len(workers) == 2, workers  # both workers served
    assert sum(workers.values()) - before == sent
