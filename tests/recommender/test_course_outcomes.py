"""Outcome-aware ranking (issue 15): shrunk certificate rates, the quality floor, the reason shown."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from policy.profile import WorkerProfile
from recommender.course_outcomes import OutcomeCounts, OutcomePolicy, course_outcomes, shrink
from recommender.items import CourseItem
from recommender.ranking import CourseArrays, RankedCourse, RankingWeights, build_candidates, rank, reason_text
from tests.recommender.conftest import TODAY, make_course

WORKER = WorkerProfile(birth_date=None, hukou_county="tinghu", residence_county="tinghu", jobseeking_county="tinghu",
                       employment_status="unemployed", lat=33.39, lon=120.14)


def _ranked(courses: list[CourseItem], weights: RankingWeights | None = None) -> list[RankedCourse]:
    weights = weights or RankingWeights()
    arrays = CourseArrays.from_courses(courses)
    cands = build_candidates(arrays, WORKER, TODAY, np.ones(len(courses), bool))
    return rank(np.zeros(len(courses)), cands, weights, k=10, max_per_occupation=None, max_per_institution=None)


def test_a_small_cohort_is_shrunk_toward_its_institution_and_the_institution_toward_the_mean() -> None:
    offerings = {"A|x": OutcomeCounts(3, 3), "A|y": OutcomeCounts(100, 60), "B|z": OutcomeCounts(100, 90)}
    out = course_outcomes({1: ("A|x", "A"), 2: ("A|y", "A"), 3: ("B|z", "B"), 4: ("B|new", "B")}, offerings,
                          {"A": "AA", "B": "AA"})
    mean = 153 / 203
    inst_a = shrink(63, 103, mean, 20)
    assert out[1].certificate_rate == pytest.approx(shrink(3, 3, inst_a, 20))
    # Three of three is not a certain 100%: close to the institution's 63/103, far from 1.
    assert out[1].certificate_rate is not None and out[1].certificate_rate < 0.7
    assert out[1].finished == 3
    # A new offering inherits its institution's record.
    assert out[4].certificate_rate == pytest.approx(shrink(90, 100, mean, 20)) and out[4].finished == 0
    assert not any(o.below_floor for o in out.values())


def test_the_floor_catches_a_poor_rating_and_a_rate_far_below_peers_but_not_a_small_cohort() -> None:
    offerings = {"A|x": OutcomeCounts(200, 170), "B|x": OutcomeCounts(60, 10), "C|x": OutcomeCounts(5, 0),
                 "D|x": OutcomeCounts(50, 40)}
    out = course_outcomes({i: (f"{c}|x", c) for i, c in enumerate("ABCD")}, offerings,
                          {"A": "AA", "B": "A", "C": "A", "D": "C"}, OutcomePolicy())
    assert [out[i].below_floor for i in range(4)] == [False, True, False, True]


def test_no_archive_means_no_rate_and_no_term() -> None:
    out = course_outcomes({1: ("A|x", "A")}, {}, {"A": "B"})
    assert out[1].certificate_rate is None and not out[1].below_floor


def test_of_two_otherwise_identical_courses_the_better_shrunk_certificate_rate_ranks_higher() -> None:
    for first, second in ((0.9, 0.5), (0.5, 0.9)):
        a = replace(make_course(1, institution="I1"), certificate_rate=first, certificate_finished=40)
        b = replace(make_course(2, institution="I2"), certificate_rate=second, certificate_finished=40)
        ranked = _ranked([a, b])
        better = 0 if first > second else 1
        assert [r.index for r in ranked] == [better, 1 - better]
        assert "PAST_TRAINEES_CERTIFIED" in ranked[0].reasons
        assert "PAST_TRAINEES_CERTIFIED" not in ranked[1].reasons
    # Weight 0: the term is off and the two tie (broken by catalog row).
    assert [r.index for r in _ranked([b, a], RankingWeights(outcome=0.0))] == [0, 1]


def test_a_course_under_the_quality_floor_is_demoted_and_says_why() -> None:
    good = make_course(1, institution="I1", rating="A")
    poor = replace(make_course(2, institution="I2", rating="A", shortage=1), below_quality_floor=True)
    # The poor one would win on its shortage term; the floor puts it below.
    assert [r.index for r in _ranked([good, replace(poor, below_quality_floor=False)])] == [1, 0]
    ranked = _ranked([good, poor])
    assert [r.index for r in ranked] == [0, 1]
    assert ranked[1].reasons[0] == "BELOW_QUALITY_FLOOR"
    assert "BELOW_QUALITY_FLOOR" not in ranked[0].reasons
    assert "quality floor" in reason_text("BELOW_QUALITY_FLOOR", "en")
    assert "质量" in reason_text("BELOW_QUALITY_FLOOR", "zh")


def test_the_certificate_reason_reads_the_course_rate() -> None:
    course = replace(make_course(1), certificate_rate=0.853, certificate_finished=40)
    assert reason_text("PAST_TRAINEES_CERTIFIED", "en", course) == "About 85% of past trainees earned the certificate"
    assert reason_text("PAST_TRAINEES_CERTIFIED", "zh", course) == "往期学员约85%取得证书"
