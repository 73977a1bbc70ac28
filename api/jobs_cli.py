"""Long jobs an operator runs, as `flask` commands: thin wrappers over the jobs of training_jobs/
(`python -m training_jobs.demo|train|push` run the same code without the web app), plus demo keys."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from access.keys import create_key
from api.context import services
from recommender.model import ModelParams
from storage.session import writing

demo_cli = AppGroup("demo", help="Demo data: a synthetic population and keys.")


@demo_cli.command("populate")
@click.option("--workers", "n_workers", default=20_000, show_default=True, help="How many synthetic workers.")
@click.option("--seed", default=2019, show_default=True)
@click.option("--replace", is_flag=True, help="Add another population even if one is there.")
def demo_populate(n_workers: int, seed: int, replace: bool) -> None:
    """Generate a seeded synthetic population with interactions on the imported catalog."""
    from training_jobs.demo import NoCatalog, describe, populate

    click.echo(f"generating up to {n_workers} workers (seed {seed}) …")
    try:
        result = populate(services(), n_workers, seed, replace=replace)
    except NoCatalog as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(describe(result))


@demo_cli.command("outcomes")
@click.option("--seed", default=2019, show_default=True)
def demo_outcomes(seed: int) -> None:
    """Give the demo population a training history: past classes, completions, certificates."""
    from training_jobs.outcome_history import history_present, write_history

    with writing(services().sessions) as session:
        if history_present(session):
            click.echo("demo training history already present; nothing to do")
            return
        added = write_history(session, services().today(), seed)
    click.echo(f"demo training history: {added['classes']} past classes, {added['records']} training records")


@demo_cli.command("keys")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Also write the keys to this file (mode 600).")
def demo_keys(out: Path | None) -> None:
    """Create one key per role for trying the API, and print them."""
    secret = services().secret_key
    lines = []
    with writing(services().sessions) as session:
        for role, center in (("admin", None), ("counselor", "JC-TINGHU"), ("app", None)):
            _, key = create_key(session, secret, role, job_center_code=center, name=f"demo {role}")
            lines.append(f"RECO_DEMO_{role.upper()}_KEY={key}")
    click.echo("Demo API keys (shown once; the counselor key works for JC-TINGHU):")
    for line in lines:
        click.echo(f"  {line}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        click.echo(f"  (also written to {out})")


@click.command("train")
@with_appcontext
@click.option("--epochs", type=int, default=None, help="Override the number of epochs.")
@click.option("--components", type=int, default=None, help="Override the number of latent components.")
@click.option("--strict", is_flag=True, help="Exit 2 when the model is not promoted.")
@click.option("--promote", is_flag=True, help="Promote even if the gate refuses (needs --reason; audited).")
@click.option("--reason", default=None, help="Why the gate is overridden.")
def train(epochs: int | None, components: int | None, strict: bool, promote: bool, reason: str | None) -> None:
    """Train on the database's workers and events; publish if it passes the promotion gate."""
    if promote and not (reason and reason.strip()):
        raise click.UsageError("--promote needs --reason: an override is audited")
    from training_jobs.train import summary_table, train_from_database

    params = ModelParams()
    overrides = {k: v for k, v in (("epochs", epochs), ("no_components", components)) if v is not None}
    if overrides:
        params = ModelParams.from_mapping({**params.to_dict(), **overrides})
    run = train_from_database(services(), params, override_reason=reason if promote else None)
    click.echo(f"training on {run.workers} workers, {run.courses} courses, {run.interactions} interactions")
    result = run.result
    if result is None:
        click.echo("no interactions yet: nothing to learn from; the service ranks by rules")
        return
    click.echo(summary_table(result.metrics))
    click.echo(f"version {result.version}: {'PROMOTED' if result.promoted else 'NOT promoted'} ({result.reason})")
    click.echo(f"report: {result.report_path}")
    if strict and not result.promoted:
        sys.exit(2)


push_cli = AppGroup("push", help="Automated push of training services.")


@push_cli.command("plan")
@click.option("--course", "courses", multiple=True, required=True, help="Course id or code (repeatable).")
@click.option("--top", default=20, show_default=True, help="Push when the course is in the worker's top N.")
@click.option("--per-seat", default=10, show_default=True,
              help="At most this many pushes per open seat of a course (0: no cap).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="JSON-lines push plan to write.")
def push_plan(courses: tuple[str, ...], top: int, per_seat: int, out: Path) -> None:
    """Plan pushes of new courses to the opted-in workers they suit (a batch job)."""
    from training_jobs.push import UnknownCourse, run_plan, summary_lines

    try:
        summary = run_plan(services(), courses, out, top=top, per_seat=per_seat)
    except UnknownCourse as exc:
        raise click.UsageError(f"{exc} (--course)") from exc
    for line in summary_lines(summary, out):
        click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(train)
    app.cli.add_command(push_cli)
