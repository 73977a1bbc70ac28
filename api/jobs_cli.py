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
        added = write_history(session, services().today(), seed, services().ranking.policy)
    click.echo(f"demo training history: {added['classes']} past classes, {added['records']} training records")


DEMO_ROLES = (("admin", None), ("counselor", "JC-TINGHU"), ("app", None))
DEMO_CONSOLE_USER = "demo.tinghu"


def read_env_file(path: Path | None) -> dict[str, str]:
    if path is None or not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


@demo_cli.command("keys")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Also write the keys to this file (mode 600); when it holds working demo keys they are reused.")
def demo_keys(out: Path | None) -> None:
    """One key per role and a console account (JC-TINGHU) for trying the service, printed.

    Idempotent with --out: keys in that file that still work are reused, so running `make run`
    again adds nothing; demo keys that are replaced are revoked, never left active."""
    from sqlalchemy import select

    from access.accounts import AccountError, create_account, hash_password
    from access.keys import authenticate, revoke_key
    from access.tables import ApiKey, CounselorAccount

    secret = services().secret_key
    known = read_env_file(out)
    lines, reused = [], 0
    with writing(services().sessions) as session:
        for role, center in DEMO_ROLES:
            name = f"RECO_DEMO_{role.upper()}_KEY"
            key = known.get(name, "")
            principal = authenticate(session, secret, key) if key else None
            if principal is not None and principal.role == role:
                reused += 1
            else:
                for old in session.scalars(select(ApiKey).where(ApiKey.name == f"demo {role}",
                                                                ApiKey.revoked_at.is_(None))):
                    revoke_key(session, old.prefix)
                _, key = create_key(session, secret, role, job_center_code=center, name=f"demo {role}")
            lines.append(f"{name}={key}")
        password = known.get("RECO_DEMO_CONSOLE_PASSWORD", "")
        account = session.scalar(select(CounselorAccount).where(CounselorAccount.username == DEMO_CONSOLE_USER))
        if account is None or not password:
            import secrets

            password = secrets.token_urlsafe(12)
            if account is not None:
                account.password_hash = hash_password(password)
                account.session_epoch += 1
            else:
                try:
                    create_account(session, DEMO_CONSOLE_USER, password, job_center_code="JC-TINGHU",
                                   display_name="演示账户（亭湖）")
                except AccountError as exc:
                    raise click.UsageError(f"demo console account: {exc}") from exc
        lines += [f"RECO_DEMO_CONSOLE_USER={DEMO_CONSOLE_USER}", f"RECO_DEMO_CONSOLE_PASSWORD={password}"]
    if reused == len(DEMO_ROLES):
        click.echo(f"Reusing the demo keys in {out} (still valid; nothing new was created):")
    else:
        click.echo("Demo API keys (the counselor key works for JC-TINGHU) and console account:")
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
