"""Dependencies: runtime apart from test and lint tools, a current setuptools pinned for the build
and installed in the environment, and an offline dependency audit in `make lint`."""

from __future__ import annotations

import configparser
import importlib.util
import json
import re
import sys
import tomllib
from types import ModuleType

from packaging.requirements import Requirement

from tests.conftest import REPO

TOOLS = {"pytest", "hypothesis", "schemathesis", "selenium", "ruff", "mypy", "import-linter", "pip-audit", "locust"}


def audit_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit", REPO / "deploy" / "advisories" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def setup_cfg() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    return cfg


def requirements(text: str) -> list[Requirement]:
    return [Requirement(line.strip()) for line in text.strip().splitlines() if line.strip()]


def test_runtime_requirements_are_pinned_and_carry_no_tools() -> None:
    cfg = setup_cfg()
    runtime = requirements(cfg["options"]["install_requires"])
    assert not {r.name.lower() for r in runtime} & TOOLS
    assert all(len(r.specifier) == 1 and next(iter(r.specifier)).operator == "==" for r in runtime)
    extras = {name: {r.name.lower() for r in requirements(text)} for name, text in cfg["options.extras_require"].items()}
    assert {"pytest", "hypothesis"} <= extras["test"] and {"ruff", "mypy", "pip-audit"} <= extras["dev"]


def test_a_current_setuptools_is_pinned_for_the_build() -> None:
    build = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    setuptools = next(Requirement(r) for r in build if r.startswith("setuptools"))
    assert str(setuptools.specifier).startswith("==")
    version = str(setuptools.specifier)[2:]
    audit = audit_module()
    advisories = json.loads(audit.ADVISORIES.read_text())["advisories"]
    assert audit.findings({"setuptools": version}, advisories) == []
    make = (REPO / "Makefile").read_text()
    assert f"SETUPTOOLS := {version}" in make  # the same one in the environment


def test_the_audit_finds_the_setuptools_the_venv_module_seeds() -> None:
    audit = audit_module()
    advisories = json.loads(audit.ADVISORIES.read_text())["advisories"]
    found = audit.findings({"setuptools": "65.5.0", "flask": "3.1.3", "urllib3": "2.2.1"}, advisories)
    assert {f.advisory for f in found} >= {"GHSA-cx63-2mw6-8hw5", "GHSA-34jh-p97f-mpxf"}
    assert not [f for f in found if f.package == "flask"]


def test_this_environment_passes_the_offline_audit_and_make_lint_runs_it() -> None:
    audit = audit_module()
    assert audit.main(["--offline"]) == 0
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", (REPO / "Makefile").read_text(), re.M)
    assert lint and "deploy/advisories/audit.py" in lint.group(1)
