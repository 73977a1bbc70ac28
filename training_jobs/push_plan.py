"""The daily push plan: every course now in an opted-in worker's own top k and never pushed to them.

``python -m training_jobs.push_plan --date 2026-12-02``: settings from the ``RECO_*`` variables
through the composition root (``serving.root``), ``--database-url`` / ``--artifacts`` override;
no web app involved.

1. Rank every opted-in worker once (the recommendation path) and keep the audience state.
2. For every course open for enrolment with seats left, its audience in one pass: this covers the
   newly published courses and the newly relevant ones (a course that entered a worker's list
   because their profile, the seats or the shortage list changed) alike; what was pushed before is
   excluded by the record of planned pushes.
3. Assign under the caps (``serving.push_plan``) and record the pushes in ``planned_pushes``, all
   in one transaction: a second run for the same date finds every pair, every daily cap and every
   course budget already used, and adds nothing.

Ends with a summary by county and by priority group (counts only, for the operator).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from recommender.audience import CourseColumn, course_audience
from serving.push import opted_in_workers
from serving.push_audience import AudienceWorker, build_audience_state
from serving.push_plan import Candidate, PushCaps, PushHistory, assign, due_at, week_start
from serving.root import Services, services_from_environment
from serving.snapshot import CatalogSnapshot, build_snapshot
from workers.push_tables import PlannedPush
from workers.tables import Worker


@dataclass
class PlanSummary:
    day: date
    workers: int = 0
    courses: int = 0
    candidates: int = 0
    planned: int = 0
    by_county: Counter[str] = field(default_factory=Counter)
    by_group: Counter[str] = field(default_factory=Counter)
    by_course: Counter[int] = field(default_factory=Counter)

    def table(self) -> str:
        lines = [f"push plan {self.day.isoformat()}: {self.workers} opted-in workers ranked, "
                 f"{self.courses} open courses, {self.candidates} (worker, course) matches, "
                 f"{self.planned} pushes planned", "", f"{'county':<20} {'pushes':>8}"]
        lines += [f"{county:<20} {n:>8}" for county, n in sorted(self.by_county.items())]
        lines += ["", f"{'priority group':<24} {'pushes':>8}"]
        lines += [f"{group:<24} {n:>8}" for group, n in sorted(self.by_group.items())]
        return "\n".join(lines)


def load_workers(session: Session) -> list[AudienceWorker]:
    """Opted-in workers as the recommendation endpoint reads them (archive, standing dismissals)."""
    return [AudienceWorker(w.id, w.profile, True, w.dismissed) for w in opted_in_workers(session)]


def load_history(session: Session, day: date) -> PushHistory:
    history = PushHistory()
    for wid, cid, plan_date in session.execute(
            select(PlannedPush.worker_id, PlannedPush.course_id, PlannedPush.plan_date)):
        history.pairs.add((wid, cid))
        history.by_course[cid] += 1
        if week_start(day) <= plan_date <= day:
            history.this_week[wid] += 1
        if plan_date == day:
            history.today[wid] += 1
    return history


def plan_day(services: Services, *, day: date, caps: PushCaps, k: int = 20, progress: bool = True) -> PlanSummary:
    """Plan and record ``day``'s pushes; returns the summary."""
    summary = PlanSummary(day)
    config, models = services.ranking, services.models
    with services.sessions() as session:
        snapshot: CatalogSnapshot = build_snapshot(session, day)
        loaded = load_workers(session)
        summary.workers = len(loaded)
        bar = tqdm(total=len(loaded), unit="worker", desc="rank workers", disable=not progress or None)
        state = build_audience_state(snapshot, models, loaded, today=day, settings=config.policy,
                                     weights=config.weights, k=k, default_max_km=config.default_max_km,
                                     max_per_occupation=config.caps.per_occupation,
                                     max_per_institution=config.caps.per_institution, progress=bar.update)
        bar.close()
        artifact = models.current()
        items = models.item_matrix(artifact, snapshot) if artifact is not None else None
        t = day.toordinal()
        open_rows = [r for r, c in enumerate(snapshot.items) if c.seats_left > 0 and c.enrol_deadline.toordinal() >= t]
        summary.courses = len(open_rows)
        candidates: list[Candidate] = []
        for r in tqdm(open_rows, unit="course", desc="audiences", disable=not progress or None):
            column = CourseColumn.of(snapshot.arrays, r, None if items is None else items.vectors,
                                     None if items is None else items.biases)
            audience = course_audience(state, column, today=day, weights=config.weights)
            cid = snapshot.items[r].id
            candidates.extend(Candidate(int(w), cid, int(p), float(s)) for w, p, s in
                              zip(audience.worker_ids, audience.position, audience.score, strict=True))
        summary.candidates = len(candidates)
        seats = {snapshot.items[r].id: snapshot.items[r].seats_left for r in open_rows}
    with services.sessions.begin() as session:
        history = load_history(session, day)  # read inside the writing transaction: reruns see it
        chosen = assign(candidates, caps=caps, seats_left=seats, history=history)
        when = due_at(day, caps)
        session.add_all(PlannedPush(plan_date=day, worker_id=c.worker_id, course_id=c.course_id,
                                    position=c.position, due_at=when, status="pending") for c in chosen)
        places = {wid: (county, groups) for wid, county, groups in session.execute(
            select(Worker.id, func.coalesce(Worker.residence_county, Worker.hukou_county), Worker.priority_groups)
            .where(Worker.push_opt_in.is_(True)))}
    for c in chosen:
        county, groups = places.get(c.worker_id, (None, []))
        summary.by_county[county or "unknown"] += 1
        for group in groups or ["none"]:
            summary.by_group[group] += 1
        summary.by_course[c.course_id] += 1
    summary.planned = len(chosen)
    return summary


def pending_payloads(session: Session, snapshot: CatalogSnapshot, day: date) -> list[dict[str, object]]:
    """The notifications of ``day``'s pending pushes, as the sender would send them."""
    from serving.push_plan import payload

    rows = session.execute(select(PlannedPush.worker_id, PlannedPush.course_id).where(
        PlannedPush.plan_date == day, PlannedPush.status == "pending").order_by(PlannedPush.id))
    return [{"worker_id": wid, **payload(snapshot.items[snapshot.row_of[cid]])} for wid, cid in rows]


def count_planned(session: Session, day: date) -> int:
    return int(session.scalar(select(func.count(PlannedPush.id)).where(PlannedPush.plan_date == day)) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Plan a day's course pushes (caps, budget, quiet hours).")
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="Plan date (default: today)")
    parser.add_argument("--database-url", default=None, help="Default: RECO_DATABASE_URL")
    parser.add_argument("--artifacts", default=None, help="Default: RECO_ARTIFACTS_DIR")
    parser.add_argument("--top", type=int, default=20, help="Push a course that is in the worker's top N")
    parser.add_argument("--per-day", type=int, default=1)
    parser.add_argument("--per-week", type=int, default=3)
    parser.add_argument("--per-seat", type=int, default=10)
    args = parser.parse_args(argv)
    overrides = {key: value for key, value in (("DATABASE_URL", args.database_url),
                                               ("ARTIFACTS_DIR", args.artifacts)) if value}
    services = services_from_environment(overrides)
    try:
        summary = plan_day(services, day=args.date or services.today(), k=args.top,
                           caps=PushCaps(per_day=args.per_day, per_week=args.per_week, per_seat=args.per_seat))
    finally:
        services.close()
    print(summary.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
