"""The push-planning job: which opted-in workers each new course suits, written as JSON lines.

``python -m training_jobs.push --course 256 --course CODE --out var/push.jsonl`` (or the thin
wrapper ``flask push plan``) reads the same ``RECO_*`` settings as the web app and needs no web
app. The audience itself is the use case :func:`serving.push.course_push_audience`, built on the
per-worker step of the recommendation endpoint; this job adds the per-seat budget, the progress
bar and an atomic plan file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from tqdm import tqdm

from catalog.tables import Course
from serving.push import GENERIC_TITLE, PushSummary, course_push_audience, opted_in_count, opted_in_workers, plan_pushes
from serving.root import Services, SettingsError, services_from_environment

__all__ = ["GENERIC_TITLE", "PushSummary", "UnknownCourse", "cap_per_course", "main", "plan_pushes", "run_plan"]


class UnknownCourse(ValueError):
    """A --course value that names no course."""


def cap_per_course(lines: Iterable[dict[str, Any]], budget: dict[int, int],
                   summary: PushSummary | None = None) -> list[dict[str, Any]]:
    """Keep, per course, the ``budget[course]`` lines where it ranks highest for the worker.

    A course with 9 open seats pushed to 545 people disappoints 536 of them; the budget (e.g. ten
    pushes per open seat) goes to the workers for whom the course is the best fit."""
    by_course: dict[int, list[dict[str, Any]]] = {}
    for line in lines:
        by_course.setdefault(line["course_id"], []).append(line)
    kept: list[dict[str, Any]] = []
    for course_id, group in by_course.items():
        group.sort(key=lambda line: (line["rank"], line["worker_id"]))
        n = budget.get(course_id, len(group))
        kept.extend(group[:n])
        if summary is not None:
            summary.held_back += len(group) - min(n, len(group))
            summary.by_course[course_id] = min(n, len(group))
    kept.sort(key=lambda line: (line["worker_id"], line["course_id"]))
    return kept


def run_plan(services: Services, courses: Sequence[str], out: Path, *, top: int = 20, per_seat: int = 10,
             progress: bool = True) -> PushSummary:
    """Plan pushes of the given courses (ids or codes) into ``out``; a half-written plan never
    replaces a complete one."""
    with services.sessions() as session:
        ids = {int(c) for c in courses if c.isdigit()}
        codes = [c for c in courses if not c.isdigit()]
        found = set(session.scalars(select(Course.id).where(or_(Course.id.in_(ids), Course.code.in_(codes)))))
        if len(found) < len(set(courses)):
            raise UnknownCourse("unknown course id or code among the courses asked for")
        total = opted_in_count(session)
        workers = tqdm(opted_in_workers(session), total=total, unit="worker", desc="push audience",
                       disable=None if progress else True, file=sys.stderr)
        summary = PushSummary()
        lines: Iterable[dict[str, Any]] = course_push_audience(services, session, found, top_k=top,
                                                               summary=summary, workers=workers)
        if per_seat > 0:
            snapshot = services.snapshots.get(session, services.today())
            budget = {cid: max(snapshot.items[snapshot.row_of[cid]].seats_left, 1) * per_seat for cid in found}
            lines = cap_per_course(lines, budget, summary)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(tmp, out)
    return summary


def summary_lines(summary: PushSummary, out: Path) -> list[str]:
    lines = [f"scanned {summary.scanned} opted-in workers; {summary.pushes} pushes planned -> {out}"
             f" ({summary.held_back} held back by the per-seat cap)"]
    lines += [f"  course {course_id}: {n} workers" for course_id, n in summary.by_course.most_common()]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m training_jobs.push``: exit 0 on success, 2 on bad arguments or settings."""
    ap = argparse.ArgumentParser(description="Plan pushes of new courses to the opted-in workers they suit.")
    ap.add_argument("--course", dest="courses", action="append", required=True, help="course id or code (repeatable)")
    ap.add_argument("--top", type=int, default=20, help="push when the course is in the worker's top N")
    ap.add_argument("--per-seat", type=int, default=10, help="at most this many pushes per open seat (0: no cap)")
    ap.add_argument("--out", type=Path, required=True, help="JSON-lines push plan to write")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    try:
        services = services_from_environment()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        summary = run_plan(services, args.courses, args.out, top=args.top, per_seat=args.per_seat,
                           progress=not args.no_progress)
    except UnknownCourse as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        services.close()
    print("\n".join(summary_lines(summary, args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
