""":func:`recommender.ranking.rank` for a block of workers at once: rows are workers, columns courses.

The push plan needs every opted-in worker's top ``k`` each day. Ranking them one at a time costs
a few milliseconds of Python per worker (an hour and more for a city); here a block of workers is
one set of (workers x courses) arrays: the model's rank percentiles among each row's candidates
(one stable argsort per block), the blend (the same :func:`recommender.ranking.blend`, broadcast),
and each row's greedy top-``k`` under the diversity caps, taken from the best ``window`` columns
found with ``np.argpartition`` instead of sorting the catalog.

The results equal the per-worker functions' bit for bit (same expressions, same order of
additions, ties by catalog row): ``tests/recommender/test_batch_ranking.py`` compares them on random
blocks with ties, and the push-audience property test runs through this path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class SortedCandidates:
    """Per row, the model scores of the row's candidates in ascending order (the first ``count[r]``
    columns of ``values``) and where each one's run of equal scores starts."""

    values: npt.NDArray[np.float64]  # (B, N); columns past count are +inf
    run_start: IntArray  # (B, N)
    count: IntArray  # (B,)


def percentiles(scores: npt.NDArray[np.floating], keep: BoolArray) -> tuple[FloatArray, SortedCandidates]:
    """Each row's ``ranking._percentile``: tie-averaged rank among the row's kept columns, 0..1.

    Also returns the sorted kept scores (the push audience keeps a band of them per worker)."""
    b, n = scores.shape
    s = np.where(keep, scores.astype(np.float64), np.inf)
    order = np.argsort(s, axis=1, kind="stable")
    ordered = np.take_along_axis(s, order, axis=1)
    m = keep.sum(axis=1).astype(np.int64)
    cols = np.arange(n, dtype=np.int64)
    first = np.ones((b, n), dtype=bool)
    first[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    start = np.maximum.accumulate(np.where(first, cols, 0), axis=1)
    # The end of each run: the next run's start, found from the right.
    nxt = np.full((b, n), n, dtype=np.int64)
    nxt[:, :-1] = np.where(first[:, 1:], cols[1:], n)
    end = np.minimum.accumulate(nxt[:, ::-1], axis=1)[:, ::-1]
    counts = end - start
    ranks = start + (counts - 1) / 2.0
    pct_sorted = ranks / np.maximum(m - 1, 1)[:, None]
    pct_sorted = np.where((m == 1)[:, None], 1.0, pct_sorted)
    inside = cols[None, :] < m[:, None]
    out = np.zeros((b, n), dtype=np.float64)
    np.put_along_axis(out, order, np.where(inside, pct_sorted, 0.0), axis=1)
    return out, SortedCandidates(ordered, start, m)


@dataclass(frozen=True, eq=False)
class BlockPicks:
    """Each row's top ``k`` (best first): catalog columns (-1 pads a short list) and blended scores."""

    column: IntArray  # (B, k)
    score: FloatArray  # (B, k); -inf pads


def _greedy(order: IntArray, usable: BoolArray, blended: FloatArray, k: int, occupation: IntArray,
            institution: IntArray, max_per_occupation: int | None,
            max_per_institution: int | None) -> tuple[IntArray, FloatArray, IntArray]:
    """The greedy pass of ``rank`` over each row's columns in ``order`` (only where ``usable``)."""
    b = order.shape[0]
    picked = np.full((b, k), -1, dtype=np.int64)
    occ = np.full((b, k), -1, dtype=np.int64)
    inst = np.full((b, k), -1, dtype=np.int64)
    taken = np.zeros(b, dtype=np.int64)
    rows = np.arange(b)
    for j in range(order.shape[1]):
        col = order[:, j]
        ok = usable[:, j] & (taken < k)
        if not ok.any():
            if not usable[:, j:].any():
                break
            continue
        o, i = occupation[col], institution[col]
        if max_per_occupation is not None:
            ok &= (occ == o[:, None]).sum(axis=1) < max_per_occupation
        if max_per_institution is not None:
            ok &= (inst == i[:, None]).sum(axis=1) < max_per_institution
        r, slot = rows[ok], taken[ok]
        picked[r, slot] = col[ok]
        occ[r, slot] = o[ok]
        inst[r, slot] = i[ok]
        taken[ok] += 1
    score = np.where(picked >= 0, np.take_along_axis(blended, np.maximum(picked, 0), axis=1), -np.inf)
    return picked, score, taken


def top_k(blended: FloatArray, keep: BoolArray, k: int, occupation: IntArray, institution: IntArray,
          max_per_occupation: int | None, max_per_institution: int | None, window: int | None = None) -> BlockPicks:
    """Each row's ``ranking.rank`` picks: best blended score first, ties by column, caps greedy.

    Parameters
    ----------
    blended
        (B, N) blended scores.
    keep
        (B, N) hard filters passed.
    occupation, institution
        (N,) integer codes of each column's occupation and institution (the caps' keys).
    window
        How many of each row's best columns the greedy looks at first (default ``4 k``). A row
        whose list the window cannot settle (caps skipped too many, or ties at its edge) is
        ranked again over all its columns, so the answer never depends on the window.
    """
    b, n = blended.shape
    window = min(n, window or 4 * k)
    neg = np.where(keep, -blended, np.inf)
    if window < n:
        part = np.argpartition(neg, window - 1, axis=1)[:, :window]
        edge = np.take_along_axis(neg, part, axis=1).max(axis=1)
        values = np.take_along_axis(neg, part, axis=1)
        order = np.take_along_axis(part, np.lexsort((part, values), axis=-1), axis=1)
        # Strictly better than the window's worst value: exactly the rows' leading columns in the
        # full order (a tie at the edge may have left an equal column outside the window).
        usable = np.take_along_axis(neg, order, axis=1) < edge[:, None]
        picked, score, taken = _greedy(order, usable, blended, k, occupation, institution,
                                       max_per_occupation, max_per_institution)
        # Settled: k picks, or every kept column was in the usable prefix.
        settled = (taken >= k) | (usable.sum(axis=1) >= keep.sum(axis=1))
        redo = np.flatnonzero(~settled)
    else:
        redo = np.arange(b)
        picked = np.full((b, k), -1, dtype=np.int64)
        score = np.full((b, k), -np.inf)
    if redo.size:
        sub = neg[redo]
        full = np.argsort(sub, axis=1, kind="stable")  # ties keep column order: rank()'s lexsort
        usable = np.take_along_axis(sub, full, axis=1) < np.inf
        p, s, _ = _greedy(full, usable, blended[redo], k, occupation, institution, max_per_occupation,
                          max_per_institution)
        picked[redo], score[redo] = p, s
    return BlockPicks(picked, score)
