"""The daily push plan: every course now in an opted-in worker's own top k and never pushed to them.

``python -m training_jobs.push_plan --date 2026-12-02`` (database and model from ``RECO_DATABASE_URL``
and ``RECO_ARTIFACTS_DIR``, or ``--database-url`` / ``--artifacts``); no web app involved.

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
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from tqdm import tqdm

from policy import PolicySettings
from recommender.audience import CourseColumn, course_audience
from recommender.ranking import RankingWeights
from serving.models import ModelServing
from serving.push_audience import AudienceWorker, build_audience_state
from serving.push_plan import Candidate, PushCaps, PushHistory, assign, due_at, week_start
from serving.snapshot import CatalogSnapshot, build_snapshot
from workers.profiles import to_profile
from workers.push_tables import PlannedPush
from workers.tables import Event, FamilyLink, Worker


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


def load_workers(session: Session) -> list[tuple[AudienceWorker, Worker]]:
    """Opted-in workers with what ranking reads: profile, dismissals, courses already taken."""
    stmt = (select(Worker).where(Worker.push_opt_in.is_(True)).order_by(Worker.id)
            .options(selectinload(Worker.certificates), selectinload(Worker.trainings),
                     selectinload(Worker.family_links).selectinload(FamilyLink.relative)))
    dismissed: dict[int, set[int]] = {}
    for wid, cid in session.execute(select(Event.worker_id, Event.course_id).join(
            Worker, Worker.id == Event.worker_id).where(Event.kind == "dismiss", Worker.push_opt_in.is_(True))):
        dismissed.setdefault(wid, set()).add(cid)
    out = []
    for w in session.scalars(stmt):
        taken = frozenset(t.course_id for t in w.trainings if t.course_id is not None and t.status != "dropped")
        out.append((AudienceWorker(w.id, to_profile(w), True, frozenset(dismissed.get(w.id, ())), taken), w))
    return out


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


def plan_day(factory: sessionmaker[Session], serving: ModelServing, *, day: date, settings: PolicySettings,
             weights: RankingWeights, caps: PushCaps, k: int = 20, default_max_km: float | None = 50.0,
             progress: bool = True) -> PlanSummary:
    """Plan and record ``day``'s pushes; returns the summary."""
    summary = PlanSummary(day)
    with factory() as session:
        snapshot: CatalogSnapshot = build_snapshot(session, day)
        loaded = load_workers(session)
        summary.workers = len(loaded)
        rows = {w.id: w for _, w in loaded}
        bar = tqdm(total=len(loaded), unit="worker", desc="rank workers", disable=not progress or None)
        state = build_audience_state(snapshot, serving, (a for a, _ in loaded), today=day, settings=settings,
                                     weights=weights, k=k, default_max_km=default_max_km, progress=bar.update)
        bar.close()
        artifact = serving.current()
        items = serving.item_matrix(artifact, snapshot) if artifact is not None else None
        t = day.toordinal()
        open_rows = [r for r, c in enumerate(snapshot.items) if c.seats_left > 0 and c.enrol_deadline.toordinal() >= t]
        summary.courses = len(open_rows)
        candidates: list[Candidate] = []
        for r in tqdm(open_rows, unit="course", desc="audiences", disable=not progress or None):
            column = CourseColumn.of(snapshot.arrays, r, None if items is None else items.vectors,
                                     None if items is None else items.biases)
            audience = course_audience(state, column, today=day, weights=weights)
            cid = snapshot.items[r].id
            candidates.extend(Candidate(int(w), cid, int(p), float(s)) for w, p, s in
                              zip(audience.worker_ids, audience.position, audience.score, strict=True))
        summary.candidates = len(candidates)
        seats = {snapshot.items[r].id: snapshot.items[r].seats_left for r in open_rows}
    with factory.begin() as session:
        history = load_history(session, day)  # read inside the writing transaction: reruns see it
        chosen = assign(candidates, caps=caps, seats_left=seats, history=history)
        when = due_at(day, caps)
        session.add_all(PlannedPush(plan_date=day, worker_id=c.worker_id, course_id=c.course_id,
                                    position=c.position, due_at=when, status="pending") for c in chosen)
    for c in chosen:
        w = rows[c.worker_id]
        summary.by_county[w.residence_county or w.hukou_county or "unknown"] += 1
        for group in w.priority_groups or ["none"]:
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
    from storage.engine import make_engine
    from storage.session import make_session_factory

    parser = argparse.ArgumentParser(description="Plan a day's course pushes (caps, budget, quiet hours).")
    parser.add_argument("--date", type=date.fromisoformat, default=None,
                        help="Plan date (default: RECO_TODAY or today)")
    parser.add_argument("--database-url", default=os.environ.get("RECO_DATABASE_URL"))
    parser.add_argument("--artifacts", default=os.environ.get("RECO_ARTIFACTS_DIR", "var/artifacts"))
    parser.add_argument("--top", type=int, default=20, help="Push a course that is in the worker's top N")
    parser.add_argument("--per-day", type=int, default=1)
    parser.add_argument("--per-week", type=int, default=3)
    parser.add_argument("--per-seat", type=int, default=10)
    parser.add_argument("--default-max-km", type=float, default=float(os.environ.get("RECO_DEFAULT_MAX_KM", 50)))
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url or RECO_DATABASE_URL is required")
    day = args.date or date.fromisoformat(os.environ.get("RECO_TODAY") or date.today().isoformat())
    engine = make_engine(args.database_url)
    try:
        summary = plan_day(
            make_session_factory(engine), ModelServing(args.artifacts, reload_seconds=0), day=day,
            settings=PolicySettings.from_mapping(json.loads(os.environ.get("RECO_POLICY_JSON") or "{}")),
            weights=RankingWeights.from_mapping(json.loads(os.environ.get("RECO_RANKING_JSON") or "{}")),
            caps=PushCaps(per_day=args.per_day, per_week=args.per_week, per_seat=args.per_seat),
            k=args.top, default_max_km=args.default_max_km)
    finally:
        engine.dispose()
    print(summary.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
