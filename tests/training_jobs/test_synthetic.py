from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from recommender.items import Interaction
from training_jobs.synthetic import (
    GENERATORS,
    generate_courses,
    generate_latent_population,
    generate_population,
    read_dataset,
    write_dataset,
)
from training_jobs.synthetic.__main__ import main
from training_jobs.synthetic.sessions import Behaviour, ineligible_share

TODAY = date(2027, 3, 1)


def test_same_seed_same_output() -> None:
    a = generate_courses(60, 3, TODAY)
    b = generate_courses(60, 3, TODAY)
    assert a == b and [c.facts.extra for c in a] == [c.facts.extra for c in b]
    for generate in GENERATORS.values():
        pa = generate(a, 200, 3, TODAY)
        pb = generate(b, 200, 3, TODAY)
        assert pa == pb
        assert generate(a, 200, 4, TODAY) != pa


def test_population_shape() -> None:
    courses = generate_courses(120, 1, TODAY)
    workers, jc, events = generate_population(courses, 1500, 1, TODAY)
    groups = Counter(g for w in workers.values() for g in w.priority_groups)
    assert groups.most_common(1)[0][0] == "enterprise_employee"
    assert groups["professional_farmer"] > groups["veteran"]
    kinds = Counter(e.kind for e in events)
    assert kinds["view"] > kinds["click"] > kinds["save"] > kinds["enrol"] > kinds["complete"] > 0
    assert kinds["dismiss"] > 0
    assert all(e.at.date() <= TODAY for e in events)
    assert len(jc) == len(workers) and any(w.draws_pension for w in workers.values())


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_workers_act_mostly_on_courses_the_rules_allow(name: str) -> None:
    # Before issue 12 the population clicked without regard to eligibility: 23.7% of the test
    # positives were courses the rules forbid, so offline figures rewarded ranking them.
    courses = generate_courses(150, 2, TODAY)
    generate = GENERATORS[name]
    workers, _, events = generate(courses, 800, 2, TODAY)
    assert ineligible_share(workers, courses, events, TODAY) < 0.08
    # Enrolment is checked against the rules: nobody enrols in a course they may not take.
    enrolled = [e for e in events if e.kind in ("enrol", "complete")]
    assert enrolled and ineligible_share(workers, courses, enrolled, TODAY) == 0.0
    # The documented "wanted but ineligible" share is a parameter: 0 means none at all.
    strict = generate_population(courses, 300, 2, TODAY, behaviour=Behaviour(ineligible_interest=0.0))
    assert ineligible_share(strict[0], courses, strict[2], TODAY) == 0.0


def test_the_second_generator_is_differently_shaped() -> None:
    courses = generate_courses(120, 1, TODAY)
    _, _, tastes = generate_population(courses, 1000, 1, TODAY)
    _, _, latent = generate_latent_population(courses, 1000, 1, TODAY)

    def top_share(events: list[Interaction]) -> float:
        views = Counter(e.course_id for e in events if e.kind == "view")
        return sum(n for _, n in views.most_common(12)) / sum(views.values())

    def heavy_share(events: list[Interaction]) -> float:
        per_worker = Counter(e.worker_id for e in events)
        counts = sorted(per_worker.values(), reverse=True)
        return sum(counts[: len(counts) // 10]) / sum(counts)

    # Heavy users: the most active 10% of workers weigh more. (Which courses are popular differs
    # too, but under the rules of the regenerated catalog eligibility concentrates views in both
    # worlds alike, so the share of the top courses is no longer a difference of shape.)
    assert heavy_share(latent) > heavy_share(tastes) + 0.05
    assert top_share(latent) > 0 and top_share(tastes) > 0


def test_dataset_files_round_trip(tmp_path: Path) -> None:
    courses = generate_courses(30, 2, TODAY)
    workers, jc, events = generate_population(courses, 50, 2, TODAY)
    write_dataset(tmp_path, courses, workers, jc, events)
    assert read_dataset(tmp_path) == (courses, workers, jc, events)


def test_cli_writes_a_latent_dataset(tmp_path: Path) -> None:
    assert main(["--workers", "40", "--courses", "20", "--generator", "latent", "--out", str(tmp_path)]) == 0
    courses, workers, _, events = read_dataset(tmp_path)
    assert len(courses) == 20 and len(workers) == 40 and events
