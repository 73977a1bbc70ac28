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
