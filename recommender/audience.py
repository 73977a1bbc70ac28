"""A course's push audience in one pass over all workers.

A worker belongs to a course's audience when the course is in their own top-``k`` list: eligible
under the rules, available, in range, and ranked high enough by the same blend and diversity caps
as :func:`recommender.ranking.rank`. Ranking the catalog per worker answers that in about a
millisecond a worker: an hour per course for a city. Here the course is put against every worker
at once, with whole-array operations:

1. masks over workers: the rules' verdict for this course (stored per course as packed bits),
   push consent, dismissals, the travel range (haversine from the course to every worker);
2. the model score: one mat-vec of the course's representation against all user representations;
3. the model term is a *rank percentile among the worker's own candidates*, so the pass needs where
   the course's score falls among each worker's candidate scores: every worker keeps the sorted
   scores of their candidates that could still reach their top ``k`` (a band; below it nothing
   can), searched with one vectorized binary search;
4. the policy terms over workers and :func:`recommender.ranking.blend`, the one blend;
5. the comparison with each worker's stored top-``k`` picks (their blended scores are the
   thresholds): the course enters where fewer than ``k`` picks rank ahead of it and fewer than the
   diversity caps share its occupation or its institution — exactly the greedy pass of ``rank``,
   since the picks ahead of a course are chosen before the greedy reaches it.

The state (:class:`AudienceState`) is what one per-worker ranking pass over a catalog snapshot
leaves behind (``serving.push_audience.build_audience_state``); with it, the audience of any course
of that snapshot costs one pass over arrays instead of one ranking per worker, and equals what the
per-worker path shows (``tests/recommender/test_audience.py`` checks every course of a generated
population). Course-side facts (seats, deadline) and consent are read fresh; a course published
after the snapshot needs a new state. Scores agree bit for bit because both paths score with the
same ``einsum`` and blend with the same function; ties are broken by catalog row in both.

Pure numpy: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from catalog.geo import haversine_km
from recommender.ranking import Candidates, CourseArrays, RankingWeights, blend, policy_terms

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class WorkerColumns:
    """One entry per worker (row ``r`` is worker ``ids[r]``)."""

    ids: IntArray
    opted_in: BoolArray  # push consent, read at planning time
    lat: FloatArray  # nan: location unknown
    lon: FloatArray
    max_km: FloatArray  # inf: no travel limit
    online_ok: BoolArray
    group_mask: npt.NDArray[np.uint32]  # effective priority groups (own + R6), policy.table.group_mask
    user_vectors: npt.NDArray[np.float32] | None  # (W, d); None when ranking is rule-based
    user_bias: npt.NDArray[np.float32] | None

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True, eq=False)
class CourseWorkerSets:
    """For each course row, the worker rows of a sparse relation (CSR over courses)."""

    offsets: IntArray  # (N + 1,)
    rows: IntArray

    def of(self, course_row: int) -> IntArray:
        return self.rows[self.offsets[course_row]:self.offsets[course_row + 1]]

    @classmethod
    def from_pairs(cls, course_rows: IntArray, worker_rows: IntArray, n_courses: int) -> CourseWorkerSets:
        order = np.lexsort((worker_rows, course_rows))
        counts = np.bincount(course_rows, minlength=n_courses)
        return cls(np.r_[0, np.cumsum(counts)].astype(np.int64), worker_rows[order].astype(np.int64))


@dataclass(frozen=True, eq=False)
class ScoreBands:
    """Per worker, the ascending model scores of their candidates from the lowest that could still
    reach their top ``k`` (CSR over workers), how many candidates lie below the band, and how many
    candidates there are in all (the percentile's denominator)."""

    offsets: IntArray  # (W + 1,)
    values: npt.NDArray[np.float32]
    below: IntArray
    candidates: IntArray


@dataclass(frozen=True, eq=False)
class TopPicks:
    """Each worker's top-``k`` list as the per-worker path chose it; ``row`` -1 pads a short list."""

    score: FloatArray  # (W, k) blended scores
    row: IntArray  # (W, k) catalog rows
    occupation: IntArray  # (W, k) codes in AudienceState.occupation_codes
    institution: IntArray  # (W, k) codes in AudienceState.institution_codes


@dataclass(frozen=True, eq=False)
class AudienceState:
    """Everything the one-pass audience reads about the workers, for one catalog snapshot."""

    catalog_version: str
    workers: WorkerColumns
    eligible_bits: npt.NDArray[np.uint8]  # (N, ceil(W/8)): rules passed and not already taken
    safety_first: CourseWorkerSets  # R11: the course a worker must take before their post
    dismissed: CourseWorkerSets
    interests: dict[str, IntArray]  # occupation / category / prefix code -> worker rows
    bands: ScoreBands | None  # None: rule-based ranking (no model term)
    picks: TopPicks
    occupation_codes: dict[str, int]
    institution_codes: dict[str, int]
    k: int
    max_per_occupation: int | None
    max_per_institution: int | None


@dataclass(frozen=True, eq=False)
class CourseColumn:
    """What the pass needs of one course: its catalog row, facts and model representation."""

    row: int
    lat: float
    lon: float
    online: bool
    seats_left: int
    enrol_deadline: int  # date ordinal
    start_date: int  # date ordinal
    shortage_level: int
    credit_score: float
    target_groups: int
    occupation: str
    occupation_prefix: str
    category: str
    institution: str
    certificate_rate: float = 0.0
    below_floor: bool = False
    vector: npt.NDArray[np.float32] | None = None
    bias: np.float32 | None = None

    @classmethod
    def of(cls, arrays: CourseArrays, row: int, vectors: npt.NDArray[np.float32] | None = None,
           biases: npt.NDArray[np.float32] | None = None) -> CourseColumn:
        """Row ``row`` of a catalog's columns (and of its item representations, if a model serves)."""
        return cls(
            row=row, lat=float(arrays.lat[row]), lon=float(arrays.lon[row]), online=bool(arrays.online[row]),
            seats_left=int(arrays.seats_left[row]), enrol_deadline=int(arrays.enrol_deadline[row]),
            start_date=int(arrays.start_date[row]), shortage_level=int(arrays.shortage_level[row]),
            credit_score=float(arrays.credit_score[row]), target_groups=int(arrays.target_groups[row]),
            occupation=str(arrays.occupation[row]), occupation_prefix=str(arrays.occupation_prefix[row]),
            category=str(arrays.category[row]), institution=str(arrays.institution[row]),
            certificate_rate=float(arrays.certificate_rate[row]), below_floor=bool(arrays.below_floor[row]),
            vector=None if vectors is None else vectors[row],
            bias=None if biases is None else biases[row],
        )


@dataclass(frozen=True, eq=False)
class Audience:
    """The workers a course reaches, best fit first."""

    worker_rows: IntArray
    worker_ids: IntArray
    position: IntArray  # 1-based place of the course in the worker's own list
    score: FloatArray  # the course's blended score for the worker

    def __len__(self) -> int:
        return int(self.worker_rows.shape[0])


def _empty() -> Audience:
    z = np.zeros(0, dtype=np.int64)
    return Audience(z, z, z, np.zeros(0))


def _member(rows: IntArray, members: IntArray, n: int) -> BoolArray:
    # A lookup table over all workers: np.isin with a short member list compares each member
    # against every row (11 ms for 100 members over 25,000 rows); this is one scatter and a gather.
    table = np.zeros(n, dtype=bool)
    table[members] = True
    return table[rows]


def _segment_counts(values: npt.NDArray[np.float32], lo: IntArray, hi: IntArray,
                    x: npt.NDArray[np.float32]) -> tuple[IntArray, IntArray]:
    """Per segment ``values[lo[i]:hi[i]]`` (ascending): how many are < x[i] and how many == x[i].

    Two vectorized binary searches (left and right), about log2(band) steps over all workers.
    """
    def search(right: bool) -> IntArray:
        a, b = lo.copy(), hi.copy()
        while True:
            active = a < b
            if not active.any():
                return a
            mid = (a + b) // 2
            probe = values[np.where(active, mid, 0)] if values.size else np.zeros(mid.shape, values.dtype)
            go_right = active & ((probe <= x) if right else (probe < x))
            a = np.where(go_right, mid + 1, a)
            b = np.where(active & ~go_right, mid, b)

    left = search(False)
    return left - lo, search(True) - left


def course_audience(state: AudienceState, course: CourseColumn, *, today: date,
                    weights: RankingWeights) -> Audience:
    """The opted-in workers for whom ``course`` is among their own top ``k``, best fit first.

    Parameters
    ----------
    state
        Built from the per-worker ranking over the snapshot ``course`` belongs to.
    course
        The course's column (:meth:`CourseColumn.of`), with fresh seats and deadline.
    today
        Planning day (deadline and start-date terms).
    weights
        The blend the per-worker path used to build ``state``.

    Returns
    -------
    Audience
        Ordered by the course's place in each worker's list, then its score, then worker id.
    """
    t = today.toordinal()
    if course.seats_left <= 0 or course.enrol_deadline < t:
        return _empty()
    w = state.workers
    n = len(w)
    mask = np.unpackbits(state.eligible_bits[course.row], count=n).astype(bool)
    mask &= w.opted_in
    mask[state.dismissed.of(course.row)] = False
    rows = np.flatnonzero(mask)
    # Travel range, as build_candidates computes it per worker (online courses are in everyone's
    # range unless the worker refuses online training).
    if course.online:
        rows = rows[w.online_ok[rows]]
        dist = np.full(rows.shape[0], np.nan)
    else:
        dist = haversine_km(course.lat, course.lon, w.lat[rows], w.lon[rows])
        ok = np.isnan(dist) | (dist <= w.max_km[rows])
        rows, dist = rows[ok], dist[ok]
    if rows.shape[0] == 0:
        return _empty()

    def terms_of(rows: IntArray, dist: FloatArray) -> dict[str, FloatArray]:
        m = rows.shape[0]
        interest = np.zeros(m, dtype=bool)
        found = [state.interests[c] for c in {course.occupation, course.category, course.occupation_prefix}
                 if c in state.interests]
        if found:
            interest = _member(rows, np.concatenate(found), len(w))
        ones = np.ones(m, dtype=bool)
        cand = Candidates(
            eligible=ones, seats_open=ones, deadline_ok=ones, in_range=ones, distance_km=dist,
            days_to_start=np.full(m, float(course.start_date - t)),
            shortage_level=np.full(m, course.shortage_level, dtype=np.int64),
            targeted=(w.group_mask[rows] & np.uint32(course.target_groups)) != 0,
            credit_score=np.full(m, course.credit_score, dtype=np.float64),
            dismissed=np.zeros(m, dtype=bool), interest_match=interest,
            safety_first=_member(rows, state.safety_first.of(course.row), len(w)),
            occupation=np.empty(0), institution=np.empty(0),
            certificate_rate=np.full(m, course.certificate_rate, dtype=np.float64),
            below_floor=np.full(m, course.below_floor, dtype=bool),
        )
        return policy_terms(cand, weights)

    p = state.picks
    terms = terms_of(rows, dist)
    if state.bands is not None and weights.model >= 0:
        # Most workers drop out here: even at the best model percentile (1.0) the course would
        # score below their k-th pick. Additions round monotonically, so the bound is safe.
        ceiling = blend(np.ones(rows.shape[0]), terms, weights)
        alive = ceiling >= p.score[rows, state.k - 1]
        rows, dist = rows[alive], dist[alive]
        terms = {code: values[alive] for code, values in terms.items()}

    pct: FloatArray | None = None
    if state.bands is not None:
        if w.user_vectors is None or w.user_bias is None or course.vector is None or course.bias is None:
            raise ValueError("a model-ranked state needs user and course representations")
        # Same expression, same order as HybridModel.score: (dot + item bias) + user bias, float32.
        s = np.einsum("ij,j->i", w.user_vectors[rows], course.vector) + course.bias + w.user_bias[rows]
        b = state.bands
        lo, hi = b.offsets[rows], b.offsets[rows + 1]
        less, equal = _segment_counts(b.values, lo, hi, s)
        # The course is one of the worker's candidates, so its own score is in the band unless it
        # ranks too low to reach the top k: then it is not in the audience.
        inband = equal >= 1
        rows = rows[inband]
        terms = {code: values[inband] for code, values in terms.items()}
        less, equal = less[inband] + b.below[rows], equal[inband]
        total = b.candidates[rows]
        # As ranking._percentile: tie-averaged 0-based rank over (candidates - 1); one candidate: 1.
        ranks = less + (equal - 1) / 2.0
        pct = np.where(total > 1, ranks / np.maximum(total - 1, 1), 1.0)
        if rows.shape[0] == 0:
            return _empty()
    score = blend(pct, terms, weights)
    # Below the k-th pick (which may be this course itself) all k picks are ahead: out.
    near_top = score >= p.score[rows, state.k - 1]
    rows, score = rows[near_top], score[near_top]

    ps, prow = p.score[rows], p.row[rows]
    # A pick is ahead of the course when its score is higher, or equal with a lower catalog row:
    # rank()'s order (lexsort on -score, then row).
    ahead = (prow >= 0) & (prow != course.row) & (
        (ps > score[:, None]) | ((ps == score[:, None]) & (prow < course.row)))
    position = ahead.sum(axis=1)
    keep = position < state.k
    if state.max_per_occupation is not None:
        occ = state.occupation_codes.get(course.occupation, -2)
        keep &= (ahead & (p.occupation[rows] == occ)).sum(axis=1) < state.max_per_occupation
    if state.max_per_institution is not None:
        inst = state.institution_codes.get(course.institution, -2)
        keep &= (ahead & (p.institution[rows] == inst)).sum(axis=1) < state.max_per_institution
    rows, position, score = rows[keep], position[keep], score[keep]
    ids = w.ids[rows]
    order = np.lexsort((ids, -score, position))
    return Audience(rows[order], ids[order], position[order] + 1, score[order])
