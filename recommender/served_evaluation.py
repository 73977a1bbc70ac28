"""Offline evaluation of what a worker is actually shown: rules, availability, travel, blend, diversity.

:mod:`recommender.evaluation` grades a model's scores over every open course. A worker never sees
that ranking: serving (:func:`serving.recommend.recommend`) keeps only the courses the rules allow
(R1–R12 via :func:`policy.decide_many`) that are open and within travel range, blends the model's
rank percentile with policy terms and applies the diversity caps. This module runs *those very
functions* (:func:`recommender.ranking.build_candidates` and :func:`recommender.ranking.rank`)
for every test user as of the holdout cutoff, and grades two things:

* **ranking among eligible courses**: AUC and recall@k of the raw model scores when only the
  courses serving could show compete (what the model contributes, free of the blend);
* **the served list**: recall@k of the list :func:`~recommender.ranking.rank` returns, against
  *all* the user's test positives (a positive the rules forbid can never be served; counting it
  keeps the figure honest and is how the report tells rules from model, see :func:`group_gaps`).

Each worker is judged *as they stood at the cutoff*: their training archive is cut to the trainings
enrolled before that day (:func:`archive_as_of`). Read as of today, a test-period enrolment is in the
archive, and R3/R4 then forbid the very course it is a positive for: on the 20,000-worker demo with
its training history, 42.8% of the test positives read as rules-forbidden that way, 5.6% as of the
cutoff (issue 12's "groups below 0.8× because of the rules" was mostly this).

Differences from serving, all forced by history: seat counts are today's, not the cutoff's, so a
course counts as available when its enrolment window is open at the cutoff (seats are not
filtered); the courses a worker had a training-period positive on are removed like serving
removes courses already in the archive (``taken``); training-period dismissals are passed as
dismissals.

Every mean comes with ``n`` and a bootstrap 95% interval over users (:func:`bootstrap_mean`);
comparisons between two models use the paired bootstrap of the per-user difference
(:func:`bootstrap_difference`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np

from catalog.vocabulary import PRIORITY_GROUPS
from policy import CourseTable, PolicySettings, decide_many
from policy.profile import TrainingRecord, WorkerProfile
from recommender.evaluation import EvalTask, HoldoutSplit, auc_per_user, precision_recall_at_k
from recommender.items import TrainingData
from recommender.ranking import Candidates, CourseArrays, RankingWeights, build_candidates, rank


@dataclass(frozen=True)
class ServingSetup:
    """What serving ranks with: blend weights, diversity caps, rule settings, travel default.

    ``default_max_km`` mirrors the service's ``RECO_DEFAULT_MAX_KM`` default (50 km).
    """

    weights: RankingWeights = field(default_factory=RankingWeights)
    max_per_occupation: int | None = 3
    max_per_institution: int | None = 3
    settings: PolicySettings | None = None
    default_max_km: float | None = 50.0

    def describe(self) -> dict[str, Any]:
        """Plain values for meta.json and the report."""
        return {"model_weight": self.weights.model, "max_per_occupation": self.max_per_occupation,
                "max_per_institution": self.max_per_institution, "default_max_km": self.default_max_km}


@dataclass(frozen=True)
class ServedTask:
    """Per-user serving inputs over the task's candidate courses.

    Attributes
    ----------
    task
        The underlying ranking task (users, candidates, train/test positives).
    candidates
        One :class:`~recommender.ranking.Candidates` per user, built by the serving function.
    servable
        (n_users, n_candidates) bool: passes every hard filter (what serving may show).
    forbidden
        (n_users, n_candidates) bool: the rules (R1–R12) forbid the course to the user.
    """

    task: EvalTask
    candidates: list[Candidates]
    servable: np.ndarray
    forbidden: np.ndarray


def _dismissed(split: HoldoutSplit) -> dict[int, set[int]]:
    latest: dict[tuple[int, int], str] = {}
    for e in sorted(split.train, key=lambda e: e.at):
        if e.kind in ("dismiss", "save", "enrol", "complete"):
            latest[(e.worker_id, e.course_id)] = e.kind
    out: dict[int, set[int]] = {}
    for (w, c), kind in latest.items():
        if kind == "dismiss":
            out.setdefault(w, set()).add(c)
    return out


def archive_as_of(profile: WorkerProfile, day: date) -> WorkerProfile:
    """The worker with only the trainings enrolled before ``day`` (else ended before it, when the
    enrolment day is unknown): what the rules would have read on that day."""
    def before(t: TrainingRecord) -> bool:
        when = t.enrolled_on or t.end_date or t.completed_on
        return when is None or when < day

    kept = tuple(t for t in profile.trainings if before(t))
    return profile if len(kept) == len(profile.trainings) else replace(profile, trainings=kept)


def build_served_task(data: TrainingData, split: HoldoutSplit, task: EvalTask, on: date | None = None,
                      setup: ServingSetup = ServingSetup()) -> ServedTask:
    """Run the rules and the serving filters for every test user as of the cutoff day.

    Parameters
    ----------
    data
        Workers and courses.
    split
        The holdout split (its training-period dismissals are passed to ranking).
    task
        Users and candidate courses to grade.
    on
        Day of serving; default: the cutoff day.
    setup
        Rule settings and travel default (weights and caps are used later, by :func:`served_recall`).

    Returns
    -------
    ServedTask
    """
    on = on or split.cutoff.date()
    courses = [data.courses[int(c)] for c in task.candidate_ids]
    table = CourseTable.from_courses([c.facts for c in courses])
    arrays = CourseArrays.from_courses(courses)
    dismissed = _dismissed(split)
    all_open = np.ones(len(courses), dtype=bool)
    cands: list[Candidates] = []
    servable = np.zeros(task.relevant.shape, dtype=bool)
    forbidden = np.zeros(task.relevant.shape, dtype=bool)
    for r, w in enumerate(task.user_ids):
        profile = archive_as_of(data.workers[w], on)
        bulk = decide_many(profile, table, on, setup.settings)
        forbidden[r] = ~np.asarray(bulk.eligible, dtype=bool)
        eligible = np.asarray(bulk.eligible, dtype=bool) & ~task.exclude[r]  # serving's ``taken``
        c = build_candidates(arrays, profile, on, eligible, bulk.effective_groups, dismissed.get(w, ()),
                             bulk.safety_first, setup.default_max_km)
        c = replace(c, seats_open=all_open)  # seat counts are today's, unknown at the cutoff
        cands.append(c)
        servable[r] = c.keep_mask()
    return ServedTask(task, cands, servable, forbidden)


def served_lists(scores: np.ndarray | None, served: ServedTask, setup: ServingSetup, k: int = 10) -> list[list[int]]:
    """The list serving would show each user: candidate column indices, best first.

    ``scores`` (n_users, n_candidates) are a model's (or popularity's) scores; ``None`` is the
    rule-based fallback.
    """
    out = []
    for r, c in enumerate(served.candidates):
        s = None if scores is None else np.asarray(scores[r])
        ranked = rank(s, c, setup.weights, k, setup.max_per_occupation, setup.max_per_institution)
        out.append([x.index for x in ranked])
    return out


def served_recall(lists: Sequence[Sequence[int]], served: ServedTask, app_events_only: bool = False) -> np.ndarray:
    """Per-user recall of the served lists against all of the user's test positives (or only those
    with an app event, leaving out positives known only from the training archive)."""
    rel = served.task.relevant
    if app_events_only and served.task.archive_only is not None:
        rel = rel & ~served.task.archive_only
    n_rel = rel.sum(axis=1)
    hits = np.array([rel[r, idx].sum() if idx else 0 for r, idx in enumerate(lists)], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_rel > 0, hits / n_rel, np.nan)


def served_certificates(lists: Sequence[Sequence[int]], served: ServedTask) -> np.ndarray:
    """Per-user expected certificates per recommendation: the mean shrunk certificate rate of the
    courses in the served list (``nan`` for an empty list or without outcome figures).

    The rates are the archive's as of today (:mod:`recommender.course_outcomes`), not the cutoff's:
    they describe the courses, not what the test users did, so they leak nothing a user did.
    """
    out = np.full(len(lists), np.nan)
    for r, idx in enumerate(lists):
        rate = served.candidates[r].certificate_rate
        if idx and rate is not None:
            shown = np.asarray(rate, dtype=np.float64)[list(idx)]
            if not np.isnan(shown).all():
                out[r] = float(np.nanmean(shown))
    return out


def bootstrap_mean(values: np.ndarray, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Mean of the non-nan values with its bootstrap 95% interval (resampling users).

    Returns
    -------
    dict
        ``mean``, ``lo``, ``hi`` (``None`` when no value) and ``n``.
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return {"mean": None, "lo": None, "hi": None, "n": 0}
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1) if x.size > 1 else np.array([x[0]])
    return {"mean": float(x.mean()), "lo": float(np.quantile(means, 0.025)),
            "hi": float(np.quantile(means, 0.975)), "n": int(x.size)}


def bootstrap_difference(a: np.ndarray, b: np.ndarray, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Paired bootstrap of ``mean(a - b)`` over users where both are defined."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    keep = ~np.isnan(a) & ~np.isnan(b)
    return bootstrap_mean(a[keep] - b[keep], n_boot, seed)


def _chunked(scores: np.ndarray, mask: np.ndarray, relevant: np.ndarray, exclude: np.ndarray,
             k: int) -> tuple[np.ndarray, np.ndarray]:
    _, rec = precision_recall_at_k(scores, relevant & mask, exclude | ~mask, k)
    auc = auc_per_user(scores, relevant & mask, exclude | ~mask)
    return rec, auc


def per_user_metrics(scores: np.ndarray | None, served: ServedTask, setup: ServingSetup,
                     k: int = 10) -> dict[str, np.ndarray]:
    """Per-user figures of one scorer: served recall, and recall/AUC among servable courses.

    ``None`` scores (the rule-based fallback) have only the served recall.
    """
    lists = served_lists(scores, served, setup, k)
    out = {"served_recall": served_recall(lists, served),
           "served_recall_app_events": served_recall(lists, served, app_events_only=True),
           "served_certificates": served_certificates(lists, served)}
    t = served.task
    if scores is not None:
        rec, auc = _chunked(np.asarray(scores), served.servable, t.relevant, t.exclude, k)
        out["eligible_recall"] = rec
        out["eligible_auc"] = auc
        out["auc"] = auc_per_user(np.asarray(scores), t.relevant, t.exclude)
        out["new_items_auc"] = auc_per_user(np.asarray(scores), t.relevant, t.exclude, t.new_item)
    out["served_items"] = np.array([len(x) for x in lists], dtype=np.float64)
    return out


def summarize(per_user: Mapping[str, np.ndarray], served: ServedTask, n_boot: int = 1000) -> dict[str, Any]:
    """Means with intervals: overall, warm and cold users, and served recall per priority group."""
    t = served.task
    out: dict[str, Any] = {}
    for name, values in per_user.items():
        if name in ("served_items", "served_recall_app_events"):
            continue
        out[name] = bootstrap_mean(values, n_boot)
        if name in ("served_recall", "eligible_auc", "auc"):
            out[f"{name}_cold_users"] = bootstrap_mean(values[t.cold], n_boot)
            out[f"{name}_warm_users"] = bootstrap_mean(values[~t.cold], n_boot)
    by_group: dict[str, Any] = {}
    for g in PRIORITY_GROUPS:
        m = np.array([g in gs for gs in t.groups], dtype=bool)
        if m.any():
            by_group[g] = bootstrap_mean(per_user["served_recall"][m], n_boot)
    out["served_recall_by_group"] = by_group
    return out


def group_gaps(per_user: Mapping[str, np.ndarray], served: ServedTask, ratio: float = 0.8,
               n_boot: int = 1000) -> list[dict[str, Any]]:
    """Priority groups whose served recall is below ``ratio`` × the overall, with the cause.

    A group is listed when its interval's upper end is below ``ratio`` × the overall mean
    (clearly below) or its mean is (possibly below, small group). The cause is read from two
    figures: the share of the group's test positives the rules forbid, and the group's served
    recall counted over positives the rules allow. When the latter reaches ``ratio`` × the overall
    figure counted the same way, the rules explain the gap (they may rightly exclude); otherwise
    the model and ranking do (they may not).

    Returns
    -------
    list of dict
        ``group``, ``served_recall`` (mean, lo, hi, n), ``status`` (``"clearly below"`` /
        ``"possibly below"``), ``forbidden_share``, ``allowed_recall``, ``cause``.
    """
    t = served.task
    rec = per_user["served_recall"]
    overall = bootstrap_mean(rec, n_boot)
    if overall["mean"] is None:
        return []
    allowed_rel = t.relevant & ~served.forbidden
    n_allowed = allowed_rel.sum(axis=1)
    n_rel = t.relevant.sum(axis=1)
    hits = np.nan_to_num(rec) * n_rel
    with np.errstate(invalid="ignore", divide="ignore"):
        allowed_recall = np.where(n_allowed > 0, hits / n_allowed, np.nan)
    overall_allowed = float(np.nanmean(allowed_recall))
    out = []
    for g in PRIORITY_GROUPS:
        m = np.array([g in gs for gs in t.groups], dtype=bool)
        if not m.any():
            continue
        stats = bootstrap_mean(rec[m], n_boot)
        if stats["mean"] is None or stats["mean"] >= ratio * overall["mean"]:
            continue
        forbidden_share = float((t.relevant[m] & served.forbidden[m]).sum() / max(int(t.relevant[m].sum()), 1))
        group_allowed = float(np.nanmean(allowed_recall[m])) if np.any(~np.isnan(allowed_recall[m])) else None
        # No positive the rules allow: the rules explain the whole gap.
        rules = group_allowed is None or group_allowed >= ratio * overall_allowed
        archive_share, app_recall, overall_app = None, None, None
        cause = "rules (positives the rules forbid)" if rules else "model/ranking"
        app = per_user.get("served_recall_app_events")
        if t.archive_only is not None and app is not None:
            archive_share = float((t.relevant[m] & t.archive_only[m]).sum() / max(int(t.relevant[m].sum()), 1))
            app_recall = float(np.nanmean(app[m])) if np.any(~np.isnan(app[m])) else None
            overall_app = float(np.nanmean(app)) if np.any(~np.isnan(app)) else None
            if (not rules and app_recall is not None and overall_app is not None
                    and app_recall >= ratio * overall_app):
                # On what the workers did in the app, the group is served like everyone; what the
                # lists miss are enrolments known only from the archive.
                cause = (f"model: archive-only enrolments ({archive_share:.0%} of the group's positives) are "
                         "foreseen poorly; on app-event positives the group is within 0.8x")
        out.append({
            "group": g, "served_recall": stats,
            "status": "clearly below" if stats["hi"] < ratio * overall["mean"] else "possibly below",
            "forbidden_share": forbidden_share, "allowed_recall": group_allowed,
            "overall_allowed_recall": overall_allowed, "archive_only_share": archive_share,
            "app_event_recall": app_recall, "overall_app_event_recall": overall_app,
            "cause": cause,
        })
    return out


def tune_serving(score_sets: Mapping[str, np.ndarray], served: ServedTask, base: ServingSetup,
                 model_weights: Iterable[float] = (1.0, 2.0, 4.0),
                 caps: Iterable[int | None] = (3, 5, None), k: int = 10) -> tuple[ServingSetup, list[dict[str, Any]]]:
    """Choose the model weight of the blend and the diversity caps on a validation task.

    The first score set (the hybrid's) decides; the others are reported for the trade-off table.
    Ties go to the earlier (more diverse, more policy-weighted) setting: the grid is ordered so.

    Returns
    -------
    tuple
        The chosen setup and one row per setting: weight, cap, served recall per scorer, and in the
        hybrid's lists the mean length, distinct occupations and their share (the diversity bought;
        caps are never relaxed, so strict caps also shorten lists).
    """
    rows = []
    best: tuple[float, ServingSetup] | None = None
    first = next(iter(score_sets))
    for cap in caps:
        for mw in model_weights:
            setup = replace(base, weights=replace(base.weights, model=float(mw)), max_per_occupation=cap,
                            max_per_institution=cap)
            row: dict[str, Any] = {"model_weight": mw, "cap": cap}
            for name, scores in score_sets.items():
                lists = served_lists(scores, served, setup, k)
                row[name] = float(np.nanmean(served_recall(lists, served)))
                if name == first:
                    occ = [len({served.candidates[r].occupation[i] for i in idx}) for r, idx in enumerate(lists)
                           if idx]
                    lengths = [len(idx) for idx in lists if idx]
                    row["distinct_occupations"] = float(np.mean(occ)) if occ else 0.0
                    row["list_length"] = float(np.mean(lengths)) if lengths else 0.0
                    row["distinct_share"] = float(np.mean(np.divide(occ, lengths))) if occ else 0.0
            rows.append(row)
            if best is None or row[first] > best[0] + 1e-9:
                best = (row[first], setup)
    assert best is not None
    return best[1], rows
