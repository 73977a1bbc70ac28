"""The bureau's quarterly report from the archive: tables (CSV, XLSX, JSON) and charts (PNG, SVG).

    python -m training_jobs.report --quarter 2026Q3 [--out var/reports] [--center JC-TINGHU]
                                   [--plan P] [--recorded-before 2026-10-15] [--check FILE]

Writes ``<out>/<quarter>[-<center>]/`` with ``report.json`` (canonical, its sha256 printed),
one CSV per table, ``report.xlsx`` and the charts. A past quarter recomputed from the same
archive gives the same ``report.json``; ``--check`` compares with a filed one and exits 1 when a
figure differs. The database is ``--database-url``, else ``DATABASE_URL``/``RECO_DATABASE_URL``,
else the SQLite file in ``RECO_INSTANCE_DIR`` (``var``), as the service uses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from stats.charts import write_charts
from stats.export import write_all
from stats.periods import Quarter
from stats.report import NoPlan, report_digest, report_json
from stats.reporting import UnknownJobCenter, build_report
from stats.settings import StatsSettings
from storage.engine import default_sqlite_url, make_engine
from storage.session import make_session_factory


def database_url(explicit: str | None) -> str:
    return (explicit or os.environ.get("DATABASE_URL") or os.environ.get("RECO_DATABASE_URL")
            or default_sqlite_url(os.environ.get("RECO_INSTANCE_DIR", "var")))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training_jobs.report",
                                 description="Quarterly report against the plan's targets.")
    ap.add_argument("--quarter", required=True, type=Quarter.parse, help="e.g. 2026Q3")
    ap.add_argument("--out", type=Path, default=Path("var/reports"))
    ap.add_argument("--center", default=None, help="job center code (default: the whole city)")
    ap.add_argument("--plan", default=None, help="plan id in the targets file (default: the one covering the quarter)")
    ap.add_argument("--recorded-before", type=date.fromisoformat, default=None,
                    help="leave out archive entries recorded on or after this day")
    ap.add_argument("--check", type=Path, default=None, help="a filed report.json to compare with")
    ap.add_argument("--no-charts", action="store_true")
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args(argv)
    try:
        settings = StatsSettings.from_environ(os.environ)
    except ValueError as exc:
        ap.error(str(exc))
    engine = make_engine(database_url(args.database_url))
    try:
        with make_session_factory(engine)() as session:
            report = build_report(session, settings, args.quarter, center=args.center, plan=args.plan,
                                  recorded_before=args.recorded_before)
    except (NoPlan, UnknownJobCenter) as exc:
        print(f"error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    digest = report_digest(report)
    if args.check is not None:
        filed = json.loads(args.check.read_text(encoding="utf-8"))
        same = report_digest(filed) == digest
        print(f"{args.quarter}: {'same figures as' if same else 'DIFFERENT figures from'} {args.check} ({digest})")
        return 0 if same else 1
    folder = args.out / (str(args.quarter) + (f"-{args.center}" if args.center else ""))
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "report.json.tmp"
    tmp.write_text(report_json(report), encoding="utf-8")
    tmp.replace(folder / "report.json")
    files = [folder / "report.json", *write_all(folder, report)]
    if not args.no_charts:
        files += write_charts(folder, report)
    print(summary(report))
    print(f"sha256 {digest}")
    for f in files:
        print(f"  {f}")
    return 0


def summary(report: dict[str, object]) -> str:
    """The progress table as text, for the terminal and the log."""
    m = report["measure"]
    lines = [f"Quarter {report['quarter']} · plan {report['plan']} · scope {report['scope']} · measure {m}",
             f"{'program':22} {'target':>8} {'quarter':>8} {'to date':>8} {'share':>7} {'expected':>8} "
             f"{'pace/q':>8}"]
    for r in report["progress"]:  # type: ignore[attr-defined]
        q = r[f"quarter_{m}"]
        pace = r["pace_needed_per_quarter"]
        lines.append(f"{r['program']:22} {r['target']:>8,} {'—' if q is None else q:>8} {r[f'plan_{m}']:>8,} "
                     f"{r['share_of_target']:>7.1%} {r['expected_share']:>8.1%} "
                     f"{'—' if pace is None else f'{pace:,.0f}':>8}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
