"""Long jobs an operator runs: the demo population, demo keys, and training the model."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from access.keys import create_key
from api.cli import sessions
from recommender.model import ModelParams
from storage.session import writing
from training_jobs.dataset import catalog_items, demo_worker_count, load_training_data, write_population

demo_cli = AppGroup("demo", help="Demo data: a synthetic population and keys.")


def service_today() -> date:
    pinned = current_app.config.get("TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


@demo_cli.command("populate")
@click.option("--workers", "n_workers", default=20_000, show_default=True, help="How many synthetic workers.")
@click.option("--seed", default=2019, show_default=True)
@click.option("--replace", is_flag=True, help="Add another population even if one is there.")
def demo_populate(n_workers: int, seed: int, replace: bool) -> None:
    """Generate a seeded synthetic population with interactions on the imported catalog."""
    from training_jobs.synthetic import generate_population

    with writing(sessions()) as session:
        existing = demo_worker_count(session)
        if existing and not replace:
            click.echo(f"demo population already present ({existing} workers); nothing to do")
            return
        courses = catalog_items(session, service_today())
        if not courses:
            raise click.UsageError("import the catalog first (flask catalog import catalog/data)")
        click.echo(f"generating {n_workers} workers over {len(courses)} courses (seed {seed}) …")
        workers, centers, events = generate_population(courses, n_workers, seed, service_today())
        n_w, n_e = write_population(session, workers, centers, events)
    click.echo(f"demo population: {n_w} workers, {n_e} events written")


@demo_cli.command("keys")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Also write the keys to this file (mode 600).")
def demo_keys(out: Path | None) -> None:
    """Create one key per role for trying the API, and print them."""
    secret = current_app.config["SECRET_KEY"]
    lines = []
    with writing(sessions()) as session:
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
@click.option("--epochs", type=int, default=None, help="Override the number of epochs.")
@click.option("--components", type=int, default=None, help="Override the number of latent components.")
@click.option("--strict", is_flag=True, help="Exit 2 when the model is not promoted.")
def train(epochs: int | None, components: int | None, strict: bool) -> None:
    """Train on the database's workers and events; publish if it beats popularity."""
    from training_jobs.train import run_training, summary_table

    params = ModelParams()
    overrides = {k: v for k, v in (("epochs", epochs), ("no_components", components)) if v is not None}
    if overrides:
        params = ModelParams.from_mapping({**params.to_dict(), **overrides})
    with sessions()() as session:
        data = load_training_data(session, service_today())
    click.echo(f"training on {len(data.workers)} workers, {len(data.courses)} courses, "
               f"{len(data.interactions)} interactions")
    if not data.interactions:
        click.echo("no interactions yet: nothing to learn from; the service ranks by rules")
        return
    result = run_training(data, params, current_app.config["ARTIFACTS_DIR"], today=service_today())
    click.echo(summary_table(result.metrics))
    click.echo(f"version {result.version}: {'PROMOTED' if result.promoted else 'NOT promoted'} ({result.reason})")
    click.echo(f"report: {result.report_path}")
    if strict and not result.promoted:
        sys.exit(2)


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(train)
