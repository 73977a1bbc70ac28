"""Long jobs an operator runs: the demo population, demo keys, and training the model."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from access.keys import create_key
from api.cli import sessions
from recommender.model import InteractionWeights, ModelParams
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
    try:
        weights = InteractionWeights.from_mapping(json.loads(current_app.config["EVENT_WEIGHTS"] or "{}"))
    except ValueError as exc:  # also json.JSONDecodeError
        raise click.UsageError(f"RECO_EVENT_WEIGHTS: {exc}") from exc
    with sessions()() as session:
        data = load_training_data(session, service_today())
    click.echo(f"training on {len(data.workers)} workers, {len(data.courses)} courses, "
               f"{len(data.interactions)} interactions")
    if not data.interactions:
        click.echo("no interactions yet: nothing to learn from; the service ranks by rules")
        return
    result = run_training(data, params, current_app.config["ARTIFACTS_DIR"], today=service_today(), weights=weights)
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
    from sqlalchemy import func, or_, select
    from sqlalchemy.orm import selectinload
    from tqdm import tqdm

    from catalog.tables import Course
    from serving.snapshot import build_snapshot
    from training_jobs.push import PushSummary, cap_per_course, plan_pushes
    from workers.profiles import to_profile
    from workers.tables import FamilyLink, Worker

    app = current_app
    with sessions()() as session:
        ids = {int(c) for c in courses if c.isdigit()}
        codes = [c for c in courses if not c.isdigit()]
        found = set(session.scalars(select(Course.id).where(or_(Course.id.in_(ids), Course.code.in_(codes)))))
        if len(found) < len(set(courses)):
            raise click.UsageError("unknown course id or code among --course values")
        snap = build_snapshot(session, service_today())
        total = session.scalar(select(func.count(Worker.id)).where(Worker.push_opt_in.is_(True))) or 0
        stmt = (select(Worker).where(Worker.push_opt_in.is_(True)).order_by(Worker.id)
                .options(selectinload(Worker.certificates), selectinload(Worker.trainings),
                         selectinload(Worker.family_links).selectinload(FamilyLink.relative))
                .execution_options(yield_per=1000))
        workers = ((w.id, to_profile(w)) for w in tqdm(session.scalars(stmt), total=total, unit="worker",
                                                        desc="push audience", disable=None))
        summary = PushSummary()
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        lines = plan_pushes(snap, app.extensions["reco.serving"], workers, found, today=service_today(),
                            settings=app.extensions["reco.policy"], weights=app.extensions["reco.weights"],
                            top_k=top, default_max_km=app.config["DEFAULT_MAX_KM"], summary=summary)
        if per_seat > 0:
            budget = {cid: max(snap.items[snap.row_of[cid]].seats_left, 1) * per_seat for cid in found}
            lines = iter(cap_per_course(lines, budget, summary))
        with open(tmp, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(tmp, out)  # a half-written plan never replaces a complete one
    click.echo(f"scanned {summary.scanned} opted-in workers; {summary.pushes} pushes planned -> {out}"
               f" ({summary.held_back} held back by the per-seat cap)")
    for course_id, n in summary.by_course.most_common():
        click.echo(f"  course {course_id}: {n} workers")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(train)
    app.cli.add_command(push_cli)
