"""The plan's targets as data: ``stats/data/plan_targets.csv`` (or a file the operator names).

One row per plan × program: ``plan, period_start, period_end, program, target, unit, source``.
Like a catalog import, a file with one bad row is refused whole and every bad row is reported.
The shipped file holds the 2019–2021 targets of the plan and a clearly marked *sample* plan for
2025–2027 (the official targets scaled to the demo population) so the demo has something to
report against.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from stats.programs import PROGRAMS

DEFAULT_TARGETS: Final[Path] = Path(__file__).resolve().parent / "data" / "plan_targets.csv"
COLUMNS: Final[tuple[str, ...]] = ("plan", "period_start", "period_end", "program", "target", "unit", "source")
UNITS: Final[frozenset[str]] = frozenset({"person_times", "persons"})


@dataclass(frozen=True)
class Target:
    plan: str
    period_start: date
    period_end: date
    program: str
    target: int
    unit: str
    source: str


class TargetsRejected(ValueError):
    """A targets file with bad rows; ``errors`` lists every one (``line``, ``field``, ``message``)."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} bad row(s) in the targets file: "
                         + "; ".join(f"line {e['line']} {e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def load_targets(path: Path = DEFAULT_TARGETS) -> list[Target]:
    """Read and validate a targets file; all rows or, on any bad row, :class:`TargetsRejected`."""
    errors: list[dict[str, str]] = []
    out: list[Target] = []
    seen: set[tuple[str, str]] = set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TargetsRejected([{"line": "1", "field": c, "message": "missing column"} for c in missing])
        for line, row in enumerate(reader, start=2):
            bad = len(errors)

            def err(fieldname: str, message: str, line: int = line) -> None:
                errors.append({"line": str(line), "field": fieldname, "message": message})

            start = _date(row["period_start"])
            end = _date(row["period_end"])
            if start is None:
                err("period_start", "an ISO date is required")
            if end is None:
                err("period_end", "an ISO date is required")
            if start and end and end < start:
                err("period_end", "ends before it starts")
            if row["program"] not in PROGRAMS:
                err("program", f"unknown program {row['program']!r}")
            try:
                target = int(row["target"])
                if target <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                err("target", "a positive whole number is required")
                target = 0
            if row["unit"] not in UNITS:
                err("unit", f"one of {sorted(UNITS)}")
            plan = (row["plan"] or "").strip()
            if not plan:
                err("plan", "required")
            if (plan, row["program"]) in seen:
                err("program", "duplicate program for this plan")
            seen.add((plan, row["program"]))
            if len(errors) == bad and start and end:
                out.append(Target(plan, start, end, row["program"], target, row["unit"], row["source"] or ""))
    if errors:
        raise TargetsRejected(errors)
    return out


def plans(targets: list[Target]) -> dict[str, list[Target]]:
    """Targets grouped by plan, in file order."""
    out: dict[str, list[Target]] = {}
    for t in targets:
        out.setdefault(t.plan, []).append(t)
    return out


def plan_for(targets: list[Target], day: date) -> str | None:
    """The plan whose period contains ``day`` (the latest-starting one if several do)."""
    found = [t for t in targets if t.period_start <= day <= t.period_end]
    return max(found, key=lambda t: (t.period_start, t.plan)).plan if found else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None
