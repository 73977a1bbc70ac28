"""Dated parameters (issue 11): a course is judged under the county subsidized list in force when
it starts, so the answer does not flip with the day someone asks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from catalog.importing import apply, expand_paths, plan
from catalog.lists import subsidized_by_county, subsidized_history
from policy import PolicySettings, decide
from serving.snapshot import build_snapshot
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.session import make_session_factory, writing
from tests.conftest import SAMPLE_CATALOG
from tests.policy.policy_examples import course, worker


def test_R1_subsidized_list_in_force_at_the_course_start(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    with writing(factory) as session:
        apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
    with factory() as session:
        history = subsidized_history(session)
        early, late = date(2026, 8, 15), date(2026, 11, 29)
        # Non-vacuous: some county's list changed between the two days.
        changed = [c for c in history.versions
                   if subsidized_by_county(session, early).get(c) != subsidized_by_county(session, late).get(c)]
        assert changed
        asked_early, asked_late = build_snapshot(session, early), build_snapshot(session, late)
    engine.dispose()
    flips = 0
    for a, b in zip(asked_early.items, asked_late.items, strict=True):
        assert a.facts.on_county_subsidized_list == b.facts.on_county_subsidized_list, a.id
        listed = history.in_force(a.facts.county, a.facts.start_date)
        assert a.facts.on_county_subsidized_list == (None if listed is None else a.facts.occupation_code in listed)
        if a.facts.county in changed:
            before = history.in_force(a.facts.county, early)  # what asking early used to apply
            flips += (before is not None and a.facts.occupation_code in before) != a.facts.on_county_subsidized_list
    assert flips > 0  # courses whose answer used to depend on the day of the question


def test_dated_settings_use_the_values_in_force_at_the_course_start() -> None:
    # The allowance standard rises to 40 CNY a day for courses starting from 1 March 2025.
    settings = PolicySettings.from_mapping({"living_allowance_cny": 30, "dated_changes": [
        {"effective_from": "2025-03-01", "living_allowance_cny": 40}]})
    dibao = worker(priority_groups=frozenset({"dibao"}))
    march = course()  # 3–22 March 2025, 20 days
    february = replace(march, start_date=date(2025, 2, 3), end_date=date(2025, 2, 22))
    on = date(2025, 1, 15)
    assert decide(dibao, march, on, settings).living_allowance_cny == 20 * 40.0
    assert decide(dibao, february, on, settings).living_allowance_cny == 20 * 30.0
    # The same, whichever day the question is asked.
    assert decide(dibao, march, date(2025, 2, 1), settings).living_allowance_cny == 20 * 40.0
