"""The state a one-pass push audience reads: every worker ranked once, a block of workers at a time.

Every worker is ranked as their recommendations rank them (:func:`serving.recommend.rank_worker`:
rules, archive, dismissals, travel range, model, blend, diversity caps); from that we keep what
:func:`recommender.audience.course_audience` needs to answer "whom does this course reach" for any
course of the snapshot without ranking anyone again: the rules' verdicts (packed bits per course),
the user representation, the sorted candidate scores that could still reach the top ``k``, and the
top-``k`` picks themselves.

The ranking is done for blocks of workers (:mod:`recommender.batch_ranking`): per worker, only what
is about that worker alone runs in Python (the rules over the catalog, which are numpy per worker;
their row of features); the model scores are one (workers x courses) einsum per block, the masks,
policy terms, percentiles and blend are (workers x courses) arrays, and each worker's top ``k``
comes from the best columns found with ``argpartition``. Distances, interest and target-group
columns are cached by location, code and group mask (workers share them). The result equals the
per-worker path's, bit for bit (``tests/serving/test_push_audience.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from catalog.geo import haversine_km
from policy import PolicySettings, decide_many
from policy.profile import WorkerProfile
from policy.table import group_mask
from recommender.audience import AudienceState, CourseWorkerSets, ScoreBands, TopPicks, WorkerColumns
from recommender.batch_ranking import percentiles, top_k
from recommender.ranking import Candidates, RankingWeights, blend, policy_ceiling, policy_terms
from serving.models import ModelServing
from serving.recommend import taken_courses, tuned_setup
from serving.snapshot import CatalogSnapshot

# Workers per block: about 130,000 (worker, course) cells per array, a few MB that stay in cache
# (measured on the sample catalog: 0.77 ms a worker in blocks of 128, 1.04 ms in blocks of 5,904);
# a multiple of 8, since the eligibility bits of a block are packed on their own.
_CELLS = 1 << 17


@dataclass(frozen=True)
class AudienceWorker:
    """A worker as push planning sees them."""

    worker_id: int
    profile: WorkerProfile
    opted_in: bool = True
    dismissed: frozenset[int] = field(default_factory=frozenset)  # course ids
    taken: frozenset[int] = field(default_factory=frozenset)  # course ids in their training archive


def _block_size(n_courses: int) -> int:
    return max(64, (_CELLS // max(n_courses, 1)) // 8 * 8)


def _codes(values: np.ndarray) -> tuple[dict[str, int], np.ndarray]:
    names = sorted({str(v) for v in values})
    codes = {name: i for i, name in enumerate(names)}
    return codes, np.array([codes[str(v)] for v in values], dtype=np.int64)


def build_audience_state(snapshot: CatalogSnapshot, serving: ModelServing, workers: Iterable[AudienceWorker], *,
                         today: date, settings: PolicySettings, weights: RankingWeights, k: int,
                         default_max_km: float | None, max_per_occupation: int | None = 3,
                         max_per_institution: int | None = 3,
                         progress: Callable[[int], None] | None = None, block: int | None = None) -> AudienceState:
    """Rank every worker once (in blocks) and keep what the one-pass audience needs."""
    artifact = serving.current()
    weights, max_per_occupation, max_per_institution = tuned_setup(artifact, weights, max_per_occupation,
                                                                   max_per_institution)
    arrays = snapshot.arrays
    n_courses = len(snapshot.items)
    size = block or _block_size(n_courses)
    if size % 8:
        raise ValueError("a block of workers is a multiple of 8")
    items = serving.item_matrix(artifact, snapshot) if artifact is not None else None
    occ_codes, occ_col = _codes(arrays.occupation)
    inst_codes, inst_col = _codes(arrays.institution)
    t = today.toordinal()
    seats_open = arrays.seats_left > 0
    deadline_ok = arrays.enrol_deadline >= t
    days_to_start = (arrays.start_date - t).astype(np.float64)
    nowhere = np.full(n_courses, np.nan)
    # Columns many workers share, computed once each (same expressions as build_candidates).
    distances: dict[tuple[float, float], np.ndarray] = {}
    interest_cols: dict[str, np.ndarray] = {}
    targeted_cols: dict[int, np.ndarray] = {}

    def distance_row(p: WorkerProfile) -> np.ndarray:
        if p.lat is None or p.lon is None:
            return nowhere
        key = (float(p.lat), float(p.lon))
        if key not in distances:
            distances[key] = np.where(arrays.online, np.nan, haversine_km(p.lat, p.lon, arrays.lat, arrays.lon))
        return distances[key]

    def interest_row(codes: frozenset[str] | tuple[str, ...]) -> np.ndarray:
        row = np.zeros(n_courses, dtype=bool)
        for code in set(codes):
            if code not in interest_cols:
                interest_cols[code] = ((arrays.occupation == code) | (arrays.category == code)
                                       | (arrays.occupation_prefix == code))
            row |= interest_cols[code]
        return row

    def targeted_row(mask: int) -> np.ndarray:
        if mask not in targeted_cols:
            targeted_cols[mask] = (arrays.target_groups & np.uint32(mask)) != 0
        return targeted_cols[mask]

    ids: list[int] = []
    opted: list[bool] = []
    lat: list[float] = []
    lon: list[float] = []
    max_km: list[float] = []
    online_ok: list[bool] = []
    groups: list[int] = []
    vectors: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    bits: list[np.ndarray] = []
    safety_pairs: list[np.ndarray] = []
    dismissed_pairs: list[tuple[int, int]] = []
    interests: dict[str, list[int]] = {}
    band_values: list[np.ndarray] = []
    band_lengths: list[np.ndarray] = []
    below: list[np.ndarray] = []
    n_candidates: list[np.ndarray] = []
    pick_score: list[np.ndarray] = []
    pick_row: list[np.ndarray] = []
    ceiling = (policy_ceiling(weights, False), policy_ceiling(weights, True))

    def rank_block(chunk: list[AudienceWorker], first: int) -> None:
        b = len(chunk)
        eligible = np.empty((b, n_courses), dtype=bool)
        safety = np.empty((b, n_courses), dtype=bool)
        dist = np.empty((b, n_courses), dtype=np.float64)
        in_range = np.empty((b, n_courses), dtype=bool)
        targeted = np.empty((b, n_courses), dtype=bool)
        interest = np.empty((b, n_courses), dtype=bool)
        dismissed = np.zeros((b, n_courses), dtype=bool)
        for i, wk in enumerate(chunk):
            p, r = wk.profile, first + i
            bulk = decide_many(p, snapshot.table, today, settings)
            eligible[i] = bulk.eligible
            taken = [snapshot.row_of[c] for c in taken_courses(p) | set(wk.taken) if c in snapshot.row_of]
            eligible[i, taken] = False
            safety[i] = bulk.safety_first
            dist[i] = distance_row(p)
            reach = p.max_travel_km if p.max_travel_km is not None else default_max_km
            in_range[i] = True if reach is None else np.isnan(dist[i]) | (dist[i] <= reach)
            if not p.online_ok:
                in_range[i] &= ~arrays.online
            gm = group_mask(bulk.effective_groups)
            targeted[i] = targeted_row(gm)
            interest[i] = interest_row(p.interests)
            gone = [snapshot.row_of[c] for c in wk.dismissed if c in snapshot.row_of]
            dismissed[i, gone] = True
            dismissed_pairs.extend((row, r) for row in gone)
            ids.append(wk.worker_id)
            opted.append(wk.opted_in)
            known = p.lat is not None and p.lon is not None
            lat.append(float(p.lat) if known and p.lat is not None else float("nan"))
            lon.append(float(p.lon) if known and p.lon is not None else float("nan"))
            max_km.append(float("inf") if reach is None else float(reach))
            online_ok.append(p.online_ok)
            groups.append(gm)
            for code in set(p.interests):
                interests.setdefault(code, []).append(r)
        bits.append(np.packbits(eligible, axis=0))
        srows, scols = np.nonzero(safety)
        safety_pairs.append(np.stack([scols, srows + first], axis=1))
        keep = eligible & seats_open & deadline_ok & in_range & ~dismissed
        cand = Candidates(eligible=eligible, seats_open=seats_open, deadline_ok=deadline_ok, in_range=in_range,
                          distance_km=dist, days_to_start=days_to_start, shortage_level=arrays.shortage_level,
                          targeted=targeted, credit_score=arrays.credit_score, dismissed=dismissed,
                          interest_match=interest, safety_first=safety, occupation=arrays.occupation,
                          institution=arrays.institution, certificate_rate=arrays.certificate_rate,
                          below_floor=arrays.below_floor)
        terms = policy_terms(cand, weights)
        if artifact is None or items is None:
            picks = top_k(blend(None, terms, weights), keep, k, occ_col, inst_col, max_per_occupation,
                          max_per_institution)
        else:
            features = artifact.feature_space.user_matrix([(wk.worker_id, wk.profile) for wk in chunk], today)
            users = artifact.model.user_matrix(features)
            # Same expression and order as HybridModel.score, one row per worker (einsum sums each
            # cell in the same order as the per-worker mat-vec: bit-identical scores).
            scores = np.einsum("ij,kj->ik", users.vectors, items.vectors) + items.biases \
                + users.biases.astype(np.float32)[:, None]
            pct, ordered = percentiles(scores, keep)
            picks = top_k(blend(pct, terms, weights), keep, k, occ_col, inst_col, max_per_occupation,
                          max_per_institution)
            vectors.append(users.vectors.astype(np.float32))
            biases.append(users.biases.astype(np.float32))
            m = ordered.count
            kth = picks.score[:, k - 1]
            band = (picks.column[:, k - 1] >= 0) & (m > 1) & (weights.model > 0)
            # As the per-worker pass: below this rank a course scores less than the k-th pick even
            # with every policy term at its maximum; one rank of margin, never inside a run of ties.
            top = np.where(safety.any(axis=1), ceiling[1], ceiling[0])
            need = np.where(band, (np.where(band, kth, 0.0) - top) / (weights.model or 1.0), 0.0)
            cut = np.maximum(np.floor(need * (m - 1)).astype(np.int64) - 1, 0)
            inside = cut < m
            starts = np.take_along_axis(ordered.run_start, np.minimum(cut, n_courses - 1)[:, None], axis=1)[:, 0]
            cut = np.minimum(np.where(inside, starts, cut), m)
            cut = np.where(band, cut, 0)
            cols = np.arange(n_courses)[None, :]
            in_band = (cols >= cut[:, None]) & (cols < m[:, None])
            band_values.append(ordered.values[in_band].astype(np.float32))
            band_lengths.append(m - cut)
            below.append(cut)
            n_candidates.append(m)
        pick_score.append(picks.score)
        pick_row.append(picks.column)
        if progress is not None:
            progress(b)

    chunk: list[AudienceWorker] = []
    first = 0
    for wk in workers:
        chunk.append(wk)
        if len(chunk) == size:
            rank_block(chunk, first)
            first += len(chunk)
            chunk = []
    if chunk:
        rank_block(chunk, first)
    n = len(ids)
    packed = (np.concatenate(bits, axis=0) if bits else np.zeros((0, n_courses), np.uint8)).T.copy()

    def pairs(found: np.ndarray) -> CourseWorkerSets:
        a = found.astype(np.int64).reshape(-1, 2)
        return CourseWorkerSets.from_pairs(a[:, 0], a[:, 1], n_courses)

    bands = None
    if artifact is not None and n:
        lengths = np.concatenate(band_lengths)
        bands = ScoreBands(offsets=np.r_[0, np.cumsum(lengths)].astype(np.int64),
                           values=np.concatenate(band_values).astype(np.float32),
                           below=np.concatenate(below).astype(np.int64),
                           candidates=np.concatenate(n_candidates).astype(np.int64))
    rows = np.concatenate(pick_row) if pick_row else np.zeros((0, k), np.int64)
    scores = np.concatenate(pick_score) if pick_score else np.zeros((0, k))
    return AudienceState(
        catalog_version=snapshot.version,
        workers=WorkerColumns(
            ids=np.array(ids, dtype=np.int64), opted_in=np.array(opted, dtype=bool),
            lat=np.array(lat, dtype=np.float64), lon=np.array(lon, dtype=np.float64),
            max_km=np.array(max_km, dtype=np.float64), online_ok=np.array(online_ok, dtype=bool),
            group_mask=np.array(groups, dtype=np.uint32),
            user_vectors=np.concatenate(vectors).astype(np.float32) if bands is not None else None,
            user_bias=np.concatenate(biases).astype(np.float32) if bands is not None else None,
        ),
        eligible_bits=packed,
        safety_first=pairs(np.concatenate(safety_pairs) if safety_pairs else np.zeros((0, 2))),
        dismissed=pairs(np.array(dismissed_pairs, dtype=np.int64)),
        interests={code: np.array(found, dtype=np.int64) for code, found in interests.items()},
        bands=bands,
        picks=TopPicks(score=scores.reshape(n, k), row=rows.reshape(n, k),
                       occupation=np.where(rows >= 0, occ_col[np.maximum(rows, 0)], -1).reshape(n, k),
                       institution=np.where(rows >= 0, inst_col[np.maximum(rows, 0)], -1).reshape(n, k)),
        occupation_codes=occ_codes, institution_codes=inst_codes, k=k,
        max_per_occupation=max_per_occupation, max_per_institution=max_per_institution,
    )
