"""The dependency contracts, checked by machine: the domain and the jobs load no web framework, and
the import-linter contracts of setup.cfg hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Modules a batch job or another service may import without Flask coming along.
WEB_FREE = ["workers.importing", "policy", "recommender", "training_jobs.train", "training_jobs.push",
            "training_jobs.demo", "serving.root", "serving.recommendations", "serving.push", "serving.eligibility",
            "serving.archive", "serving.clients", "serving.why_nothing", "serving.enrolment", "access.accounts"]


@pytest.mark.parametrize("module", WEB_FREE)
def test_importing_loads_no_flask(module: str) -> None:
    code = f"import {module}, sys; assert 'flask' not in sys.modules, sorted(m for m in sys.modules if 'flask' in m)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("module", ["policy", "recommender"])
def test_domain_loads_no_database_library(module: str) -> None:
    code = f"import {module}, sys; assert 'sqlalchemy' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is a test dependency (setup.cfg)"
    done = subprocess.run([lint_imports, "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
