"""The catalog snapshot is rebuilt whenever an import changes what it holds, not only courses."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from catalog.importing import apply, expand_paths, plan
from serving.snapshot import SnapshotCache
from storage.engine import make_engine
from storage.session import make_session_factory, writing
from tests.conftest import SAMPLE_CATALOG

TODAY = date(2026, 11, 29)


def test_a_changed_shortage_level_reaches_the_next_snapshot(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with writing(factory) as session:
        apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
    cache = SnapshotCache()
    with factory() as session:
        before = cache.get(session, TODAY)
        assert cache.get(session, TODAY) is before  # unchanged catalog: the same snapshot

    # Edit one entry of the city list in force; no course row changes.
    with open(SAMPLE_CATALOG / "occupation_lists.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    entry = next(r for r in rows if r["kind"] == "shortage" and not r["county"]
                 and r["effective_date"] == "2026-07-01" and r["shortage_level"] == "1")
    entry["shortage_level"] = "3"
    edited = tmp_path / "occupation_lists.csv"
    with open(edited, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with writing(factory) as session:
        [summary] = apply(session, plan(session, [edited]))
    assert (summary.updated, summary.added) == (1, 0)

    with factory() as session:
        after = cache.get(session, TODAY)
    assert after is not before
    levels = {c.shortage_level for c in after.items if c.facts.occupation_code == entry["occupation_code"]}
    old_levels = {c.shortage_level for c in before.items if c.facts.occupation_code == entry["occupation_code"]}
    assert old_levels == {1} and levels == {3}
    engine.dispose()


def test_the_snapshot_carries_shrunk_certificate_rates_and_the_quality_floor_from_the_archive(
        database_url: str) -> None:
    """Issue 15: the archive's outcomes per offering reach ranking through the snapshot."""
    from sqlalchemy import insert, select

    from catalog.tables import Course, Institution, JobCenter
    from serving.snapshot import build_snapshot
    from workers.tables import TrainingRecord, Worker

    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with writing(factory) as session:
        apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
        center = session.scalar(select(JobCenter.id).limit(1))
        courses = list(session.scalars(select(Course).join(Institution).where(Institution.credit_rating != "C")
                                       .order_by(Course.id)))
        good, bad = courses[0], next(c for c in courses if c.institution_id != courses[0].institution_id)
        session.execute(insert(Worker), [{"job_center_id": center, "external_ref": f"t-{i}"} for i in range(60)])
        ids = list(session.scalars(select(Worker.id).where(Worker.external_ref.like("t-%"))))
        rows = []
        for i, wid in enumerate(ids):
            c, certified = (good, i % 10 != 0) if i < 30 else (bad, i % 10 == 0)
            rows.append({"worker_id": wid, "course_id": c.id, "occupation_code": c.occupation_code, "level": c.level,
                         "training_type": c.training_type, "status": "completed", "enrolled_on": date(2026, 3, 1),
                         "end_date": date(2026, 4, 1), "completed_on": date(2026, 4, 1),
                         "certificate_type": c.certificate_type if certified else None, "subsidized": True,
                         "subsidy_cny": 0, "hours": 40, "online_hours": 0})
        session.execute(insert(TrainingRecord), rows)
    with factory() as session:
        snap = build_snapshot(session, TODAY)
    by_id = {it.id: it for it in snap.items}
    g, b = by_id[good.id], by_id[bad.id]
    assert g.certificate_rate is not None and b.certificate_rate is not None
    assert g.certificate_finished == 30 and g.certificate_rate > b.certificate_rate
    # 27/30 is shrunk toward the mean (30/60), not taken at face value.
    assert 0.5 < g.certificate_rate < 0.9
    # 3 of 30 against a mean of one in two: far below its peers, under the floor.
    assert b.below_quality_floor and not g.below_quality_floor
    assert snap.arrays.below_floor[snap.row_of[bad.id]]
    c_rated = [it for it in snap.items if it.institution_credit_rating == "C"]
    assert c_rated and all(it.below_quality_floor for it in c_rated)
    engine.dispose()


def test_the_catalog_version_is_asked_at_most_once_per_check_interval(database_url: str) -> None:
    from sqlalchemy import event, update

    from catalog.tables import Course

    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with writing(factory) as session:
        apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    now = [100.0]
    cache = SnapshotCache(check_seconds=1.0, clock=lambda: now[0])
    with factory() as session:
        before = cache.get(session, TODAY)
        statements.clear()
        for _ in range(50):
            assert cache.get(session, TODAY) is before
    assert statements == []  # no query per request
    with writing(factory) as session:
        session.execute(update(Course).where(Course.id == before.items[0].id).values(title_en="Renamed"))
    now[0] += 0.5
    with factory() as session:
        assert cache.get(session, TODAY) is before  # within the interval: not asked yet
        now[0] += 0.6
        after = cache.get(session, TODAY)  # past it: asked, changed, rebuilt
        assert after is not before and after.items[0].title_en == "Renamed"
        assert cache.get(session, date(2026, 11, 30)) is not after  # a new day is always checked
    engine.dispose()
