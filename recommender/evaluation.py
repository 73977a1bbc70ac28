"""Offline evaluation: time-based holdout, ranking metrics, baselines.

Split
-----
One global time cutoff: the latest ``test_fraction`` of all events (by timestamp) form the test
period, so for every worker their latest interactions are the ones held out and nothing from the
future leaks into training. Workers whose first event falls after the cutoff have no training
history: they are the *cold-start users* (scored from attributes only). Courses first seen after
the cutoff are *new items* (also attribute-only).

Ranking protocol
----------------
For each worker with at least one relevant test event, all candidate courses are scored, the
worker's training positives are removed from the ranking (they were already shown/taken), and the
top ``k`` are compared with the test positives that were not training positives. Candidates are
the courses whose enrolment deadline is not before the cutoff (open during the test period);
``candidate_ids`` overrides that.

Baselines, computed in the same run by :mod:`training_jobs.train`
-----------------------------------------------------------------
* popularity: weighted count of training positives per course (new courses score 0);
* content-only: the same LightFM model fitted *without identity features* (attribute features
  only, :class:`~recommender.features.FeatureSpace` with ``identity=False``) — a stronger baseline
  than a hand-written overlap score, and it isolates what the per-worker/per-course identity
  embeddings add.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np
from scipy.stats import rankdata

from catalog.vocabulary import PRIORITY_GROUPS
from recommender.items import Interaction, TrainingData
from recommender.model import InteractionWeights

#: Event kinds that make a test pair relevant (a bare view is too weak a signal to grade on).
DEFAULT_RELEVANT_KINDS: frozenset[str] = frozenset({"click", "save", "enrol", "complete"})


@dataclass(frozen=True)
class HoldoutSplit:
    """Training and test events with the cutoff and the cold-start sets."""

    train: list[Interaction]
    test: list[Interaction]
    cutoff: datetime
    cold_users: frozenset[int]
    new_items: frozenset[int]


def temporal_split(interactions: Iterable[Interaction], test_fraction: float = 0.2) -> HoldoutSplit:
    """Split events at the time quantile ``1 - test_fraction``.

    Parameters
    ----------
    interactions
        All events.
    test_fraction
        Share of events (by count) in the test period.

    Returns
    -------
    HoldoutSplit
    """
    events = sorted(interactions, key=lambda e: (e.at, e.worker_id, e.course_id))
    if not events:
        raise ValueError("no interactions to split")
    cut_index = min(len(events) - 1, int(len(events) * (1.0 - test_fraction)))
    cutoff = events[cut_index].at
    train = [e for e in events if e.at < cutoff]
    test = [e for e in events if e.at >= cutoff]
    train_users = {e.worker_id for e in train}
    train_items = {e.course_id for e in train}
    return HoldoutSplit(train, test, cutoff,
                        frozenset(e.worker_id for e in test if e.worker_id not in train_users),
                        frozenset(e.course_id for e in test if e.course_id not in train_items))


def _positive_pairs(events: Iterable[Interaction], kinds: Iterable[str]) -> dict[int, set[int]]:
    kinds = frozenset(kinds)
    latest: dict[tuple[int, int], Interaction] = {}
    pos: dict[int, set[int]] = {}
    for e in sorted(events, key=lambda e: e.at):
        if e.kind == "dismiss" or e.kind in kinds:
            latest[(e.worker_id, e.course_id)] = e
    for (w, c), e in latest.items():
        if e.kind != "dismiss":
            pos.setdefault(w, set()).add(c)
    return pos


@dataclass(frozen=True)
class EvalTask:
    """What every model is graded on: users, candidates, their train and test positives."""

    user_ids: list[int]
    candidate_ids: np.ndarray
    exclude: np.ndarray  # (n_users, n_candidates) bool: training positives
    relevant: np.ndarray  # (n_users, n_candidates) bool: test positives
    cold: np.ndarray  # (n_users,) bool
    new_item: np.ndarray  # (n_candidates,) bool
    groups: list[frozenset[str]]
    archive_only: np.ndarray | None = None  # (n_users, n_candidates) bool: test positives with no app event


def build_task(data: TrainingData, split: HoldoutSplit,
               relevant_kinds: Iterable[str] = DEFAULT_RELEVANT_KINDS,
               candidate_ids: Sequence[int] | None = None) -> EvalTask:
    """Assemble the evaluation task from a split.

    Parameters
    ----------
    data
        Workers and courses.
    split
        The holdout split.
    relevant_kinds
        Kinds making a test pair relevant.
    candidate_ids
        Courses to rank; default: enrolment deadline on or after the cutoff day.

    Returns
    -------
    EvalTask
    """
    if candidate_ids is None:
        cut_day = split.cutoff.date()
        candidate_ids = sorted(cid for cid, c in data.courses.items() if c.enrol_deadline >= cut_day)
    cands = np.array(list(candidate_ids), dtype=np.int64)
    col = {int(c): j for j, c in enumerate(cands)}
    train_pos = _positive_pairs(split.train, ("view", "click", "save", "enrol", "complete", "drop"))
    test_pos = _positive_pairs(split.test, relevant_kinds)
    users = sorted(w for w, items in test_pos.items()
                   if w in data.workers and any(c in col and c not in train_pos.get(w, set()) for c in items))
    exclude = np.zeros((len(users), len(cands)), dtype=bool)
    relevant = np.zeros_like(exclude)
    for r, w in enumerate(users):
        for c in train_pos.get(w, ()):
            if c in col:
                exclude[r, col[c]] = True
        for c in test_pos[w]:
            if c in col and not exclude[r, col[c]]:
                relevant[r, col[c]] = True
    cold = np.array([w in split.cold_users for w in users], dtype=bool)
    new_item = np.array([int(c) in split.new_items for c in cands], dtype=bool)
    # Positives known only from the training archive (recorded enrolments), none from the app.
    app_pos = _positive_pairs([e for e in split.test if not e.archive], relevant_kinds)
    archive_only = relevant.copy()
    for r, w in enumerate(users):
        for c in app_pos.get(w, ()):
            if c in col:
                archive_only[r, col[c]] = False
    return EvalTask(users, cands, exclude, relevant, cold, new_item,
                    [data.workers[w].priority_groups for w in users], archive_only)


def top_k(scores: np.ndarray, exclude: np.ndarray, k: int) -> np.ndarray:
    """Indices of the top ``k`` non-excluded items per row (ties broken by lower index)."""
    s = np.where(exclude, -np.inf, scores.astype(np.float64))
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return order


def precision_recall_at_k(scores: np.ndarray, relevant: np.ndarray, exclude: np.ndarray,
                          k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Per-user precision@k and recall@k.

    Parameters
    ----------
    scores
        (n_users, n_items) scores.
    relevant
        (n_users, n_items) bool, test positives.
    exclude
        (n_users, n_items) bool, items removed from the ranking (training positives).
    k
        Cut-off.

    Returns
    -------
    tuple of numpy.ndarray
        precision (hits / k) and recall (hits / relevant count; ``nan`` without relevant items).
    """
    idx = top_k(scores, exclude, k)
    hits = np.take_along_axis(relevant & ~exclude, idx, axis=1).sum(axis=1).astype(np.float64)
    n_rel = (relevant & ~exclude).sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(n_rel > 0, hits / n_rel, np.nan)
    return hits / k, recall


def auc_per_user(scores: np.ndarray, relevant: np.ndarray, exclude: np.ndarray,
                 item_mask: np.ndarray | None = None) -> np.ndarray:
    """Exact ROC AUC per user (positives vs. other non-excluded items; ties count half).

    ``item_mask`` restricts both positives and negatives to some items (e.g. new items).
    Users without a positive or a negative get ``nan``.
    """
    n_users = scores.shape[0]
    out = np.full(n_users, np.nan)
    allowed = ~exclude if item_mask is None else (~exclude & item_mask[None, :])
    for u in range(n_users):
        keep = allowed[u]
        pos = relevant[u][keep]
        n_pos = int(pos.sum())
        n_neg = int(keep.sum()) - n_pos
        if n_pos == 0 or n_neg == 0:
            continue
        ranks = rankdata(scores[u][keep])
        out[u] = (ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)
    return out


def catalog_coverage(scores: np.ndarray, exclude: np.ndarray, k: int = 10) -> float:
    """Share of candidate items appearing in at least one user's top ``k``."""
    if scores.shape[1] == 0:
        return 0.0
    return float(np.unique(top_k(scores, exclude, k)).size / scores.shape[1])


def _mean(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else None


def evaluate_scores(scores: np.ndarray, task: EvalTask, k: int = 10) -> dict[str, Any]:
    """All metrics of one model on a task.

    Parameters
    ----------
    scores
        (n_users, n_candidates) scores, rows in ``task.user_ids`` order.
    task
        The evaluation task.
    k
        Cut-off.

    Returns
    -------
    dict
        ``precision@k``, ``recall@k``, ``auc``, ``coverage@k``, ``n_users``, ``warm`` and ``cold_users``
        (each precision/recall/auc over that subset), ``new_items_auc`` (AUC among new items only, users
        with a new-item positive), and ``recall@k_by_group``.
    """
    prec, rec = precision_recall_at_k(scores, task.relevant, task.exclude, k)
    auc = auc_per_user(scores, task.relevant, task.exclude)
    new_auc = auc_per_user(scores, task.relevant, task.exclude, task.new_item)
    by_group: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for g in PRIORITY_GROUPS:
        m = np.array([g in gs for gs in task.groups], dtype=bool)
        counts[g] = int(m.sum())
        by_group[g] = _mean(rec[m]) if m.any() else None

    def subset(mask: np.ndarray) -> dict[str, Any]:
        return {f"precision@{k}": _mean(prec[mask]), f"recall@{k}": _mean(rec[mask]),
                "auc": _mean(auc[mask]), "n_users": int(mask.sum())}

    return {
        f"precision@{k}": _mean(prec),
        f"recall@{k}": _mean(rec),
        "auc": _mean(auc),
        f"coverage@{k}": catalog_coverage(scores, task.exclude, k),
        "n_users": len(task.user_ids),
        "n_candidates": int(task.candidate_ids.size),
        "warm": subset(~task.cold),
        "cold_users": subset(task.cold),
        "new_items_auc": _mean(new_auc),
        "new_items_n_users": int((~np.isnan(new_auc)).sum()),
        f"recall@{k}_by_group": by_group,
        "group_n_users": counts,
    }


def popularity_scores(train: Iterable[Interaction], candidate_ids: np.ndarray, n_users: int,
                      weights: InteractionWeights | Mapping[str, float] | None = None) -> np.ndarray:
    """Popularity baseline: weighted training events per candidate, the same row for everyone.

    ``weights`` are the event weights the model is trained with (``RECO_EVENT_WEIGHTS``), so the
    promotion gate compares the two on the same reading of the events; dismissals add nothing.
    """
    if weights is None:
        weights = InteractionWeights()
    w = asdict(weights) if isinstance(weights, InteractionWeights) else dict(weights)
    col = {int(c): j for j, c in enumerate(candidate_ids)}
    pop = np.zeros(candidate_ids.size, dtype=np.float64)
    for e in train:
        j = col.get(e.course_id)
        if j is not None and e.kind in w:
            pop[j] += w[e.kind]
    return np.broadcast_to(pop, (n_users, candidate_ids.size))
