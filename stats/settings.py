"""Settings of the statistics: program mapping, targets file, smallest published cell, measure.

Read from ``RECO_STATS_*`` environment variables (or a mapping, for tests and the app factory):

* ``RECO_STATS_PROGRAMS_JSON``: the program mapping (:class:`stats.programs.ProgramMapping`);
  default :data:`stats.programs.DEFAULT_MAPPING`;
* ``RECO_PLAN_TARGETS``: path of the targets CSV; default ``stats/data/plan_targets.csv``;
* ``RECO_STATS_MIN_CELL``: smallest non-zero count published for a sensitive group (default 10);
* ``RECO_STATS_MEASURE``: the stage progress is measured by (``completed``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from stats.privacy import DEFAULT_MIN_CELL
from stats.programs import DEFAULT_MAPPING, ProgramMapping
from stats.progress import STAGES
from stats.targets import DEFAULT_TARGETS, Target, load_targets

ENV: dict[str, str] = {
    "programs_json": "RECO_STATS_PROGRAMS_JSON",
    "targets_path": "RECO_PLAN_TARGETS",
    "min_cell": "RECO_STATS_MIN_CELL",
    "measure": "RECO_STATS_MEASURE",
}


@dataclass(frozen=True)
class StatsSettings:
    mapping: ProgramMapping = DEFAULT_MAPPING
    targets: tuple[Target, ...] = field(default_factory=lambda: tuple(load_targets(DEFAULT_TARGETS)))
    min_cell: int = DEFAULT_MIN_CELL
    measure: str = "completed"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> StatsSettings:
        """Settings from ``RECO_STATS_*`` variables; a bad value raises ``ValueError`` naming it."""
        values = {key: environ[var] for key, var in ENV.items() if environ.get(var)}
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> StatsSettings:
        unknown = set(values) - set(ENV)
        if unknown:
            raise ValueError(f"unknown statistics settings {sorted(unknown)}")
        mapping = DEFAULT_MAPPING
        if values.get("programs_json"):
            try:
                mapping = ProgramMapping.from_mapping(json.loads(values["programs_json"]))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{ENV['programs_json']}: not JSON ({exc})") from exc
        targets = load_targets(Path(values["targets_path"]) if values.get("targets_path") else DEFAULT_TARGETS)
        try:
            min_cell = int(values.get("min_cell", DEFAULT_MIN_CELL))
        except ValueError as exc:
            raise ValueError(f"{ENV['min_cell']}: a whole number is required") from exc
        if min_cell < 1:
            raise ValueError(f"{ENV['min_cell']}: must be at least 1")
        measure = values.get("measure", "completed")
        if measure not in STAGES:
            raise ValueError(f"{ENV['measure']}: one of {STAGES}")
        return cls(mapping, tuple(targets), min_cell, measure)
