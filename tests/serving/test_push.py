"""Push planning: only the chosen courses, only where they are in the worker's own top k, and
nothing personal in the payload."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS
from policy.profile import WorkerProfile
from recommender.ranking import RankingWeights
from serving.models import ModelServing
from serving.recommend import recommend
from serving.recommendations import StoredWorker
from serving.root import Ranker, RankingConfig
from serving.snapshot import CatalogSnapshot
from tests.serving.conftest import DEFAULT_MAX_KM, POLICY, TODAY
from training_jobs.push import PushSummary, cap_per_course, plan_pushes

PROFILES = [
    (1, WorkerProfile(birth_date=date(2003, 3, 1), hukou_county="tinghu", residence_county="tinghu",
                      employment_status="unemployed", priority_groups=frozenset({"two_after_youth", "dibao"}),
                      rural=True, disability_grade=2, lat=33.39, lon=120.14)),
    (2, WorkerProfile(birth_date=date(1980, 3, 1), hukou_county="dongtai", residence_county="dongtai",
                      employment_status="employed", priority_groups=frozenset({"enterprise_employee"}),
                      current_occupation_code="6-31-01-03", lat=32.85, lon=120.31)),
    (3, WorkerProfile(birth_date=date(1950, 3, 1), hukou_county="tinghu", draws_pension=True,
                      priority_groups=frozenset({"laid_off_unemployed"}), lat=33.39, lon=120.14)),
]
WORKERS = [StoredWorker(wid, profile, frozenset()) for wid, profile in PROFILES]


def ranker(serving: ModelServing) -> Ranker:
    return Ranker(RankingConfig(policy=POLICY, weights=RankingWeights(), default_max_km=DEFAULT_MAX_KM), serving)


def top(snapshot: CatalogSnapshot, serving: ModelServing, wid: int, profile: WorkerProfile, k: int) -> list[int]:
    return [r.course.id for r in recommend(snapshot, serving, profile, worker_id=wid, today=TODAY, settings=POLICY,
                                           weights=RankingWeights(), k=k, default_max_km=DEFAULT_MAX_KM).items]


def test_push_goes_to_workers_whose_top_k_holds_the_course(snapshot: CatalogSnapshot, trained: ModelServing) -> None:
    tops = {wid: top(snapshot, trained, wid, p, 5) for wid, p in PROFILES}
    chosen = {tops[1][0], tops[2][1]}
    summary = PushSummary()
    lines = list(plan_pushes(ranker(trained), snapshot, WORKERS, chosen, today=TODAY, top_k=5, summary=summary))
    expected = {(wid, cid) for wid, ids in tops.items() for cid in ids if cid in chosen}
    assert {(line["worker_id"], line["course_id"]) for line in lines} == expected
    assert summary.scanned == 3 and summary.pushes == len(expected)
    # R5: the pensioner is never pushed anything.
    assert all(line["worker_id"] != 3 for line in lines)


def test_push_lines_carry_nothing_personal(snapshot: CatalogSnapshot, trained: ModelServing) -> None:
    tops = top(snapshot, trained, 1, PROFILES[0][1], 10)
    lines = list(plan_pushes(ranker(trained), snapshot, WORKERS[:1], set(tops), today=TODAY, top_k=10))
    assert len(lines) == len(tops)
    text = json.dumps(lines, ensure_ascii=False)
    for secret in ("dibao", "disab", "残疾", "低保", "two_after", "33.39", "120.14", "rural", "priority"):
        assert secret not in text
    assert set(lines[0]) == {"worker_id", "course_id", "rank", "title_zh", "title_en", "generic_title",
                             "start_date", "reasons"}
    by_id = {c.id: c for c in snapshot.items}
    for line in lines:
        sensitive = bool(by_id[line["course_id"]].facts.target_groups & SENSITIVE_PRIORITY_GROUPS)
        assert line["generic_title"] == sensitive
        assert (line["title_zh"] == by_id[line["course_id"]].title_zh) != sensitive


def test_per_course_budget_keeps_the_best_fits() -> None:
    lines = [{"worker_id": w, "course_id": c, "rank": r} for w, c, r in
             [(1, 10, 5), (2, 10, 1), (3, 10, 3), (4, 10, 1), (1, 20, 2), (2, 20, 9)]]
    summary = PushSummary(by_course=Counter({10: 4, 20: 2}))
    kept = cap_per_course(lines, {10: 2, 20: 5}, summary)
    assert {(line["worker_id"], line["course_id"]) for line in kept} == {(2, 10), (4, 10), (1, 20), (2, 20)}
    assert summary.pushes == 4 and summary.held_back == 2 and summary.by_course[10] == 2
