"""Operator commands for the audit trail: ``flask audit export|prune`` (also ``bin/reco audit …``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from api.context import services
from workers.audit_trail import export_rows, prune, retention_cutoff, write_export

audit_cli = AppGroup("audit", help="The audit trail: who read or changed which worker's data.")


def _day(value: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: expected a date, YYYY-MM-DD") from exc


@audit_cli.command("export")
@click.option("--since", required=True, help="First day (UTC, YYYY-MM-DD) to export.")
@click.option("--until", default=None, help="Day (UTC) to stop before; default: everything since.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: .csv or .jsonl (created 0600; entries name keys and workers).")
def audit_export(since: str, until: str | None, out: Path) -> None:
    """Export audit entries (field names and ids, never values) for review or archiving."""
    start, end = _day(since), _day(until) if until else None
    if out.suffix.lower() not in (".csv", ".jsonl"):
        raise click.UsageError(f"--out {out.name}: the export is .csv or .jsonl")
    with services().sessions() as session:
        n = write_export(export_rows(session, start, end), out)
    click.echo(f"{n} audit entries since {since} written to {out}")


@audit_cli.command("prune")
@click.option("--older-than-days", type=click.IntRange(min=1), default=None,
              help="Default: RECO_AUDIT_RETENTION_DAYS.")
def audit_prune(older_than_days: int | None) -> None:
    """Delete audit entries older than the retention period (export them first if they must be kept)."""
    days = older_than_days or int(services().settings["AUDIT_RETENTION_DAYS"])
    cutoff = retention_cutoff(datetime.now(UTC), days)
    n = prune(services().sessions, cutoff)
    click.echo(f"{n} audit entries older than {days} days (before {cutoff:%Y-%m-%d %H:%M} UTC) deleted")
