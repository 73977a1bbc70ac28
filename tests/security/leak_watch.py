"""A watch over the whole test run: every log record, every audit row written and every response
sent to the `app` role are kept, and at the end of the session scanned for personal data. Any
hit fails the run (exit status 1) and is listed in the terminal summary.

Scanned for: resident ID numbers (18 characters with a valid GB 11643 check digit and a real birth
date), mainland mobile numbers, and, in app-role responses about workers, the fields and groups
that role must never receive. Registered from ``tests/conftest.py`` (``pytest_plugins``);
``tests/security/test_no_leaks.py`` drives every endpoint with known values, this catches what
any other test happens to provoke.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
APP_FORBIDDEN = ('"disability_grade"', '"national_id_masked"', '"phone"', '"family"', '"living_allowance"',
                 *(f'"{g}"' for g in sorted(SENSITIVE_PRIORITY_GROUPS)))


@dataclass
class Watch:
    logs: list[str] = field(default_factory=list)
    audit: list[str] = field(default_factory=list)
    app_responses: list[tuple[str, str]] = field(default_factory=list)  # (method path, body)


WATCH = Watch()


class _Capture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is the logging caller's bug, not a leak
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        WATCH.logs.append(f"{record.name}: {text}")


_handler = _Capture(level=logging.DEBUG)


def _on_response(sender: Any, response: Any, **_: Any) -> None:
    from flask import g, request

    principal = g.get("principal")
    if principal is None or principal.role != "app" or response.direct_passthrough:
        return
    WATCH.app_responses.append((f"{request.method} {request.path}", response.get_data(as_text=True)))


def _on_audit(mapper: Any, connection: Any, target: Any) -> None:
    WATCH.audit.append(json.dumps({"role": target.role, "action": target.action, "worker_id": target.worker_id,
                                   "fields": target.fields}, ensure_ascii=False, default=str))


def pytest_configure(config: pytest.Config) -> None:
    from flask import request_finished
    from sqlalchemy import event

    from workers.tables import AuditEntry

    logging.getLogger().addHandler(_handler)
    request_finished.connect(_on_response)
    event.listen(AuditEntry, "after_insert", _on_audit)


def id_numbers(text: str) -> list[str]:
    from workers.identity import InvalidNationalId, normalize

    found = []
    for m in ID_NUMBER.finditer(text):
        try:
            found.append(normalize(m.group()))
        except InvalidNationalId:
            continue
    return found


def findings() -> list[str]:
    out: list[str] = []
    for where, texts in (("log", WATCH.logs), ("audit", WATCH.audit)):
        for text in texts:
            for hit in id_numbers(text) + MOBILE.findall(text):
                out.append(f"{where}: {hit[:4]}… in {text[:200]!r}")
    for what, body in WATCH.app_responses:
        for hit in id_numbers(body) + MOBILE.findall(body):
            out.append(f"app response {what}: {hit[:4]}…")
        if what.split(" ", 1)[1].startswith("/v1/workers"):
            out.extend(f"app response {what}: {name}" for name in APP_FORBIDDEN if name in body)
    return out


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_handler)
    session.config._leak_findings = findings()  # type: ignore[attr-defined]
    if session.config._leak_findings:  # type: ignore[attr-defined]
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    hits: list[str] = getattr(config, "_leak_findings", [])
    terminalreporter.write_sep("-", f"leak watch: {len(WATCH.logs)} log records, {len(WATCH.audit)} audit rows, "
                                    f"{len(WATCH.app_responses)} app-role responses scanned")
    if hits:
        terminalreporter.write_sep("!", f"LEAKS: {len(hits)} sensitive value(s) found", red=True)
        for hit in hits[:50]:
            terminalreporter.write_line(hit)
