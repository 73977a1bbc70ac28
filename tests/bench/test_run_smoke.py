"""``make bench``'s harness at tiny sizes: every part runs and reports (how fast is not tested)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_the_benchmark_harness_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    proc = subprocess.run([sys.executable, "bench/run.py", "--scale", "smoke", "--repeats", "1", "--seconds", "1",
                           "--ranking-workers", "20", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    report = json.loads(out.read_text())
    assert report["sizes"] == {"workers": 300, "courses": 200, "interactions": 3000, "seed": 2019}
    assert len(report["machine"]["load_average"]) == 3
    ranking = report["ranking"]
    assert ranking["core_ms"]["median"] > 0 and ranking["ratio"]["median"] > 1 and ranking["target_ratio"] == 10
    assert report["import"]["first_s_per_1000"]["median"] > 0
    if shutil.which("wrk") is None:
        assert "skipped" in report["http"]
    else:
        endpoints = report["http"]["endpoints"]
        assert set(endpoints) == {"GET /health/live", "GET /v1/workers/{id}/recommendations",
                                  "POST /v1/recommendations (inline)", "GET /v1/courses?near (20 km)"}
        for name, e in endpoints.items():
            assert e["rps"]["median"] > 0 and e["non2xx"] == 0 and e["socket_errors"] == 0, (name, e)
        assert len(report["http"]["rss_mb_per_worker"]) == 2
    assert "ratio" in proc.stdout and "share of /health/live" in proc.stdout
