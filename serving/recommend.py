"""One worker's ranked list: rules (hard), model score (soft), policy terms, diversity.

The domain step of every recommendation use case (:mod:`serving.recommendations`) and of the push
audience (:mod:`serving.push`); it reads no database and no request.

The order of work per request: the rules engine over the whole catalog (numpy masks), availability
and distance masks, the model's scores from precomputed item representations (one mat-vec), then
the blend and the greedy diversity pass over the top of the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from policy import PolicySettings, decide_many
from policy.bulk import BulkDecision
from policy.profile import WorkerProfile
from recommender.artifacts import LoadedArtifact
from recommender.items import CourseItem
from recommender.model import UserVector
from recommender.ranking import (
    DEFAULT_MAX_TRAVEL_KM,
    Candidates,
    RankedCourse,
    RankingWeights,
    build_candidates,
    fallback_rank,
    rank,
)
from serving.models import ModelServing
from serving.snapshot import CatalogSnapshot


@dataclass(frozen=True)
class Recommendation:
    rank: int
    course: CourseItem
    score: float
    reasons: tuple[str, ...]
    subsidy_cny: float
    living_allowance: bool
    living_allowance_cny: float
    free_training: bool
    safety_first: bool
    distance_km: float | None
    days_to_start: int


@dataclass(frozen=True)
class RecommendationResult:
    items: list[Recommendation]
    model_version: str | None  # None: rule-based ranking
    eligible_count: int
    personalized: bool = True  # False: serving.plain_list (declined profiling), no profile read


@dataclass(frozen=True, eq=False)
class WorkerRanking:
    """What the per-worker path computed on the way to a list: kept for push audiences."""

    bulk: BulkDecision
    candidates: Candidates
    model_scores: np.ndarray | None  # None: rule-based ranking
    user: UserVector | None
    ranked: list[RankedCourse]
    model_version: str | None


def tuned_setup(artifact: LoadedArtifact | None, weights: RankingWeights, max_per_occupation: int | None,
                max_per_institution: int | None) -> tuple[RankingWeights, int | None, int | None]:
    """The blend's model weight and the caps chosen on validation for this model (they travel with it)."""
    tuned = (artifact.meta.get("serving_setup") or {}) if artifact is not None else {}
    if "model_weight" in tuned:
        weights = replace(weights, model=float(tuned["model_weight"]))
    return (weights, tuned.get("max_per_occupation", max_per_occupation),
            tuned.get("max_per_institution", max_per_institution))


def rank_worker(snapshot: CatalogSnapshot, serving: ModelServing, profile: WorkerProfile, *,
                worker_id: int | None, today: date, settings: PolicySettings, weights: RankingWeights,
                k: int, dismissed: Iterable[int] = (), taken: Iterable[int] = (),
                default_max_km: float | None = DEFAULT_MAX_TRAVEL_KM, max_per_occupation: int | None = 3,
                max_per_institution: int | None = 3) -> WorkerRanking:
    """The ranking behind :func:`recommend`, before it is turned into display records."""
    bulk = decide_many(profile, snapshot.table, today, settings)
    eligible = bulk.eligible.copy()
    taken_rows = [snapshot.row_of[c] for c in taken_courses(profile) | set(taken) if c in snapshot.row_of]
    eligible[taken_rows] = False
    candidates = build_candidates(snapshot.arrays, profile, today, eligible, bulk.effective_groups,
                                  dismissed, bulk.safety_first, default_max_km)
    artifact: LoadedArtifact | None = serving.current()
    if artifact is None:
        ranked = fallback_rank(candidates, weights, k, max_per_occupation, max_per_institution)
        return WorkerRanking(bulk, candidates, None, None, ranked, None)
    user = artifact.model.user_vector(artifact.feature_space.user_row(profile, today, worker_id))
    scores = artifact.model.score(user, serving.item_matrix(artifact, snapshot))
    weights, max_per_occupation, max_per_institution = tuned_setup(artifact, weights, max_per_occupation,
                                                                   max_per_institution)
    ranked = rank(scores, candidates, weights, k, max_per_occupation, max_per_institution)
    return WorkerRanking(bulk, candidates, scores, user, ranked, artifact.version)


def recommend(snapshot: CatalogSnapshot, serving: ModelServing, profile: WorkerProfile, *,
              worker_id: int | None, today: date, settings: PolicySettings, weights: RankingWeights,
              k: int, dismissed: Iterable[int] = (), taken: Iterable[int] = (),
              default_max_km: float | None = DEFAULT_MAX_TRAVEL_KM, max_per_occupation: int | None = 3,
              max_per_institution: int | None = 3) -> RecommendationResult:
    """Rank the catalog for one worker.

    Never ranked: courses of the worker's archive (enrolled or completed, :func:`taken_courses`,
    plus any ``taken`` given) and courses whose dismissal stands (``dismissed``, read with
    :func:`recommender.dismissals.standing_dismissals`).
    """
    found = rank_worker(snapshot, serving, profile, worker_id=worker_id, today=today, settings=settings,
                        weights=weights, k=k, dismissed=dismissed, taken=taken, default_max_km=default_max_km,
                        max_per_occupation=max_per_occupation, max_per_institution=max_per_institution)
    bulk, candidates = found.bulk, found.candidates
    items = []
    for pos, r in enumerate(found.ranked, start=1):
        i = r.index
        dist = candidates.distance_km[i]
        items.append(Recommendation(
            rank=pos, course=snapshot.items[i], score=round(r.score, 4), reasons=r.reasons,
            subsidy_cny=float(bulk.subsidy_cny[i]), living_allowance=bool(bulk.living_allowance[i]),
            living_allowance_cny=float(bulk.living_allowance_cny[i]),
            free_training=bool(bulk.free_training[i]), safety_first=bool(bulk.safety_first[i]),
            distance_km=None if np.isnan(dist) else round(float(dist), 2),
            days_to_start=int(candidates.days_to_start[i]),
        ))
    return RecommendationResult(items, found.model_version, int(candidates.keep_mask().sum()))


def taken_courses(profile: WorkerProfile) -> frozenset[int]:
    """Courses in the worker's archive that were not dropped: never recommended or pushed again."""
    return frozenset(t.course_id for t in profile.trainings if t.course_id is not None and t.status != "dropped")
