"""Exports of a report's tables: CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX (openpyxl).

Files are written next to their final name and moved into place, so a reader never sees half a
file. Columns come first from the table's rows in order; empty cells (suppressed or not
applicable) are empty in CSV and blank in XLSX.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from stats.report import TABLES


def columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return cols


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return "|".join(str(v) for v in value)
    return value


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    cols = columns_of(rows)
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else _cell(r.get(c)) for c in cols])
    os.replace(tmp, path)
    return path


def write_xlsx(path: Path, report: Mapping[str, Any]) -> Path:
    """One sheet per table plus an ``about`` sheet (quarter, plan, scope, measure, threshold)."""
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = "about"
    for key in ("quarter", "quarter_start", "quarter_end", "scope", "plan", "plan_period", "measure", "min_cell"):
        about.append([key, _cell(report[key])])
    about.append(["note", "Empty cells in sensitive rows are suppressed small counts (n < min_cell)."])
    for name in TABLES:
        ws = wb.create_sheet(name)
        rows = report[name]
        cols = columns_of(rows)
        ws.append(cols)
        for r in rows:
            ws.append([_cell(r.get(c)) for c in cols])
        ws.freeze_panes = "A2"
        for i, c in enumerate(cols, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(c) + 2))
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def write_all(folder: Path, report: Mapping[str, Any]) -> list[Path]:
    """Every table as ``<table>.csv`` and the whole report as ``report.xlsx`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = [write_csv(folder / f"{name}.csv", report[name]) for name in TABLES]
    out.append(write_xlsx(folder / "report.xlsx", report))
    return out
