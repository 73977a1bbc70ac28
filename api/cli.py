"""Operator commands: ``flask --app wsgi db|catalog|keys|workers …``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from access.accounts import ACCOUNT_ROLES, AccountError, create_account, set_disabled
from access.keys import ROLES, KeyRequestError, create_key, revoke_key
from access.tables import ApiKey, CounselorAccount
from api.clock import today
from api.context import services
from catalog.importing import FileSummary, ImportRejected, apply, expand_paths, plan, summary_lines
from catalog.tables import JobCenter
from storage.migrate import current_revision, upgrade
from storage.session import writing
from workers import importing
from workers.service import audit

db_cli = AppGroup("db", help="Database schema.")
catalog_cli = AppGroup("catalog", help="Published catalogs.")
keys_cli = AppGroup("keys", help="API keys.")
workers_cli = AppGroup("workers", help="Worker profiles and training records.")
users_cli = AppGroup("users", help="Counselor accounts for the web console (one per person).")


def sessions() -> sessionmaker[Session]:
    return services().sessions


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema with the Alembic migrations."""
    engine = services().engine
    upgrade(engine, revision)
    click.echo(f"schema at {current_revision(engine)} ({engine.url.get_backend_name()})")


@catalog_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--kind", default=None, help="Kind of every file, when file names don't say it.")
@click.option("--dry-run", is_flag=True, help="Validate only.")
def catalog_import(paths: tuple[Path, ...], kind: str | None, dry_run: bool) -> None:
    """Import catalog files (CSV or JSON): all of them or, on any bad row, none."""
    files = expand_paths(paths)
    # Courses are checked against the rules the service applies (its configured settings).
    settings = services().policy
    run_import(lambda session: apply(session, plan(session, files, kind, progress=True, settings=settings),
                                     progress=True), dry_run)


def run_import(work: Callable[[Session], list[FileSummary]], dry_run: bool) -> None:
    """One import in one write transaction: print every bad row and exit 1, or the summary."""
    try:
        with writing(sessions()) as session:
            summaries = work(session)
            if dry_run:
                session.rollback()
    except ImportRejected as rejected:
        click.echo(f"Import rejected: {len(rejected.errors)} bad row(s); nothing was changed.", err=True)
        for error in rejected.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(1)
    for line in summary_lines(summaries):
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was written")


@keys_cli.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--job-center", "job_center", default=None, help="Job center code (counselor keys).")
@click.option("--name", default="", help="Who or what the key is for.")
def keys_create(role: str, job_center: str | None, name: str) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    try:
        with writing(sessions()) as session:
            row, plaintext = create_key(session, services().secret_key, role,
                                        job_center_code=job_center, name=name)
    except KeyRequestError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(plaintext)
    click.echo(f"(role {role}, prefix {row.prefix}; store it now, it cannot be shown again)", err=True)


@keys_cli.command("list")
def keys_list() -> None:
    """List keys (prefix, role, job center; never the key)."""
    with sessions()() as session:
        centers = {k: v for k, v in session.execute(select(JobCenter.id, JobCenter.code))}
        for k in session.scalars(select(ApiKey).order_by(ApiKey.id)):
            state = "revoked" if k.revoked_at else "active"
            center = centers.get(k.job_center_id, "-") if k.job_center_id else "-"
            click.echo(f"{k.prefix}  {k.role:<10} {center:<12} {state:<8} {k.name}")


@keys_cli.command("revoke")
@click.argument("prefix")
def keys_revoke(prefix: str) -> None:
    """Revoke a key by its prefix."""
    with writing(sessions()) as session:
        if not revoke_key(session, prefix):
            raise click.UsageError(f"no key with prefix {prefix}")
    click.echo(f"revoked {prefix}")


@workers_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and count only.")
def workers_import(paths: tuple[Path, ...], dry_run: bool) -> None:
    """Import workers.csv / trainings.csv (columns in README.md): all rows or, on any bad row, none."""
    # The keyed hash of ID numbers needs the same SECRET_KEY the API uses, or matching breaks.
    secret, on = services().secret_key, today()

    checks: list[tuple[str, int]] = []

    def work(session: Session) -> list[FileSummary]:
        try:
            batch = importing.plan(session, importing.expand_paths(paths), secret_key=secret, today=on,
                                   progress=True, tolerance_days=services().future_tolerance_days)
        except importing.WorkerImportRejected as rejected:
            checks.extend(rejected.identity_checks)
            raise
        return importing.apply(session, batch, secret_key=secret, today=on, progress=True)

    try:
        run_import(work, dry_run)
    finally:
        if checks:
            # The batch was rolled back; the lookups that found people held elsewhere stay on record.
            with writing(sessions()) as session:
                for digest, held_profile in checks:
                    audit(session, None, "id_check", held_profile, ["registered_elsewhere", "import"],
                          national_id_hash=digest)


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--job-center", "job_center", default=None, help="Job center code (counselors belong to one).")
@click.option("--name", "display_name", default="", help="The person's name as shown in the audit trail.")
@click.option("--role", type=click.Choice(ACCOUNT_ROLES), default="counselor", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
def users_create(username: str, job_center: str | None, display_name: str, role: str, password_stdin: bool) -> None:
    """Create a console account; the password is asked for (never an argument: shell history)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with writing(sessions()) as session:
            account = create_account(session, username, password, job_center_code=job_center,
                                     display_name=display_name, role=role)
            account_id = account.id
    except AccountError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"created {role} account {username} (id {account_id}{', ' + job_center if job_center else ''})")


def _set_account_disabled(username: str, disabled: bool) -> None:
    try:
        with writing(sessions()) as session:
            set_disabled(session, username, disabled, datetime.now(UTC))
    except AccountError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"{'disabled' if disabled else 'enabled'} {username}")


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account: it can no longer sign in and its open sessions end."""
    _set_account_disabled(username, True)


@users_cli.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account again (and lift a lockout)."""
    _set_account_disabled(username, False)


@users_cli.command("list")
def users_list() -> None:
    """List accounts (username, role, job center, state, name)."""
    with sessions()() as session:
        centers = {k: v for k, v in session.execute(select(JobCenter.id, JobCenter.code))}
        for a in session.scalars(select(CounselorAccount).order_by(CounselorAccount.id)):
            state = "disabled" if a.disabled_at else "active"
            click.echo(f"{a.username:<20} {a.role:<10} {centers.get(a.job_center_id or -1, '-'):<12} {state:<8} {a.display_name}")


def init_app(app: Flask) -> None:
    from api.audit_cli import audit_cli

    for group in (db_cli, catalog_cli, keys_cli, workers_cli, users_cli, audit_cli):
        app.cli.add_command(group)
