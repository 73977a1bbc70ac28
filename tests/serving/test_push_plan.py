"""The daily push plan: caps, budget, no repeats, idempotent per date, quiet hours, lock-screen-safe
payloads; checked on a database holding the sample catalog and a generated population."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog.importing import apply, expand_paths, plan
from catalog.vocabulary import PRIORITY_GROUPS, SENSITIVE_PRIORITY_GROUPS
from serving.models import ModelServing
from serving.push import opted_in_workers
from serving.push_plan import (
    PAYLOAD_KEYS,
    Candidate,
    PushCaps,
    PushHistory,
    assign,
    due_at,
    in_quiet_hours,
    payload,
)
from serving.recommendations import rank_stored_worker
from serving.root import Services, build_services
from serving.settings import load_settings
from serving.snapshot import build_snapshot
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.session import make_session_factory, writing
from tests.conftest import SAMPLE_CATALOG
from tests.serving.conftest import DEFAULT_MAX_KM, TODAY
from training_jobs.demo_population import write_population
from training_jobs.push_plan import count_planned, load_workers, pending_payloads, plan_day
from training_jobs.synthetic import generate_population
from workers.push_tables import PlannedPush
from workers.tables import Worker

CAPS = PushCaps(per_day=1, per_week=2, per_seat=10)
K = 20


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    path = tmp_path_factory.mktemp("plan") / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    f = make_session_factory(engine)
    with writing(f) as session:
        apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
    with f() as session:
        items = list(build_snapshot(session, TODAY).items)
    workers, centers, events = generate_population(items, 300, 21, TODAY)
    with writing(f) as session:
        write_population(session, workers, centers, events, progress=False)
    yield f
    engine.dispose()


def services_for(factory: sessionmaker[Session], serving: ModelServing) -> Services:
    return build_services(load_settings({}, {
        "DATABASE_URL": str(factory.kw["bind"].url), "ARTIFACTS_DIR": str(serving.store.root),
        "MODEL_RELOAD_SECONDS": 0, "DEFAULT_MAX_KM": DEFAULT_MAX_KM}))


def run(factory: sessionmaker[Session], serving: ModelServing, day: date, caps: PushCaps = CAPS) -> int:
    services = services_for(factory, serving)
    try:
        return plan_day(services, day=day, caps=caps, k=K, progress=False).planned
    finally:
        services.close()


@pytest.mark.slow
def test_daily_plans_obey_caps_never_repeat_and_rerun_adds_nothing(
        factory: sessionmaker[Session], trained: ModelServing) -> None:
    days = [TODAY + timedelta(days=i) for i in range(4)]
    first = run(factory, trained, days[0])
    assert first > 0
    assert run(factory, trained, days[0]) == 0  # same date again: nothing new
    with factory() as session:
        assert count_planned(session, days[0]) == first
        snapshot = build_snapshot(session, days[0])
        # The endpoint's own per-worker step, for every opted-in worker.
        ranker = services_for(factory, trained).ranker
        lists = {w.id: {r.course.id: r.rank for r in rank_stored_worker(
            ranker, snapshot, w, today=days[0], k=K).items} for w in opted_in_workers(session)}
        dismissed = {a.worker_id: a.dismissed for a in load_workers(session)}
        opted_in = {wid: bool(ok) for wid, ok in session.execute(select(Worker.id, Worker.push_opt_in))}
        for p in session.scalars(select(PlannedPush).where(PlannedPush.plan_date == days[0])):
            # Only what the worker's own list shows, at that place; never a dismissed course.
            assert opted_in[p.worker_id] and lists[p.worker_id][p.course_id] == p.position
            assert p.course_id not in dismissed[p.worker_id]
            course = snapshot.items[snapshot.row_of[p.course_id]]
            assert course.seats_left > 0 and course.enrol_deadline >= days[0]
            assert not in_quiet_hours(p.due_at if p.due_at.tzinfo else p.due_at.replace(tzinfo=UTC), CAPS)
    for day in days[1:]:
        run(factory, trained, day)
        assert run(factory, trained, day) == 0
    with factory() as session:
        pushes = list(session.scalars(select(PlannedPush)))
        assert len({p.plan_date for p in pushes}) >= 2
        pairs = Counter((p.worker_id, p.course_id) for p in pushes)
        assert max(pairs.values()) == 1  # never the same course twice to a worker
        per_day = Counter((p.worker_id, p.plan_date) for p in pushes)
        assert max(per_day.values()) <= CAPS.per_day
        for wid in {p.worker_id for p in pushes}:
            for day in days:
                window = [p for p in pushes if p.worker_id == wid and day - timedelta(days=6) <= p.plan_date <= day]
                assert len(window) <= CAPS.per_week
        assert any(n == CAPS.per_week for n in Counter(p.worker_id for p in pushes).values())
        # The per-course budget: ten pushes per open seat.
        snapshot = build_snapshot(session, days[-1])
        for cid, n in Counter(p.course_id for p in pushes).items():
            assert n <= CAPS.per_seat * max(snapshot.items[snapshot.row_of[cid]].seats_left, 1)


@pytest.mark.slow
def test_no_payload_of_a_generated_plan_holds_anything_about_the_worker(
        factory: sessionmaker[Session], trained: ModelServing) -> None:
    day = TODAY + timedelta(days=10)
    run(factory, trained, day, PushCaps(per_day=3, per_week=20, per_seat=10))
    with factory() as session:
        snapshot = build_snapshot(session, day)
        payloads = pending_payloads(session, snapshot, day)
        workers = {w.id: w for w in session.scalars(select(Worker))}
    assert len(payloads) > 20
    generic = 0
    for p in payloads:
        assert set(p) == PAYLOAD_KEYS | {"worker_id"}
        w = workers[int(str(p["worker_id"]))]
        text = json.dumps({k: v for k, v in p.items() if k != "worker_id"}, ensure_ascii=False)
        for group in PRIORITY_GROUPS:
            assert group not in text
        for secret in ("disab", "残疾", "低保", "dibao", "low_income", "矫正", "priority", '"lat"', '"lon"'):
            assert secret not in text  # location keys quoted: course titles may hold "Installation"
        if w.lat is not None and w.lon is not None:
            assert f"{w.lat:.3f}" not in text and f"{w.lon:.3f}" not in text
        course = snapshot.items[snapshot.row_of[int(str(p["course_id"]))]]
        sensitive = bool(course.facts.target_groups & SENSITIVE_PRIORITY_GROUPS)
        assert p["generic_title"] is sensitive
        if sensitive:
            generic += 1
            assert p["institution_name_zh"] is None and course.title_zh not in text
        else:
            assert p["title_zh"] == course.title_zh and p["institution_name_zh"] == course.institution_name_zh
    # Every sensitive course in the catalog gets the generic payload, whether or not it was planned.
    sensitive_items = [c for c in snapshot.items if c.facts.target_groups & SENSITIVE_PRIORITY_GROUPS]
    assert sensitive_items
    for c in sensitive_items:
        shown = payload(c)
        assert shown["generic_title"] is True and shown["institution_name_zh"] is None
        assert c.title_zh not in json.dumps(shown, ensure_ascii=False)


def test_assign_takes_best_fits_within_the_caps_and_the_budget() -> None:
    cands = [Candidate(1, 10, 1, 2.0), Candidate(1, 20, 2, 1.5), Candidate(2, 10, 3, 1.0),
             Candidate(3, 10, 1, 1.9), Candidate(4, 20, 1, 1.2), Candidate(5, 30, 1, 1.0)]
    history = PushHistory(pairs={(5, 30)}, this_week=Counter({4: 2}))
    chosen = assign(cands, caps=PushCaps(per_day=1, per_week=2, per_seat=1), seats_left={10: 2, 20: 1, 30: 5},
                    history=history)
    got = {(c.worker_id, c.course_id) for c in chosen}
    # Course 10 has budget 2 (1 per seat x 2): workers 1 and 3 (place 1); worker 2 is left out.
    # Worker 4 is at the weekly cap; worker 5 had course 30 already; worker 1 has its one for the day.
    assert got == {(1, 10), (3, 10)}
    assert assign(cands, caps=PushCaps(per_day=2, per_week=5, per_seat=10), seats_left={10: 0, 20: 1, 30: 5},
                  history=PushHistory()) == [c for c in sorted(cands, key=lambda c: (c.position, -c.score,
                                                                                       c.course_id, c.worker_id))
                                             if c.course_id != 10]


def test_quiet_hours() -> None:
    caps = PushCaps(quiet_start=time(21, 0), quiet_end=time(8, 0))
    due = due_at(date(2026, 12, 2), caps)
    assert not in_quiet_hours(due, caps) and due.hour == 8
    tz = due.tzinfo
    assert in_quiet_hours(datetime(2026, 12, 2, 22, 30, tzinfo=tz), caps)
    assert in_quiet_hours(datetime(2026, 12, 2, 7, 59, tzinfo=tz), caps)
    assert not in_quiet_hours(datetime(2026, 12, 2, 12, 0, tzinfo=tz), caps)
    # 23:30 UTC is 07:30 in Yancheng: quiet.
    assert in_quiet_hours(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), caps)
    with pytest.raises(ValueError):
        PushCaps(per_week=-1)


@pytest.mark.slow
def test_job_runs_as_a_command_without_the_web_app(factory: sessionmaker[Session], trained: ModelServing) -> None:
    import subprocess
    import sys

    url = str(factory.kw["bind"].url)
    day = TODAY + timedelta(days=20)
    cmd = [sys.executable, "-m", "training_jobs.push_plan", "--database-url", url, "--artifacts",
           str(trained.store.root), "--date", day.isoformat(), "--per-day", "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"push plan {day.isoformat()}" in done.stdout and "county" in done.stdout
    assert "priority group" in done.stdout
    with factory() as session:
        planned = count_planned(session, day)
    assert planned > 0 and f"{planned} pushes planned" in done.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0 and "0 pushes planned" in again.stdout
    probe = subprocess.run([sys.executable, "-c", "import sys, training_jobs.push_plan; "
                            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'api')))"],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "[]"


@pytest.mark.slow
def test_no_targeted_push_for_a_worker_who_declined_profiling(
        factory: sessionmaker[Session], trained: ModelServing) -> None:
    day = TODAY + timedelta(days=30)
    with writing(factory) as session:
        opted = list(session.scalars(select(Worker).where(Worker.push_opt_in.is_(True)).order_by(Worker.id)))
        declined = {w.id for w in opted[::2]}
        for w in opted[::2]:
            w.personalized = False
    try:
        assert run(factory, trained, day, PushCaps(per_day=3, per_week=20, per_seat=10)) > 0
        with factory() as session:
            planned = {p.worker_id for p in session.scalars(select(PlannedPush).where(PlannedPush.plan_date == day))}
        assert planned and not planned & declined
    finally:
        with writing(factory) as session:
            for w in session.scalars(select(Worker).where(Worker.id.in_(declined))):
                w.personalized = True
