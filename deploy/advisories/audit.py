"""Audit the installed packages for known vulnerabilities, offline first.

``make lint`` runs this. It checks every distribution installed in the running environment
against ``advisories.json`` beside it (no network needed), then, when the advisory service
answers, runs ``pip-audit`` too. Where that service is unreachable (this project's machines reach
the package index but not its JSON API) pip-audit would report every package as "not found" and
pass; we say that it was skipped instead. Exit 1 on any known vulnerability.

    python deploy/advisories/audit.py [--offline]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ADVISORIES = Path(__file__).with_name("advisories.json")
PROBE_URL = "https://pypi.org/pypi/pip/json"


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    fixed: str
    summary: str

    def __str__(self) -> str:
        return f"{self.package} {self.version}: {self.advisory} ({self.summary}); fixed in {self.fixed}"


def installed() -> dict[str, str]:
    """Every distribution of the running environment, by canonical name."""
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions() if d.metadata["Name"]}


def findings(packages: Mapping[str, str], advisories: Iterable[Mapping[str, Any]]) -> list[Finding]:
    found: list[Finding] = []
    for advisory in advisories:
        name = canonicalize_name(advisory["package"])
        if name not in packages:
            continue
        try:
            version = Version(packages[name])
        except InvalidVersion:
            continue
        for span in advisory["ranges"]:
            if Version(span["introduced"]) <= version < Version(span["fixed"]):
                found.append(Finding(name, packages[name], advisory["id"], span["fixed"], advisory["summary"]))
    return found


def service_reachable(timeout: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(PROBE_URL, timeout=timeout) as response:
            return bool(response.status == 200 and json.load(response).get("info"))
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offline", action="store_true", help="only the local advisory file")
    args = parser.parse_args(argv)
    data = json.loads(ADVISORIES.read_text(encoding="utf-8"))
    packages = installed()
    bad = findings(packages, data["advisories"])
    for finding in bad:
        print(f"VULNERABLE {finding}")
    print(f"dependency audit: {len(packages)} packages against {len(data['advisories'])} local advisories "
          f"(updated {data['updated']}): {len(bad)} found")
    status = 1 if bad else 0
    pip_audit = shutil.which("pip-audit") or str(Path(sys.executable).with_name("pip-audit"))
    if args.offline:
        return status
    if not Path(pip_audit).exists():
        print("pip-audit not installed: the online audit was skipped")
    elif not service_reachable():
        print("pip-audit skipped: the advisory service is not reachable from here (local advisories only)")
    else:
        status |= online_audit(pip_audit)
    return status


def online_audit(pip_audit: str) -> int:
    """pip-audit against the live service; a package the service does not know is skipped there,
    and a run that could audit nothing is reported as skipped rather than passed."""
    done = subprocess.run([pip_audit, "--local", "--format", "json", "--progress-spinner", "off"],
                          capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        print(f"pip-audit failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        return 1
    audited = [d for d in report.get("dependencies", []) if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']}; fixed in {', '.join(vuln.get('fix_versions', []))}")
    if not audited:
        print("pip-audit skipped: the advisory service knows none of our packages from here (local advisories only)")
        return 0
    print(f"pip-audit: {len(audited)} packages audited online, {len(vulnerable)} vulnerable")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
