"""The README's operator commands, pasted into a fresh shell: no virtualenv on PATH, no
RECO_SECRET_KEY in the environment, only the instance's var/secret_key (here a temporary instance
directory). Each line of the README's operator block is run as written, except the few named in
SLOW (a long job, covered by its own tests) and the population size (smaller here)."""

from __future__ import annotations

import re
import secrets
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLOW = ("bin/reco train", "bin/reco push plan", ".venv/bin/python -m training_jobs.train",
        ".venv/bin/python -m training_jobs.synthetic")

pytestmark = pytest.mark.slow


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Operator commands", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README has an operator command block"
    lines = [line.split("   #")[0].strip() for line in block.group(1).splitlines()]
    return [line.split(" # ")[0].strip() for line in lines if line and not line.startswith("#")]


@pytest.fixture
def instance(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "secret_key").write_text(secrets.token_urlsafe(48) + "\n")
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
            "RECO_INSTANCE_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'reco.sqlite3'}",
            "RECO_ARTIFACTS_DIR": str(tmp_path / "artifacts"), "RECO_TODAY": "2026-11-29"}


def sh(command: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=REPO, env=env, input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_readme_operator_commands_work_in_a_fresh_shell(instance: dict[str, str]) -> None:
    commands = readme_commands()
    assert any(c.startswith("bin/reco keys list") for c in commands)
    ran = 0
    for command in commands:
        if command.startswith(SLOW):
            continue
        command = command.replace("--workers 20000", "--workers 300")
        stdin = "a-long-desk-password\na-long-desk-password\n" if " users create " in command else ""
        result = sh(command, instance, stdin)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        ran += 1
        if command.startswith("bin/reco keys list"):
            assert "JC-DONGTAI" in result.stdout and "counselor" in result.stdout
        if command.startswith("bin/reco users list"):
            assert re.search(r"wang\.fang\s+counselor\s+JC-DONGTAI\s+active", result.stdout), result.stdout
    assert ran >= 10
    assert "disabled" in sh("bin/reco users list", instance).stdout


def test_without_the_instance_secret_it_says_where_the_key_is(instance: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "secret_key").unlink()
    result = sh("bin/reco keys list", instance)
    assert result.returncode != 0 and "secret_key" in result.stderr and "make run" in result.stderr
    # The app itself never suggests a new secret for an existing instance.
    env = {**instance, "RECO_SECRET_KEY": ""}
    result = sh(".venv/bin/flask --app wsgi keys list", env)
    assert result.returncode != 0 and "bin/reco" in result.stderr and "Generate one with" not in result.stderr


def test_demo_keys_are_reused_not_added(instance: dict[str, str], tmp_path: Path) -> None:
    assert sh("bin/reco db upgrade && bin/reco catalog import catalog/data", instance).returncode == 0
    out = tmp_path / "demo-keys.env"
    first = sh(f"bin/reco demo keys --out {out}", instance)
    assert first.returncode == 0, first.stderr
    keys_before = out.read_text()
    second = sh(f"bin/reco demo keys --out {out}", instance)
    assert second.returncode == 0 and "Reusing" in second.stdout
    assert out.read_text() == keys_before
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    listed = sh("bin/reco keys list", instance).stdout.splitlines()
    assert len([line for line in listed if " active " in line]) == 3
    # A lost key file: new keys, and the old demo keys are revoked, not left active.
    out.unlink()
    assert sh(f"bin/reco demo keys --out {out}", instance).returncode == 0
    listed = sh("bin/reco keys list", instance).stdout.splitlines()
    assert len([line for line in listed if " active " in line]) == 3
    assert len([line for line in listed if " revoked " in line]) == 3
    assert "RECO_DEMO_CONSOLE_PASSWORD=" in out.read_text()
