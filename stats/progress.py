"""Progress against the plan's targets: subsidized trainings counted per program and slice.

Three stages are counted, each on its own date (a flow, as the bureau's quarterly tables are):

* ``enrolled`` on the enrolment date;
* ``completed`` on the completion date (status completed);
* ``certified`` on the completion date, when a certificate was earned (R2: the subsidy follows it).

Only subsidized trainings count. A training counts toward every program the mapping gives it
(:mod:`stats.programs`); a person in several priority groups is counted under each of them in a
per-group table, so group columns do not add up to the total (the total is the ``all`` program).
Progress toward a target uses one stage, the *measure* (``completed`` by default: a training
delivered, whether or not the certificate came), and is cumulative from the plan's start.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from stats.archive import TrainingFact
from stats.periods import Quarter
from stats.programs import ProgramMapping
from stats.targets import Target

STAGES: Final[tuple[str, ...]] = ("enrolled", "completed", "certified")
DIMENSIONS: Final[tuple[str, ...]] = ("county", "group", "quarter", "year", "job_center")
NO_GROUP: Final[str] = "none"


def stage_dates(f: TrainingFact) -> dict[str, date | None]:
    """The day each stage happened for one training (``None``: not reached)."""
    done = f.completed_on if f.status == "completed" else None
    return {"enrolled": f.enrolled_on, "completed": done, "certified": done if f.certified else None}


def _dimension_values(f: TrainingFact, dim: str, day: date) -> tuple[str, ...]:
    if dim == "county":
        return (f.county,)
    if dim == "group":
        return tuple(sorted(f.worker_groups)) or (NO_GROUP,)
    if dim == "quarter":
        return (str(Quarter.of(day)),)
    if dim == "year":
        return (str(day.year),)
    if dim == "job_center":
        return (f.job_center,)
    raise ValueError(f"unknown dimension {dim!r}; one of {DIMENSIONS}")


def tally(facts: Iterable[TrainingFact], mapping: ProgramMapping, dims: Sequence[str] = (),
          first: date | None = None, last: date | None = None) -> dict[tuple[str, ...], dict[str, int]]:
    """Counts per ``(program, *dimension values)`` and stage, for stages dated in ``first … last``.

    Parameters
    ----------
    facts
        The archive (any order).
    mapping
        Which program each training counts toward.
    dims
        Slices after the program: any of ``county``, ``group``, ``quarter``, ``year``, ``job_center``.
    first, last
        Inclusive date window on each stage's own date; ``None`` is open.

    Returns
    -------
    dict
        ``{(program, *values): {"enrolled": n, "completed": n, "certified": n}}``; only keys with
        at least one count appear.
    """
    for d in dims:
        if d not in DIMENSIONS:
            raise ValueError(f"unknown dimension {d!r}; one of {DIMENSIONS}")
    counts: dict[tuple[str, ...], Counter[str]] = {}
    for f in facts:
        if not f.subsidized:
            continue
        programs = mapping.programs_for(f.enrolled_on, f.training_type, f.worker_groups, f.course_targets,
                                        f.occupation_category)
        for stage, day in stage_dates(f).items():
            if day is None or (first is not None and day < first) or (last is not None and day > last):
                continue
            keys: list[tuple[str, ...]] = [(p,) for p in sorted(programs)]
            for d in dims:
                keys = [(*k, v) for k in keys for v in _dimension_values(f, d, day)]
            for k in keys:
                counts.setdefault(k, Counter())[stage] += 1
    return {k: {s: c.get(s, 0) for s in STAGES} for k, c in sorted(counts.items())}


@dataclass(frozen=True)
class ProgressRow:
    """One program's standing at the end of a quarter."""

    program: str
    target: int
    unit: str
    quarter: dict[str, int]  # counts dated in the quarter
    year_to_date: dict[str, int]
    plan_to_date: dict[str, int]
    share_of_target: float  # plan_to_date[measure] / target
    expected_share: float  # share of the period elapsed (a straight line to the target)
    on_track: bool
    quarters_left: int
    pace_needed_per_quarter: float | None  # what each remaining quarter must add; None when none remain
    remaining: int


def progress(facts: Sequence[TrainingFact], targets: Sequence[Target], mapping: ProgramMapping,
             quarter: Quarter, measure: str = "completed") -> list[ProgressRow]:
    """Standing of each target at the end of ``quarter`` (targets of one plan, in their order)."""
    if measure not in STAGES:
        raise ValueError(f"measure must be one of {STAGES}")
    windows: dict[tuple[date, date], dict[tuple[str, ...], dict[str, int]]] = {}

    def count(program: str, first: date, last: date) -> dict[str, int]:
        if (first, last) not in windows:  # targets of one plan share their windows
            windows[(first, last)] = tally(facts, mapping, (), first, last)
        return windows[(first, last)].get((program,), _zero())

    rows = []
    for t in targets:
        until = min(quarter.end, t.period_end)
        in_q = count(t.program, quarter.start, quarter.end)
        ytd = count(t.program, max(date(quarter.year, 1, 1), t.period_start), until)
        to_date = count(t.program, t.period_start, until)
        achieved = to_date[measure]
        total_days = (t.period_end - t.period_start).days + 1
        elapsed = min(max((until - t.period_start).days + 1, 0), total_days)
        left = 0
        q = quarter.next()
        while q.start <= t.period_end:
            left += 1
            q = q.next()
        remaining = max(t.target - achieved, 0)
        expected = elapsed / total_days
        share = achieved / t.target
        rows.append(ProgressRow(
            program=t.program, target=t.target, unit=t.unit, quarter=in_q, year_to_date=ytd,
            plan_to_date=to_date, share_of_target=round(share, 4), expected_share=round(expected, 4),
            on_track=share >= expected, quarters_left=left,
            pace_needed_per_quarter=round(remaining / left, 1) if left else None, remaining=remaining,
        ))
    return rows


def _zero() -> dict[str, int]:
    return {s: 0 for s in STAGES}
