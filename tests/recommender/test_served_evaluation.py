"""The offline protocol ranks what serving ranks, and grades it with intervals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from policy import CourseTable, decide_many
from policy.profile import TrainingRecord as PolicyTraining
from recommender.evaluation import build_task, popularity_scores, temporal_split
from recommender.items import TrainingData
from recommender.ranking import CourseArrays, RankingWeights, build_candidates, rank
from recommender.served_evaluation import (
    ServingSetup,
    archive_as_of,
    bootstrap_difference,
    bootstrap_mean,
    build_served_task,
    group_gaps,
    per_user_metrics,
    served_certificates,
    served_lists,
    served_recall,
    tune_serving,
)
from training_jobs.train import outcome_effect, synthetic_data

TODAY = date(2027, 3, 1)


@pytest.fixture(scope="module")
def small() -> TrainingData:
    return synthetic_data(400, 60, 3, TODAY)


def test_served_lists_are_what_serving_ranks(small: TrainingData) -> None:
    split = temporal_split(small.interactions, 0.2)
    task = build_task(small, split)
    setup = ServingSetup(weights=RankingWeights(model=2.0), max_per_occupation=2, max_per_institution=2)
    served = build_served_task(small, split, task, None, setup)
    scores = np.asarray(popularity_scores(split.train, task.candidate_ids, len(task.user_ids)))
    lists = served_lists(scores, served, setup)
    courses = [small.courses[int(c)] for c in task.candidate_ids]
    table, arrays = CourseTable.from_courses([c.facts for c in courses]), CourseArrays.from_courses(courses)
    on = split.cutoff.date()
    for r in range(0, len(task.user_ids), 7):
        profile = small.workers[task.user_ids[r]]
        bulk = decide_many(profile, table, on)
        c = build_candidates(arrays, profile, on, bulk.eligible & ~task.exclude[r], bulk.effective_groups,
                             served.candidates[r].dismissed.nonzero()[0].tolist() and
                             [int(task.candidate_ids[i]) for i in served.candidates[r].dismissed.nonzero()[0]],
                             bulk.safety_first, setup.default_max_km)
        c = replace(c, seats_open=np.ones(len(courses), bool))
        expected = [x.index for x in rank(scores[r], c, setup.weights, 10, 2, 2)]
        assert lists[r] == expected
        # Nothing served is forbidden by the rules, already taken, or beyond the hard filters.
        assert all(served.servable[r, i] and not served.forbidden[r, i] and not task.exclude[r, i] for i in lists[r])
        # The caps hold.
        occ = [c.occupation[i] for i in lists[r]]
        assert max((occ.count(o) for o in occ), default=0) <= 2


def test_a_forbidden_positive_counts_against_served_recall_and_the_gap_names_the_rules(small: TrainingData) -> None:
    split = temporal_split(small.interactions, 0.2)
    task = build_task(small, split)
    served = build_served_task(small, split, task)
    # Make every test positive of the first users forbidden by the rules: a perfect scorer still
    # cannot serve them, and the gap for their group is attributed to the rules, not the model.
    oracle = task.relevant.astype(float) + np.random.default_rng(0).random(task.relevant.shape) * 0.1
    setup = ServingSetup()
    base = served_recall(served_lists(oracle, served, setup), served)
    forbidden = served.forbidden.copy()
    victims = np.array([("professional_farmer" in g) for g in task.groups])
    forbidden[victims] |= task.relevant[victims]
    servable = served.servable & ~forbidden
    cands = [replace(c, eligible=c.eligible & ~forbidden[r]) for r, c in enumerate(served.candidates)]
    hurt = replace(served, forbidden=forbidden, servable=servable, candidates=cands)
    per_user = per_user_metrics(oracle, hurt, setup)
    rec = per_user["served_recall"]
    assert np.nanmax(rec[victims]) == 0.0 and np.nanmean(base[victims]) > 0.5
    gaps = {g["group"]: g for g in group_gaps(per_user, hurt)}
    assert gaps["professional_farmer"]["cause"].startswith("rules")
    assert gaps["professional_farmer"]["forbidden_share"] == 1.0
    assert gaps["professional_farmer"]["status"] == "clearly below"


def test_bootstrap_intervals_hold_the_mean_and_shrink_with_n() -> None:
    rng = np.random.default_rng(1)
    small, big = rng.random(50), rng.random(5000)
    s, b = bootstrap_mean(small), bootstrap_mean(np.r_[big, np.nan])
    assert s["lo"] <= s["mean"] <= s["hi"] and b["n"] == 5000
    assert (b["hi"] - b["lo"]) < (s["hi"] - s["lo"]) / 5
    d = bootstrap_difference(big + 0.1, big)
    assert d["lo"] == pytest.approx(0.1) and d["hi"] == pytest.approx(0.1)
    assert bootstrap_mean(np.array([np.nan]))["mean"] is None


def test_tuning_picks_the_best_validation_setting_and_reports_the_trade_off(small: TrainingData) -> None:
    split = temporal_split(small.interactions, 0.2)
    task = build_task(small, split)
    served = build_served_task(small, split, task)
    pop = np.asarray(popularity_scores(split.train, task.candidate_ids, len(task.user_ids)))
    chosen, rows = tune_serving({"hybrid": pop}, served, ServingSetup(), (1.0, 4.0), (1, None))
    assert len(rows) == 4
    best = max(r["hybrid"] for r in rows)
    assert next(r for r in rows if r["model_weight"] == chosen.weights.model
                and r["cap"] == chosen.max_per_occupation)["hybrid"] == best
    # One course per occupation: every course of a list is of another occupation.
    assert all(r["distinct_share"] == 1.0 for r in rows if r["cap"] == 1)
    assert all(r["list_length"] <= 10 for r in rows)


def test_a_worker_is_judged_with_the_archive_of_the_cutoff_not_of_today(small: TrainingData) -> None:
    """Issue 12: read as of today, a test-period enrolment is in the archive and R4 forbids the very
    course it is a positive for; as of the cutoff it does not."""
    split = temporal_split(small.interactions, 0.2)
    task = build_task(small, split)
    on = split.cutoff.date()
    r, j = map(int, np.argwhere(task.relevant)[0])
    course = small.courses[int(task.candidate_ids[j])]
    w = task.user_ids[r]
    taken = PolicyTraining(occupation_code=course.facts.occupation_code, level=course.facts.level,
                           training_type=course.facts.training_type, status="enrolled", subsidized=True,
                           end_date=course.facts.end_date, course_id=course.id, enrolled_on=on + timedelta(days=3))
    profile = replace(small.workers[w], trainings=(taken,))
    # Read with today's archive, the rules forbid the course its own positive is on (R4) ...
    assert not decide_many(profile, CourseTable.from_courses([course.facts]), on).eligible[0]
    # ... as of the cutoff, the enrolment has not happened yet.
    assert archive_as_of(profile, on).trainings == ()
    assert archive_as_of(profile, on + timedelta(days=4)).trainings == (taken,)
    data = TrainingData({**small.workers, w: profile}, small.courses, small.interactions, small.job_center)
    served = build_served_task(data, split, build_task(data, split), None, ServingSetup())
    assert not served.forbidden[r, j]


def test_expected_certificates_follow_the_outcome_term(small: TrainingData) -> None:
    """Issue 15: the served list's expected certificates per recommendation, with and without the term."""
    rng = np.random.default_rng(1)
    courses = {cid: replace(c, certificate_rate=float(rng.uniform(0.2, 1.0))) for cid, c in small.courses.items()}
    data = TrainingData(small.workers, courses, small.interactions, small.job_center)
    split = temporal_split(data.interactions, 0.2)
    task = build_task(data, split)
    setup = ServingSetup(weights=RankingWeights(outcome=1.0))
    served = build_served_task(data, split, task, None, setup)
    scores = np.asarray(popularity_scores(split.train, task.candidate_ids, len(task.user_ids)))
    effect = outcome_effect(scores, served, setup, n_boot=200)
    with_, without = effect["with"]["served_certificates"], effect["without"]["served_certificates"]
    assert with_["n"] == without["n"] > 0
    assert with_["mean"] > without["mean"]
    # Without any outcome figure there is nothing to report, not a rate of 0.
    plain = build_served_task(small, split, build_task(small, split), None, setup)
    assert np.isnan(served_certificates(served_lists(scores, plain, setup), plain)).all()
