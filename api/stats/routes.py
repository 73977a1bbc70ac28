"""Plan progress and training outcomes: the quarterly report, its exports and charts.

Admins see the city or any job center; a counselor sees the trainings of their own center's
workers only. Every figure is aggregated and small sensitive cells are suppressed; nothing here
returns a person.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint

from api.auth import current_principal, requires
from api.db import db
from api.errors import fail
from api.stats.schemas import ChartQuery, ExportQuery, ReportOut, ReportQuery
from catalog.tables import JobCenter
from stats.charts import county_chart, funnel_chart, progress_chart
from stats.export import write_csv, write_xlsx
from stats.periods import Quarter
from stats.report import NoPlan, report_digest
from stats.reporting import UnknownJobCenter, build_report
from stats.settings import StatsSettings

blp = Blueprint("stats", __name__, url_prefix="/v1/stats",
                description="Plan progress and training outcomes (admins; counselors for their center)")

CHARTS = {"progress": progress_chart, "counties": county_chart, "funnel": funnel_chart}
MEDIA = {"png": "image/png", "svg": "image/svg+xml", "csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _binary(description: str, *formats: str) -> dict[str, Any]:
    """A file response in the OpenAPI document (flask-smorest describes schema-less bodies as none)."""
    return {"description": description,
            "content": {MEDIA[f].split(";")[0]: {"schema": {"type": "string", "format": "binary"}} for f in formats}}


def _scope(requested: str | None) -> str | None:
    principal = current_principal()
    if principal.role == "admin":
        return requested
    own = db().scalar(JobCenter.__table__.select().with_only_columns(JobCenter.code)
                      .where(JobCenter.id == principal.job_center_id))
    if requested is not None and requested != own:
        fail(403, "Counselors see the statistics of their own job center only.")
    return str(own)


def _report(args: dict[str, Any]) -> dict[str, Any]:
    settings: StatsSettings = current_app.extensions["reco.stats"]
    try:
        return build_report(db(), settings, Quarter.parse(args["quarter"]), center=_scope(args.get("center")),
                            plan=args.get("plan"))
    except NoPlan as exc:
        field = "plan" if args.get("plan") else "quarter"
        fail(422, str(exc), errors={"query": {field: [str(exc)]}})
    except UnknownJobCenter as exc:
        fail(422, f"Unknown job center {exc}.", errors={"query": {"center": ["unknown job center"]}})


def _name(args: dict[str, Any], ext: str, table: str = "report") -> str:
    center = f"-{args['center']}" if args.get("center") else ""
    return f"{table}-{args['quarter'].upper().replace('-', '')}{center}.{ext}"


@blp.route("/quarterly")
@requires(blp, "admin", "counselor")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, ReportOut)
def quarterly(args: dict[str, Any]) -> dict[str, Any]:
    """The quarterly report: progress against the plan's targets, slices, outcomes."""
    report = _report(args)
    return {**report, "digest": report_digest(report)}


@blp.route("/quarterly/export")
@requires(blp, "admin", "counselor")
@blp.arguments(ExportQuery, location="query")
@blp.response(200)
@blp.doc(responses={"200": _binary("XLSX workbook (all tables) or one table as CSV", "xlsx", "csv")})
def quarterly_export(args: dict[str, Any]) -> Response:
    """The quarterly report as the bureau files it: XLSX (every table) or CSV (one table)."""
    report = _report(args)
    with tempfile.TemporaryDirectory() as tmp:
        if args["format"] == "xlsx":
            path = write_xlsx(Path(tmp) / "report.xlsx", report)
            name = _name(args, "xlsx")
        else:
            path = write_csv(Path(tmp) / "table.csv", report[args["table"]])
            name = _name(args, "csv", args["table"])
        data = path.read_bytes()
    return Response(data, mimetype=MEDIA[args["format"]],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/quarterly/charts/<chart>")
@requires(blp, "admin", "counselor")
@blp.arguments(ChartQuery, location="query")
@blp.response(200)
@blp.doc(responses={"200": _binary("PNG or SVG chart", "png", "svg")},
         parameters=[{"in": "path", "name": "chart", "required": True,
                      "schema": {"type": "string", "enum": list(CHARTS)}}])
@blp.alt_response(404, response="NOT_FOUND")
def quarterly_chart(args: dict[str, Any], chart: str) -> Response:
    """A chart of the quarterly report: progress per program, counties, or outcome funnels."""
    if chart not in CHARTS:
        fail(404, f"No chart {chart!r}; charts: {', '.join(CHARTS)}.")
    fig = CHARTS[chart](_report(args))
    buf = io.BytesIO()
    fig.savefig(buf, format=args["format"], dpi=110, bbox_inches="tight",
                metadata={"Date": None} if args["format"] == "svg" else {"Software": None})
    return Response(buf.getvalue(), mimetype=MEDIA[args["format"]])
