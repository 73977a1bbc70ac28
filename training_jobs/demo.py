"""The demo population job: a seeded synthetic population with interactions on the imported catalog.

``python -m training_jobs.demo --workers 20000`` (or the thin wrapper ``flask demo populate``) reads
the same ``RECO_*`` settings as the web app and needs no web app.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from serving.root import Services, SettingsError, services_from_environment
from storage.session import writing


class NoCatalog(RuntimeError):
    """The catalog is empty: a population needs courses to interact with."""


@dataclass(frozen=True)
class PopulateResult:
    workers: int
    events: int
    already_present: int  # workers of an earlier population, when nothing was written


def populate(services: Services, n_workers: int, seed: int, *, replace: bool = False,
             progress: bool = True) -> PopulateResult:
    """Write ``n_workers`` synthetic workers and their events (once, unless ``replace``)."""
    from training_jobs.dataset import catalog_items
    from training_jobs.demo_population import demo_worker_count, write_population
    from training_jobs.synthetic import generate_population

    today = services.today()
    with writing(services.sessions) as session:
        existing = demo_worker_count(session)
        if existing and not replace:
            return PopulateResult(0, 0, existing)
        courses = catalog_items(session, today)
        if not courses:
            raise NoCatalog("import the catalog first (flask catalog import catalog/data)")
        workers, centers, events = generate_population(courses, n_workers, seed, today)
        n_w, n_e = write_population(session, workers, centers, events, progress=progress)
    return PopulateResult(n_w, n_e, 0)


def describe(result: PopulateResult) -> str:
    if result.already_present:
        return f"demo population already present ({result.already_present} workers); nothing to do"
    return f"demo population: {result.workers} workers, {result.events} events written"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a seeded synthetic population on the imported catalog.")
    ap.add_argument("--workers", type=int, default=20_000, help="how many synthetic workers")
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--replace", action="store_true", help="add another population even if one is there")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    try:
        services = services_from_environment()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        result = populate(services, args.workers, args.seed, replace=args.replace, progress=not args.no_progress)
    except NoCatalog as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        services.close()
    print(describe(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
