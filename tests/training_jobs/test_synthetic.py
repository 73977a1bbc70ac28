from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from training_jobs.synthetic import generate_courses, generate_population, read_dataset, write_dataset

TODAY = date(2027, 3, 1)


def test_same_seed_same_output() -> None:
    a = generate_courses(60, 3, TODAY)
    b = generate_courses(60, 3, TODAY)
    assert a == b and [c.facts.extra for c in a] == [c.facts.extra for c in b]
    pa = generate_population(a, 200, 3, TODAY)
    pb = generate_population(b, 200, 3, TODAY)
    assert pa == pb
    assert generate_population(a, 200, 4, TODAY) != pa


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


def test_dataset_files_round_trip(tmp_path: Path) -> None:
    courses = generate_courses(30, 2, TODAY)
    workers, jc, events = generate_population(courses, 50, 2, TODAY)
    write_dataset(tmp_path, courses, workers, jc, events)
    assert read_dataset(tmp_path) == (courses, workers, jc, events)
