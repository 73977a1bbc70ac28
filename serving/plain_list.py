"""The non-personalized list (PIPL Art. 24) for a worker who declines profiling.

What it may read, and what it may not: the request's place (``near`` and ``radius_km``, as the
app sends them) and public catalog facts (seats, enrolment deadline, start date, shortage list,
the institution's credit rating, whether a class is reserved for a group). Nothing of the worker:
no model score, no priority group, no age, no archive, no interests, no stored location, no
dismissals. So two workers at the same place get the same list, whoever they are (a test checks it).

The reading we chose, and why: eligibility under R1-R12 is a judgement about the person, so the
list does not claim it. It holds the courses anyone may apply to — open for enrolment, seats
left, not a class reserved for a priority group (R9; those need the person's group) — ranked
by the rule-based blend of the catalog terms alone: shortage occupation, near the request's
place, starting soon, well-rated institution, with the same diversity caps. The subsidy shown
is the catalog's standard; whether the worker gets it is for the counselor or the eligibility
check the worker asks for. Without ``near`` the list is city-wide (no distances).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from policy.profile import WorkerProfile
from recommender.ranking import RankingWeights, build_candidates, fallback_rank
from serving.recommend import Recommendation, RecommendationResult
from serving.snapshot import CatalogSnapshot


def plain_list(snapshot: CatalogSnapshot, *, today: date, near: tuple[float, float] | None,
               radius_km: float | None, default_max_km: float | None, weights: RankingWeights, k: int,
               max_per_occupation: int | None, max_per_institution: int | None) -> RecommendationResult:
    """Courses anyone at ``near`` may apply to, best first, from catalog facts only."""
    if near is not None:
        place = WorkerProfile(lat=near[0], lon=near[1], max_travel_km=radius_km)
    else:  # no place given: city-wide, and the stored location stays unread
        place = WorkerProfile(max_travel_km=None)
        default_max_km = None
    open_to_anyone = np.asarray(snapshot.table.reserved_for) == 0
    candidates = build_candidates(snapshot.arrays, place, today, open_to_anyone, frozenset(), (), None,
                                  default_max_km)
    ranked = fallback_rank(candidates, weights, k, max_per_occupation, max_per_institution)
    items = []
    for pos, r in enumerate(ranked, start=1):
        course = snapshot.items[r.index]
        dist = candidates.distance_km[r.index]
        items.append(Recommendation(
            rank=pos, course=course, score=round(r.score, 4), reasons=r.reasons,
            subsidy_cny=float(course.facts.subsidy_cny), living_allowance=False, living_allowance_cny=0.0,
            free_training=False, safety_first=False,
            distance_km=None if np.isnan(dist) else round(float(dist)),  # whole km: the place is the app's
            days_to_start=int(candidates.days_to_start[r.index])))
    return RecommendationResult(items, None, int(candidates.keep_mask().sum()), personalized=False)
