"""The bureau's quarterly report (季报) as plain tables: progress, slices, outcomes.

:func:`quarterly_report` is a pure function of the archive rows, the targets, the mapping and the
quarter: it reads no clock and no database, and sorts every table, so recomputing a past quarter
from the same archive gives the same report, byte for byte once serialized
(:func:`report_digest`). Every table is a list of flat rows (what CSV, XLSX and the API share),
and every table has been through small-cell suppression (:mod:`stats.privacy`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

from catalog.vocabulary import COUNTIES, PRIORITY_GROUPS, SENSITIVE_PRIORITY_GROUPS
from stats.archive import TrainingFact
from stats.outcomes import Outcome, Rate, by_institution, by_offering
from stats.periods import Quarter, quarters_between
from stats.privacy import DEFAULT_MIN_CELL, suppress
from stats.programs import PROGRAMS, ProgramMapping
from stats.progress import STAGES, progress, tally
from stats.targets import Target, plan_for, plans

REPORT_FORMAT: Final[int] = 1
_RATES: Final[tuple[str, ...]] = ("completion_rate", "certificate_rate", "dropout_rate")


class NoPlan(ValueError):
    """No plan's period covers the quarter asked for (or the named plan does not exist)."""


@dataclass(frozen=True)
class ReportOptions:
    measure: str = "completed"
    min_cell: int = DEFAULT_MIN_CELL


def _is_sensitive_program(row: Mapping[str, Any]) -> bool:
    return PROGRAMS[row["program"]].sensitive


def _flat_stages(prefix: str, counts: Mapping[str, int]) -> dict[str, int]:
    return {f"{prefix}{s}": counts[s] for s in STAGES}


def _outcome_row(o: Outcome) -> dict[str, Any]:
    row: dict[str, Any] = {
        "key": o.key, "institution_code": o.institution_code, "credit_rating": o.credit_rating,
        "enrolled": o.enrolled, "finished": o.finished, "completed": o.completed, "certified": o.certified,
        "dropped": o.dropped,
    }
    rates: dict[str, Rate | None] = {"completion_rate": o.completion_rate, "certificate_rate": o.certificate_rate,
                                     "dropout_rate": o.dropout_rate, "enrolment_rate": o.enrolment_rate}
    for name, r in rates.items():
        row[name] = r.value if r else None
        row[f"{name}_low"] = r.low if r else None
        row[f"{name}_high"] = r.high if r else None
    row["seats"] = o.seats
    row["subsidy_paid_cny"] = o.subsidy_paid_cny
    # Suppression reads this; it is not published (see _drop_private).
    row["_sensitive"] = bool(o.course_targets) and o.course_targets <= SENSITIVE_PRIORITY_GROUPS
    return row


def _outcome_table(rows: list[dict[str, Any]], min_cell: int) -> list[dict[str, Any]]:
    rate_cols = [f"{r}{s}" for r in _RATES for s in ("", "_low", "_high")]
    enrol_cols = ["enrolment_rate", "enrolment_rate_low", "enrolment_rate_high", "seats", "subsidy_paid_cny"]
    out = suppress(rows, ("enrolled", "finished", "completed", "certified", "dropped"),
                   lambda r: bool(r["_sensitive"]), lambda r: r["key"], min_cell,
                   dependent={"finished": rate_cols, "enrolled": enrol_cols})
    for r in out:
        r.pop("_sensitive")
    return out


def quarterly_report(facts: Sequence[TrainingFact], targets: Sequence[Target], mapping: ProgramMapping,
                     quarter: Quarter, *, credit_ratings: Mapping[str, str],
                     seats_of_course: Mapping[int, int] | None = None, plan: str | None = None,
                     scope: str = "city", options: ReportOptions = ReportOptions()) -> dict[str, Any]:
    """The report for ``quarter``: a JSON-able dict of flat tables (see the module docstring).

    Parameters
    ----------
    facts
        The archive in scope (the whole city, or one job center's workers).
    targets
        All targets; the plan is ``plan`` or the one whose period contains the quarter's end.
    mapping
        Program mapping.
    quarter
        The quarter reported on; counts dated after its end are ignored.
    credit_ratings
        Institution code → credit rating, shown beside its outcomes.
    seats_of_course
        Course id → seats, for enrolment rates.
    scope
        Label of the population (``city`` or a job center code).
    options
        Measure of progress and the smallest publishable sensitive cell.
    """
    by_plan = plans(list(targets))
    chosen = plan or plan_for(list(targets), quarter.end) or plan_for(list(targets), quarter.start)
    if chosen is None or chosen not in by_plan:
        raise NoPlan(f"no plan covers {quarter}" if plan is None else f"unknown plan {plan!r}")
    plan_targets = by_plan[chosen]
    start = min(t.period_start for t in plan_targets)
    end = max(t.period_end for t in plan_targets)
    until = min(quarter.end, end)
    # Nothing dated after the quarter: a report filed then is the report recomputed now.
    facts = [f for f in facts if f.enrolled_on <= quarter.end]
    min_cell = options.min_cell

    prog_rows: list[dict[str, Any]] = []
    for r in progress(facts, plan_targets, mapping, quarter, options.measure):
        p = PROGRAMS[r.program]
        prog_rows.append({
            "program": r.program, "name_zh": p.name_zh, "name_en": p.name_en, "target": r.target, "unit": r.unit,
            **_flat_stages("quarter_", r.quarter), **_flat_stages("year_", r.year_to_date),
            **_flat_stages("plan_", r.plan_to_date), "share_of_target": r.share_of_target,
            "expected_share": r.expected_share, "on_track": r.on_track, "remaining": r.remaining,
            "quarters_left": r.quarters_left, "pace_needed_per_quarter": r.pace_needed_per_quarter,
        })
    quarter_cols = [f"quarter_{s}" for s in STAGES]
    prog_rows = suppress(prog_rows, quarter_cols, _is_sensitive_program, lambda r: r["program"], min_cell)

    county_rows = [{"program": k[0], "county": k[1], "county_zh": COUNTIES.get(k[1], ("",))[0], **v}
                   for k, v in tally(facts, mapping, ("county",), quarter.start, quarter.end).items()]
    group_rows = [{"program": k[0], "priority_group": k[1], "group_zh": PRIORITY_GROUPS.get(k[1], ""), **v}
                  for k, v in tally(facts, mapping, ("group",), quarter.start, quarter.end).items()]
    quarter_rows = [{"program": k[0], "quarter": k[1], **v}
                    for k, v in tally(facts, mapping, ("quarter",), start, until).items()]
    # The yearly report (年报): calendar years of the plan up to the quarter's end.
    year_rows = [{"program": k[0], "year": k[1], **v}
                 for k, v in tally(facts, mapping, ("year",), start, until).items()]
    stages = list(STAGES)
    county_rows = suppress(county_rows, stages, _is_sensitive_program, lambda r: r["program"], min_cell)
    group_rows = suppress(group_rows, stages,
                          lambda r: _is_sensitive_program(r) or r["priority_group"] in SENSITIVE_PRIORITY_GROUPS,
                          lambda r: r["program"], min_cell)
    quarter_rows = suppress(quarter_rows, stages, _is_sensitive_program, lambda r: r["program"], min_cell)
    year_rows = suppress(year_rows, stages, _is_sensitive_program, lambda r: r["program"], min_cell)

    # Outcomes of trainings that ended by the quarter's end, as the bureau saw them then.
    ended = [_as_of(f, quarter.end) for f in facts]
    inst_rows = _outcome_table([_outcome_row(o) for o in by_institution(ended, credit_ratings, seats_of_course)],
                               min_cell)
    course_rows = _outcome_table([_outcome_row(o) for o in by_offering(ended, credit_ratings, seats_of_course)],
                                 min_cell)
    return {
        "format": REPORT_FORMAT, "quarter": str(quarter), "quarter_start": quarter.start.isoformat(),
        "quarter_end": quarter.end.isoformat(), "scope": scope, "plan": chosen,
        "plan_period": [start.isoformat(), end.isoformat()], "measure": options.measure,
        "min_cell": min_cell, "mapping": mapping.to_mapping(),
        "quarters": [str(q) for q in quarters_between(start, until)],
        "progress": prog_rows, "by_county": county_rows, "by_group": group_rows, "by_quarter": quarter_rows,
        "by_year": year_rows,
        "institutions": inst_rows, "courses": course_rows,
    }


def _as_of(f: TrainingFact, day: date) -> TrainingFact:
    # A training that finished after the quarter was still running when the quarter closed (the
    # archive has no drop-out date: a drop-out counts from the course's end).
    finished_on = f.completed_on if f.status == "completed" else f.end_date or f.enrolled_on
    if f.finished and finished_on is not None and finished_on > day:
        return replace(f, status="enrolled", completed_on=None, certified=False, subsidy_cny=0)
    return f


def report_json(report: Mapping[str, Any]) -> str:
    """Canonical serialization: sorted keys, fixed separators (what the digest is taken over)."""
    return json.dumps(report, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def report_digest(report: Mapping[str, Any]) -> str:
    """sha256 of the canonical serialization: two computations agree iff every figure agrees."""
    return hashlib.sha256(report_json(report).encode("utf-8")).hexdigest()


TABLES: Final[dict[str, str]] = {
    "progress": "进度 Progress against targets",
    "by_county": "分县区 By county",
    "by_group": "分重点群体 By priority group",
    "by_quarter": "分季度 By quarter",
    "by_year": "分年度 By year",
    "institutions": "培训机构 Institutions",
    "courses": "培训项目 Courses",
}
