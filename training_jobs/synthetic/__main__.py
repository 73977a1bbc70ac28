"""CLI: ``python -m training_jobs.synthetic --workers N --seed S --out DIR [--generator latent]``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from training_jobs.synthetic import GENERATORS, generate_courses, write_dataset


def main(argv: Sequence[str] | None = None) -> int:
    """Write a synthetic dataset folder."""
    ap = argparse.ArgumentParser(description="Write a synthetic Yancheng dataset.")
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--courses", type=int, default=600)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--today", type=date.fromisoformat, default=date(2027, 3, 1))
    ap.add_argument("--generator", choices=sorted(GENERATORS), default="tastes")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    courses = generate_courses(args.courses, args.seed, args.today)
    workers, jc, inter = GENERATORS[args.generator](courses, args.workers, args.seed, args.today)
    write_dataset(args.out, courses, workers, jc, inter)
    print(f"wrote {len(courses)} courses, {len(workers)} workers, {len(inter)} interactions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
