"""The operator commands, run through Flask's CLI runner, and the jobs run as plain Python modules
against a database without the web app."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from access.tables import ApiKey
from api.context import RecoApp
from tests.api.conftest import Keys, load_sample_catalog
from tests.conftest import REPO, TEST_SECRET


def services(app: Flask) -> RecoApp:
    assert isinstance(app, RecoApp)
    return app


def test_db_upgrade_reports_the_revision(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("schema at ") and "(sqlite)" in result.output
    assert "None" not in result.output


def test_keys_create_list_revoke(app: Flask, client: FlaskClient, catalog_template: Path) -> None:
    load_sample_catalog(app, catalog_template)
    runner = app.test_cli_runner()
    created = runner.invoke(args=["keys", "create", "--role", "counselor", "--job-center", "JC-TINGHU",
                                  "--name", "desk 3"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("reco_")
    auth = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/workers", headers=auth).status_code == 200

    listed = runner.invoke(args=["keys", "list"])
    assert listed.exit_code == 0
    with services(app).services.sessions() as session:
        prefix = session.scalars(select(ApiKey.prefix)).one()
    assert prefix in listed.output and "counselor" in listed.output and "desk 3" in listed.output
    assert key not in listed.output  # never the key itself

    revoked = runner.invoke(args=["keys", "revoke", prefix])
    assert revoked.exit_code == 0 and f"revoked {prefix}" in revoked.output
    assert client.get("/v1/workers", headers=auth).status_code == 401
    assert "revoked" in runner.invoke(args=["keys", "list"]).output


def test_keys_refuse_bad_requests(app: Flask, catalog_template: Path) -> None:
    load_sample_catalog(app, catalog_template)
    runner = app.test_cli_runner()
    no_center = runner.invoke(args=["keys", "create", "--role", "counselor"])
    assert no_center.exit_code == 2 and "job" in no_center.output.lower()
    unknown = runner.invoke(args=["keys", "revoke", "reco_nope"])
    assert unknown.exit_code == 2 and "no key with prefix" in unknown.output


def test_demo_keys_work_and_the_file_is_private(app: Flask, client: FlaskClient, catalog_template: Path,
                                                tmp_path: Path) -> None:
    load_sample_catalog(app, catalog_template)
    out = tmp_path / "keys" / "demo-keys.env"
    result = app.test_cli_runner().invoke(args=["demo", "keys", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    keys = dict(line.split("=", 1) for line in out.read_text().split())
    assert set(keys) == {"RECO_DEMO_ADMIN_KEY", "RECO_DEMO_COUNSELOR_KEY", "RECO_DEMO_APP_KEY",
                         "RECO_DEMO_CONSOLE_USER", "RECO_DEMO_CONSOLE_PASSWORD"}  # and a console account
    for name, allowed in (("RECO_DEMO_ADMIN_KEY", 200), ("RECO_DEMO_COUNSELOR_KEY", 200), ("RECO_DEMO_APP_KEY", 403)):
        resp = client.get("/v1/workers", headers={"Authorization": f"Bearer {keys[name]}"})
        assert resp.status_code == allowed, name


def test_demo_populate_needs_a_catalog_then_runs_once(app: Flask, catalog_template: Path) -> None:
    runner = app.test_cli_runner()
    empty = runner.invoke(args=["demo", "populate", "--workers", "20"])
    assert empty.exit_code == 2 and "import the catalog first" in empty.output
    load_sample_catalog(app, catalog_template)
    first = runner.invoke(args=["demo", "populate", "--workers", "20", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert "demo population: 20 workers," in first.output
    again = runner.invoke(args=["demo", "populate", "--workers", "20"])
    assert again.exit_code == 0 and "already present (20 workers)" in again.output


def test_train_without_events_says_so(app: Flask, catalog_template: Path) -> None:
    load_sample_catalog(app, catalog_template)
    result = app.test_cli_runner().invoke(args=["train"])
    assert result.exit_code == 0, result.output
    assert "0 interactions" in result.output and "ranks by rules" in result.output
    assert not Path(services(app).services.artifacts_dir, "CURRENT").exists()


@pytest.mark.slow
def test_train_and_push_plan_commands(app: Flask, client: FlaskClient, keys: Keys, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "populate", "--workers", "60", "--seed", "4"]).exit_code == 0
    trained = runner.invoke(args=["train", "--epochs", "3", "--components", "8"])
    assert trained.exit_code == 0, trained.output
    assert "training on 60 workers" in trained.output and "| hybrid |" in trained.output
    assert "report: " in trained.output

    # Push the first course of some opted-in worker's own list: the plan must reach that worker.
    opted = client.get("/v1/workers?per_page=100", headers=keys.as_admin).get_json()["items"]
    worker = next(w for w in opted if w["push_opt_in"]
                  and client.get(f"/v1/workers/{w['id']}/recommendations?k=5", headers=keys.as_admin)
                  .get_json()["items"])
    top = client.get(f"/v1/workers/{worker['id']}/recommendations?k=5", headers=keys.as_admin).get_json()
    course_id = top["items"][0]["course"]["id"]
    out = tmp_path / "plan" / "push.jsonl"
    planned = runner.invoke(args=["push", "plan", "--course", str(course_id), "--top", "5", "--per-seat", "0",
                                  "--out", str(out)])
    assert planned.exit_code == 0, planned.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {"worker_id": worker["id"], "course_id": course_id} in [
        {"worker_id": line["worker_id"], "course_id": line["course_id"]} for line in lines]
    assert f"{len(lines)} pushes planned" in planned.output

    unknown = runner.invoke(args=["push", "plan", "--course", "NO-SUCH-COURSE", "--out", str(out)])
    assert unknown.exit_code == 2 and "unknown course" in unknown.output
    assert out.read_text(encoding="utf-8").count("\n") == len(lines)  # the earlier plan is intact


def _job(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a job in a fresh interpreter, then check the web app was never imported."""
    script = f"import sys\n{code}\nassert 'flask' not in sys.modules, 'the job imported Flask'\nsys.exit(rc)\n"
    return subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.mark.slow
def test_jobs_run_against_a_database_without_the_web_app(app: Flask, keys: Keys, tmp_path: Path) -> None:
    assert app.test_cli_runner().invoke(args=["demo", "populate", "--workers", "60", "--seed", "8"]).exit_code == 0
    url = str(services(app).services.engine.url)
    services(app).services.close()
    env = {**os.environ, "DATABASE_URL": url, "RECO_SECRET_KEY": TEST_SECRET, "RECO_TODAY": "2026-11-29",
           "RECO_ARTIFACTS_DIR": str(tmp_path / "artifacts"), "RECO_INSTANCE_DIR": str(tmp_path),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    trained = _job("from training_jobs.train import main\n"
                   "rc = main(['--database', '--epochs', '3', '--components', '8', '--no-progress'])\n"
                   "rc = 0 if rc in (0, 2) else rc", env)
    assert trained.returncode == 0, trained.stderr
    assert "training on 60 workers" in trained.stdout and "report: " in trained.stdout
    assert any((tmp_path / "artifacts").glob("*/report.md"))

    out = tmp_path / "push.jsonl"
    with services(app).services.sessions() as session:
        from catalog.tables import Course
        course_ids = list(session.scalars(select(Course.id).order_by(Course.id).limit(40)))
    args = [a for cid in course_ids for a in ("--course", str(cid))]
    pushed = _job("from training_jobs.push import main\n"
                  f"rc = main({[*args, '--out', str(out), '--no-progress']!r})", env)
    assert pushed.returncode == 0, pushed.stderr
    assert "opted-in workers" in pushed.stdout and out.exists()
    for line in out.read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["course_id"] in course_ids

    bad = _job("from training_jobs.push import main\nrc = main(['--course', 'NO-SUCH', '--out', 'x'])",
               env)
    assert bad.returncode == 2 and "unknown course" in bad.stderr
