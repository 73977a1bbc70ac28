"""The state a one-pass push audience reads, left behind by one per-worker ranking pass.

Each worker is ranked once by the same path as their recommendations (:func:`serving.recommend.
rank_worker`); from that pass we keep what :func:`recommender.audience.course_audience` needs to
answer "whom does this course reach" for any course of the snapshot without ranking anyone again:
the rules' verdicts (packed bits per course), the user representation, the sorted candidate scores
that could still reach the top ``k``, and the top-``k`` picks themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from policy import PolicySettings
from policy.profile import WorkerProfile
from policy.table import group_mask
from recommender.audience import AudienceState, CourseWorkerSets, ScoreBands, TopPicks, WorkerColumns
from recommender.ranking import RankingWeights, policy_ceiling
from serving.models import ModelServing
from serving.recommend import rank_worker, tuned_setup
from serving.snapshot import CatalogSnapshot

_CHUNK = 8192  # workers per block of eligibility bits (a multiple of 8)


@dataclass(frozen=True)
class AudienceWorker:
    """A worker as push planning sees them."""

    worker_id: int
    profile: WorkerProfile
    opted_in: bool = True
    dismissed: frozenset[int] = field(default_factory=frozenset)  # course ids
    taken: frozenset[int] = field(default_factory=frozenset)  # course ids in their training archive


def build_audience_state(snapshot: CatalogSnapshot, serving: ModelServing, workers: Iterable[AudienceWorker], *,
                         today: date, settings: PolicySettings, weights: RankingWeights, k: int,
                         default_max_km: float | None, max_per_occupation: int | None = 3,
                         max_per_institution: int | None = 3,
                         progress: Callable[[int], None] | None = None) -> AudienceState:
    """Rank every worker once and keep what the one-pass audience needs."""
    weights, max_per_occupation, max_per_institution = tuned_setup(serving.current(), weights, max_per_occupation,
                                                                   max_per_institution)
    n_courses = len(snapshot.items)
    occ_codes: dict[str, int] = {}
    inst_codes: dict[str, int] = {}
    ids: list[int] = []
    opted: list[bool] = []
    lat: list[float] = []
    lon: list[float] = []
    max_km: list[float] = []
    online_ok: list[bool] = []
    groups: list[int] = []
    vectors: list[np.ndarray] = []
    biases: list[np.float32] = []
    bits: list[np.ndarray] = []
    block: list[np.ndarray] = []
    safety_pairs: list[tuple[int, int]] = []
    dismissed_pairs: list[tuple[int, int]] = []
    interests: dict[str, list[int]] = {}
    band_values: list[np.ndarray] = []
    below: list[int] = []
    n_candidates: list[int] = []
    pick_score = []
    pick_row = []
    pick_occ = []
    pick_inst = []
    model_ranked = False
    for r, wk in enumerate(workers):
        p = wk.profile
        found = rank_worker(snapshot, serving, p, worker_id=wk.worker_id, today=today, settings=settings,
                            weights=weights, k=k, dismissed=wk.dismissed, taken=wk.taken,
                            default_max_km=default_max_km, max_per_occupation=max_per_occupation,
                            max_per_institution=max_per_institution)
        c = found.candidates
        ids.append(wk.worker_id)
        opted.append(wk.opted_in)
        known = p.lat is not None and p.lon is not None
        lat.append(float(p.lat) if known and p.lat is not None else float("nan"))
        lon.append(float(p.lon) if known and p.lon is not None else float("nan"))
        reach = p.max_travel_km if p.max_travel_km is not None else default_max_km
        max_km.append(float("inf") if reach is None else float(reach))
        online_ok.append(p.online_ok)
        groups.append(group_mask(found.bulk.effective_groups))
        block.append(np.asarray(c.eligible, dtype=bool))
        if len(block) == _CHUNK:
            bits.append(np.packbits(np.stack(block), axis=0))
            block = []
        safety_pairs.extend((int(i), r) for i in np.flatnonzero(c.safety_first))
        dismissed_pairs.extend((snapshot.row_of[cid], r) for cid in wk.dismissed if cid in snapshot.row_of)
        for code in set(p.interests):
            interests.setdefault(code, []).append(r)
        picks = found.ranked
        pick_score.append([x.score for x in picks] + [-np.inf] * (k - len(picks)))
        pick_row.append([x.index for x in picks] + [-1] * (k - len(picks)))
        pick_occ.append([occ_codes.setdefault(str(c.occupation[x.index]), len(occ_codes)) for x in picks]
                        + [-1] * (k - len(picks)))
        pick_inst.append([inst_codes.setdefault(str(c.institution[x.index]), len(inst_codes)) for x in picks]
                         + [-1] * (k - len(picks)))
        if found.model_scores is not None and found.user is not None:
            model_ranked = True
            vectors.append(found.user.vector)
            biases.append(np.float32(found.user.bias))
            kept = np.sort(found.model_scores[c.keep_mask()])
            m = kept.shape[0]
            cut = 0
            if len(picks) == k and m > 1 and weights.model > 0:
                # Below this rank a course scores less than the k-th pick even with every policy
                # term at its maximum; one rank of margin, and never inside a run of equal scores.
                need = (picks[-1].score - policy_ceiling(weights, bool(c.safety_first.any()))) / weights.model
                cut = max(int(np.floor(need * (m - 1))) - 1, 0)
                if cut < m:
                    cut = int(np.searchsorted(kept, kept[cut], side="left"))
                cut = min(cut, m)
            band_values.append(kept[cut:])
            below.append(cut)
            n_candidates.append(m)
        if progress is not None:
            progress(1)
    n = len(ids)
    if block:
        bits.append(np.packbits(np.stack(block), axis=0))
    packed = (np.concatenate(bits, axis=0) if bits else np.zeros((0, n_courses), np.uint8)).T.copy()

    def pairs(found: list[tuple[int, int]]) -> CourseWorkerSets:
        a = np.array(found, dtype=np.int64).reshape(-1, 2)
        return CourseWorkerSets.from_pairs(a[:, 0], a[:, 1], n_courses)

    bands = None
    if model_ranked:
        lengths = np.array([v.shape[0] for v in band_values], dtype=np.int64)
        bands = ScoreBands(offsets=np.r_[0, np.cumsum(lengths)].astype(np.int64),
                           values=np.concatenate(band_values).astype(np.float32) if band_values
                           else np.zeros(0, np.float32),
                           below=np.array(below, dtype=np.int64), candidates=np.array(n_candidates, dtype=np.int64))
    return AudienceState(
        catalog_version=snapshot.version,
        workers=WorkerColumns(
            ids=np.array(ids, dtype=np.int64), opted_in=np.array(opted, dtype=bool),
            lat=np.array(lat, dtype=np.float64), lon=np.array(lon, dtype=np.float64),
            max_km=np.array(max_km, dtype=np.float64), online_ok=np.array(online_ok, dtype=bool),
            group_mask=np.array(groups, dtype=np.uint32),
            user_vectors=np.stack(vectors).astype(np.float32) if model_ranked else None,
            user_bias=np.array(biases, dtype=np.float32) if model_ranked else None,
        ),
        eligible_bits=packed,
        safety_first=pairs(safety_pairs), dismissed=pairs(dismissed_pairs),
        interests={code: np.array(rows, dtype=np.int64) for code, rows in interests.items()},
        bands=bands,
        picks=TopPicks(score=np.array(pick_score, dtype=np.float64).reshape(n, k),
                       row=np.array(pick_row, dtype=np.int64).reshape(n, k),
                       occupation=np.array(pick_occ, dtype=np.int64).reshape(n, k),
                       institution=np.array(pick_inst, dtype=np.int64).reshape(n, k)),
        occupation_codes=occ_codes, institution_codes=inst_codes, k=k,
        max_per_occupation=max_per_occupation, max_per_institution=max_per_institution,
    )
