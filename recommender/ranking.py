"""Blend model scores with policy terms, apply hard filters and diversity caps, explain.

Pure numpy over whole-catalog arrays: no Flask, no database, no per-course Python in the scoring
(only the final greedy diversity pass walks the sorted list, and stops after ``k`` picks).

Blending
--------
The model score is turned into a *rank percentile* among the candidates that survive the hard
filters (1.0 = best). Percentiles, not raw scores, because raw LightFM scores have no fixed scale
(they shift with every retraining), so fixed policy weights would mean something different each
week. Weighted policy terms in [0, 1] are added (see :class:`RankingWeights`).

Hard filters (never relaxed): eligible under the rules, seats left, enrolment deadline not past,
within the worker's travel range (online courses are always in range), not dismissed by the
worker (a dismissal stands until the worker saves or enrols in the course later; see
:mod:`recommender.dismissals`).

Fallback
--------
When no model is loaded, :func:`fallback_rank` uses the same filters and caps and scores by
policy terms plus interest match only (:attr:`RankingWeights.model` contributes nothing). It is
a reasonable list on day one and when an artifact fails to load.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import cached_property
from typing import Any, Final

import numpy as np

from catalog.geo import EARTH_RADIUS_KM, bounding_box
from catalog.vocabulary import CREDIT_RATINGS
from policy.profile import WorkerProfile
from policy.table import group_mask
from recommender.features import occupation_prefix
from recommender.items import CourseItem
from recommender.model import reject_unknown

# Reason codes with their texts. Texts never name a priority group: several are sensitive under
# PIPL (disability, low income, community correction), and a reason shown on a shared screen or
# pushed to a phone must not reveal which group the worker is in.
REASONS: Final[dict[str, tuple[str, str]]] = {
    "SAFETY_FIRST": ("上岗前须完成的安全技能培训", "Safety training required before taking up your post"),
    "SHORTAGE_OCCUPATION": ("紧缺职业工种，就业需求大", "An occupation in short supply: employers are hiring"),
    "TARGETS_YOUR_GROUP": ("面向您所属人群的专项培训", "A program aimed at a group you belong to"),
    "MATCHES_INTEREST": ("符合您的意向职业", "Matches the occupations you are interested in"),
    "SIMILAR_WORKERS_ENROLLED": ("与您情况相似的学员选择了此课程", "Workers in a similar situation chose this course"),
    "NEAR_YOU": ("离您较近", "Close to you"),
    "STARTS_SOON": ("近期开班", "Starts soon"),
    "WELL_RATED_INSTITUTION": ("培训机构信用等级高", "Institution with a high credit rating"),
    # {rate}: the course's shrunk certificate rate in percent (recommender.course_outcomes), filled
    # in by reason_text; "about" because it is an estimate that leans on the institution for small
    # classes.
    "PAST_TRAINEES_CERTIFIED": ("往期学员约{rate}%取得证书", "About {rate}% of past trainees earned the certificate"),
    # A warning, not a merit: shown first so a counselor sees why the course sits low in the list.
    "BELOW_QUALITY_FLOOR": ("该机构培训质量低于监管要求（信用评级差或往期取证率远低于同行），已降低排序",
                            "Institution below the training-quality floor (poor credit rating or a certificate "
                            "rate far below its peers): ranked lower"),
}

# Travel range of a worker whose profile sets none (km); online courses are always in range.
# The one default: settings (RECO_DEFAULT_MAX_KM), serving, push and ranking all start from it.
DEFAULT_MAX_TRAVEL_KM: Final = 50.0

_CREDIT_SCORE: Final[dict[str, float]] = {r: 1.0 - i / (len(CREDIT_RATINGS) - 1)
                                         for i, r in enumerate(CREDIT_RATINGS)}


@dataclass(frozen=True)
class RankingWeights:
    """Weights of the blended score and the thresholds its terms use.

    Parameters
    ----------
    model
        Weight of the model's rank percentile (0..1). The largest term by default: the model
        carries what the worker's history says.
    shortage
        Shortage occupation; level 1 counts fully, level 2 two thirds, level 3 one third (the plan
        pushes shortage occupations, §4).
    targeted
        Course aimed at one of the worker's (effective) priority groups.
    near
        Proximity: 1 at the door, falling linearly to 0 at ``near_km``.
    starts_soon
        1 when the course starts within ``soon_days``, falling to 0 at ``3 * soon_days``.
    credit
        Institution credit rating: AAA 1 … C 0 (the plan asks to prefer well-rated institutions).
    interest
        Course occupation (or its category/prefix) in the worker's declared interests.
    outcome
        The course's shrunk certificate rate in [0, 1] (:mod:`recommender.course_outcomes`): past
        trainees of the course (leaning on its institution when they are few) earned the certificate.
    quality_floor
        Demotion of a course whose institution is under the training-quality floor (the term is -1
        there, 0 elsewhere); large enough to move it well down a list, not so large that a worker
        whose only suitable course it is loses it (hiding is a matter for the bureau's catalog).
    safety_first
        R11: the safety course a high-risk worker must pass first. Large, so it tops the list.
    near_km, soon_days
        Scales of the proximity and start terms.
    reason_threshold
        A term becomes a reason when its (unweighted) value is at least this.
    model_reason_percentile
        The model term becomes ``SIMILAR_WORKERS_ENROLLED`` from this percentile on.
    outcome_reason_rate
        The outcome term becomes ``PAST_TRAINEES_CERTIFIED`` from this shrunk rate on.
    """

    model: float = 1.0
    shortage: float = 0.15
    targeted: float = 0.15
    near: float = 0.10
    starts_soon: float = 0.05
    credit: float = 0.10
    interest: float = 0.25
    outcome: float = 0.15
    quality_floor: float = 0.5
    safety_first: float = 2.0
    near_km: float = 15.0
    soon_days: float = 30.0
    reason_threshold: float = 0.5
    model_reason_percentile: float = 0.8
    outcome_reason_rate: float = 0.8

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RankingWeights:
        """Build from configuration (e.g. ``RECO_RANKING_*`` settings); unknown keys raise."""
        reject_unknown(cls, values, "ranking weights")
        return cls(**{k: float(v) for k, v in values.items()})


@dataclass(frozen=True)
class Candidates:
    """Per-course arrays for one worker, all of length ``n`` (the catalog).

    Masks are hard filters. ``shortage_level`` uses 0 for "not a shortage occupation",
    ``credit_score`` is in [0, 1] (see :func:`credit_scores`), ``distance_km`` is ``nan`` for
    online courses or unknown worker location (``inf`` for some courses beyond the travel range,
    which are never ranked), ``occupation``/``institution`` are any hashable
    codes used by the diversity caps.
    """

    eligible: np.ndarray
    seats_open: np.ndarray
    deadline_ok: np.ndarray
    in_range: np.ndarray
    distance_km: np.ndarray
    days_to_start: np.ndarray
    shortage_level: np.ndarray
    targeted: np.ndarray
    credit_score: np.ndarray
    dismissed: np.ndarray
    interest_match: np.ndarray
    safety_first: np.ndarray
    occupation: np.ndarray
    institution: np.ndarray
    certificate_rate: np.ndarray | None = None
    below_floor: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.eligible.shape[0])

    def take(self, rows: np.ndarray) -> Candidates:
        """The candidate arrays of ``rows`` only (same field order)."""
        taken: dict[str, Any] = {f.name: None if (v := getattr(self, f.name)) is None else np.asarray(v)[rows]
                                 for f in fields(self)}
        return Candidates(**taken)

    def keep_mask(self) -> np.ndarray:
        """Rows passing every hard filter."""
        return (np.asarray(self.eligible, bool) & np.asarray(self.seats_open, bool)
                & np.asarray(self.deadline_ok, bool) & np.asarray(self.in_range, bool)
                & ~np.asarray(self.dismissed, bool))


@dataclass(frozen=True)
class RankedCourse:
    """One recommendation: row index into the candidate arrays, blended score, reason codes."""

    index: int
    score: float
    reasons: tuple[str, ...]


def credit_scores(ratings: Iterable[str]) -> np.ndarray:
    """Map credit ratings (AAA … C) to [0, 1]; unknown ratings score like C."""
    return np.array([_CREDIT_SCORE.get(r, 0.0) for r in ratings], dtype=np.float64)


def _percentile(scores: np.ndarray, keep: np.ndarray) -> np.ndarray:
    # Rank percentile among kept rows: best 1.0, worst 0.0 (a single row gets 1.0). Ties get the
    # same (average) percentile so equal scores do not get arbitrary preference.
    out = np.zeros(scores.shape[0], dtype=np.float64)
    idx = np.flatnonzero(keep)
    m = idx.size
    if m == 0:
        return out
    if m == 1:
        out[idx] = 1.0
        return out
    s = scores[idx].astype(np.float64)
    order = np.argsort(s, kind="stable")
    sorted_s = s[order]
    # Runs of equal scores: every member gets the run's average 0-based rank (no Python loop:
    # this runs on every request over the whole catalog).
    starts = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    counts = np.diff(np.r_[starts, m])
    run = np.repeat(np.arange(starts.size), counts)
    ranks = np.empty(m, dtype=np.float64)
    ranks[order] = (starts + (counts - 1) / 2.0)[run]
    out[idx] = ranks / (m - 1)
    return out


def policy_terms(c: Candidates, w: RankingWeights) -> dict[str, np.ndarray]:
    """Unweighted policy terms in [0, 1], keyed by reason code."""
    lvl = np.asarray(c.shortage_level, dtype=np.float64)
    shortage = np.where(lvl > 0, (4.0 - np.clip(lvl, 1, 3)) / 3.0, 0.0)
    dist = np.asarray(c.distance_km, dtype=np.float64)
    near = np.where(np.isnan(dist), 0.0, np.clip(1.0 - dist / w.near_km, 0.0, 1.0))
    days = np.asarray(c.days_to_start, dtype=np.float64)
    soon = np.where(days < 0, 0.0, np.where(days <= w.soon_days, 1.0,
                                             np.clip(1.0 - (days - w.soon_days) / (2 * w.soon_days), 0, 1)))
    # nan: the archive has no figure for the course (no finished training anywhere yet). Without
    # outcome figures the terms take the full shape (one catalog, or a block of workers × catalog).
    none = np.zeros(np.shape(dist))
    rate = none if c.certificate_rate is None else np.nan_to_num(np.asarray(c.certificate_rate, np.float64))
    floor = none if c.below_floor is None else -np.asarray(c.below_floor, dtype=np.float64)
    return {
        "SAFETY_FIRST": np.asarray(c.safety_first, dtype=np.float64),
        "SHORTAGE_OCCUPATION": shortage,
        "TARGETS_YOUR_GROUP": np.asarray(c.targeted, dtype=np.float64),
        "MATCHES_INTEREST": np.asarray(c.interest_match, dtype=np.float64),
        "NEAR_YOU": near,
        "STARTS_SOON": soon,
        "WELL_RATED_INSTITUTION": np.asarray(c.credit_score, dtype=np.float64),
        "PAST_TRAINEES_CERTIFIED": rate,
        "BELOW_QUALITY_FLOOR": floor,
    }


_TERM_WEIGHT: Final[dict[str, str]] = {
    "SAFETY_FIRST": "safety_first",
    "SHORTAGE_OCCUPATION": "shortage",
    "TARGETS_YOUR_GROUP": "targeted",
    "MATCHES_INTEREST": "interest",
    "NEAR_YOU": "near",
    "STARTS_SOON": "starts_soon",
    "WELL_RATED_INSTITUTION": "credit",
    "PAST_TRAINEES_CERTIFIED": "outcome",
    "BELOW_QUALITY_FLOOR": "quality_floor",
}


def policy_ceiling(weights: RankingWeights, safety_first: bool) -> float:
    """The most the policy terms (each in [0, 1]) can add to a score; R11's term only where it applies."""
    # The floor's term is never positive: it adds nothing to the ceiling.
    return sum(max(float(getattr(weights, attr)), 0.0) for code, attr in _TERM_WEIGHT.items()
               if (code != "SAFETY_FIRST" or safety_first) and code != "BELOW_QUALITY_FLOOR")


def blend(model_percentile: np.ndarray | None, terms: Mapping[str, np.ndarray],
          weights: RankingWeights) -> np.ndarray:
    """The blended score: model rank percentile plus the weighted policy terms.

    The one place the blend is written. :func:`rank` applies it along a worker's catalog and
    :mod:`recommender.audience` along all workers for one course; the additions happen in the
    same order in both, so the two agree bit for bit (an audience compares a course's score with
    each worker's stored top-k scores, ties included).
    """
    # The full shape: one worker's catalog (N,), or a block of workers (B, N) in batch_ranking.
    blended = np.zeros(np.shape(terms["NEAR_YOU"]), dtype=np.float64)
    if model_percentile is not None:
        blended += weights.model * model_percentile
    for code, attr in _TERM_WEIGHT.items():
        blended += float(getattr(weights, attr)) * terms[code]
    return blended


def rank(model_scores: np.ndarray | None, candidates: Candidates, weights: RankingWeights = RankingWeights(),
         k: int = 10, max_per_occupation: int | None = 3, max_per_institution: int | None = 3) -> list[RankedCourse]:
    """Rank candidate courses for one worker.

    Parameters
    ----------
    model_scores
        Model scores for all ``n`` courses (from :meth:`recommender.model.HybridModel.score`), or
        ``None`` for the rule-based fallback (policy terms only).
    candidates
        Per-course masks and policy arrays.
    weights
        Blend weights.
    k
        Number of courses to return at most.
    max_per_occupation, max_per_institution
        Diversity caps (greedy, in blended-score order); ``None`` disables a cap. Caps are never
        relaxed, so fewer than ``k`` may come back.

    Returns
    -------
    list of RankedCourse
        Best first. Every index passed all hard filters. Ties are broken by index, so the order
        is deterministic.
    """
    n = len(candidates)
    keep = candidates.keep_mask()
    if model_scores is not None and np.asarray(model_scores).shape != (n,):
        raise ValueError("model_scores must have one score per candidate")
    idx = np.flatnonzero(keep)
    if idx.size == 0 or k <= 0:
        return []
    # Every step below is elementwise per course (the percentile only ranks among kept rows), so
    # it runs on the kept rows alone: the same values, bit for bit, for a fraction of the work.
    terms = policy_terms(candidates.take(idx), weights)
    contrib: dict[str, np.ndarray] = {}
    pct = None
    if model_scores is not None:
        pct = _percentile(np.asarray(model_scores)[idx], np.ones(idx.size, dtype=bool))
        contrib["SIMILAR_WORKERS_ENROLLED"] = pct
    blended = blend(pct, terms, weights)
    for code in _TERM_WEIGHT:
        contrib[code] = terms[code]
    occupation, institution = candidates.occupation[idx], candidates.institution[idx]
    occ_count: dict[Any, int] = {}
    inst_count: dict[Any, int] = {}
    picks: list[int] = []
    for j in _best_first(blended, idx, k, max_per_occupation, max_per_institution):
        occ, inst = occupation[j], institution[j]
        if max_per_occupation is not None and occ_count.get(occ, 0) >= max_per_occupation:
            continue
        if max_per_institution is not None and inst_count.get(inst, 0) >= max_per_institution:
            continue
        occ_count[occ] = occ_count.get(occ, 0) + 1
        inst_count[inst] = inst_count.get(inst, 0) + 1
        picks.append(j)
        if len(picks) >= k:
            break
    # Reasons for the picks only, read in one gather per term rather than element by element.
    rows = np.array(picks, dtype=np.intp)
    values = {code: v[rows].tolist() for code, v in contrib.items()}
    scores = blended[rows].tolist()
    return [RankedCourse(int(idx[j]), scores[p], _reason_codes({code: v[p] for code, v in values.items()}, weights))
            for p, j in enumerate(picks)]


def _best_first(blended: np.ndarray, idx: np.ndarray, k: int, max_per_occupation: int | None,
                max_per_institution: int | None) -> Iterator[int]:
    """Positions into ``blended`` by score descending, catalog index ascending for ties.

    The greedy diversity pass stops after ``k`` picks, so it usually reads only the top of the
    list: sort a pre-selected head first (every row scoring at least the head's last score, so the
    head is exactly a prefix of the full order, ties included) and sort the rest only when the
    caps skipped so many rows that the pass walks past the head.
    """
    m = blended.shape[0]
    head = k * 10
    if m > 2 * head:
        threshold = -np.partition(-blended, head - 1)[head - 1]
        top = np.flatnonzero(blended >= threshold)
        yield from top[np.lexsort((idx[top], -blended[top]))].tolist()
        rest = np.flatnonzero(blended < threshold)
        yield from rest[np.lexsort((idx[rest], -blended[rest]))].tolist()
        return
    # Sort by score descending, index ascending for ties (lexsort: last key is primary).
    yield from np.lexsort((idx, -blended)).tolist()


def _reasons(i: int, contrib: Mapping[str, np.ndarray], w: RankingWeights) -> tuple[str, ...]:
    return _reason_codes({code: float(values[i]) for code, values in contrib.items()}, w)


def _reason_codes(contrib: Mapping[str, float], w: RankingWeights) -> tuple[str, ...]:
    found: list[tuple[float, str]] = []
    for code, v in contrib.items():
        if code == "SIMILAR_WORKERS_ENROLLED":
            if v >= w.model_reason_percentile:
                found.append((w.model * v, code))
        elif code == "BELOW_QUALITY_FLOOR":
            if v < 0 and w.quality_floor > 0:
                found.append((np.inf, code))  # the warning goes first, whatever else is said
        elif code == "PAST_TRAINEES_CERTIFIED":
            if v >= w.outcome_reason_rate and w.outcome > 0:
                found.append((w.outcome * v, code))
        elif v >= w.reason_threshold and getattr(w, _TERM_WEIGHT[code]) > 0:
            found.append((getattr(w, _TERM_WEIGHT[code]) * v, code))
    # Strongest contribution first; the UI shows the first two or three.
    found.sort(key=lambda t: (-t[0], t[1]))
    return tuple(code for _, code in found)


def fallback_rank(candidates: Candidates, weights: RankingWeights = RankingWeights(), k: int = 10,
                  max_per_occupation: int | None = 3, max_per_institution: int | None = 3) -> list[RankedCourse]:
    """Rule-based ranking for when no model is loaded: same filters and caps, policy terms only.

    Scores are ``safety_first + shortage + targeted + near + starts_soon + credit + interest``
    (weighted as in ``weights``); see :func:`rank`.
    """
    return rank(None, candidates, weights, k, max_per_occupation, max_per_institution)


def reason_text(code: str, lang: str = "zh", course: CourseItem | None = None) -> str:
    """Display text of one reason code (``lang`` is ``"zh"`` or ``"en"``), with the course's figures.

    The certificate rate is shown rounded to 5 points: it is an estimate, and a finer figure
    would claim a precision small classes do not have.
    """
    text = REASONS[code][0 if lang == "zh" else 1]
    if "{rate}" in text:
        rate = None if course is None else course.certificate_rate
        text = text.format(rate="—" if rate is None else int(round(rate * 20) * 5))
    return text


def reason_texts(codes: Sequence[str], lang: str = "zh", course: CourseItem | None = None) -> list[str]:
    """Display texts of reason codes (``lang`` is ``"zh"`` or ``"en"``)."""
    return [reason_text(c, lang, course) for c in codes]


@dataclass(frozen=True)
class CourseArrays:
    """Column arrays of a course catalog, built once per catalog version for fast masks."""

    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    online: np.ndarray
    seats_left: np.ndarray
    enrol_deadline: np.ndarray  # date ordinals
    start_date: np.ndarray  # date ordinals
    shortage_level: np.ndarray  # 0 = none
    credit_score: np.ndarray
    occupation: np.ndarray
    occupation_prefix: np.ndarray
    category: np.ndarray
    institution: np.ndarray
    target_groups: np.ndarray  # uint32 bitmask over PRIORITY_GROUPS (policy.table.group_mask)
    training_type: np.ndarray
    special_operation: np.ndarray
    certificate_rate: np.ndarray  # shrunk (recommender.course_outcomes); nan without a figure
    below_floor: np.ndarray  # institution under the training-quality floor

    # Derived once per catalog version (first use) and shared by every request of the process.

    @cached_property
    def lat_radians(self) -> np.ndarray:
        return np.radians(np.asarray(self.lat, dtype=np.float64))

    @cached_property
    def lon_radians(self) -> np.ndarray:
        return np.radians(np.asarray(self.lon, dtype=np.float64))

    @cached_property
    def cos_lat(self) -> np.ndarray:
        return np.cos(self.lat_radians)

    @cached_property
    def _interest_masks(self) -> dict[str, np.ndarray]:
        # One mask per code found in the catalog (occupation, category or occupation prefix): a
        # worker's interests are then a few ORs, not three np.isin sorts over object arrays.
        codes = set(self.occupation.tolist()) | set(self.category.tolist()) | set(self.occupation_prefix.tolist())
        return {code: (self.occupation == code) | (self.category == code) | (self.occupation_prefix == code)
                for code in codes}

    def interest_match(self, interests: Iterable[str]) -> np.ndarray:
        """Courses whose occupation, category or occupation prefix is one of ``interests``."""
        found = np.zeros(self.ids.shape[0], dtype=bool)
        masks = self._interest_masks
        for code in set(interests):
            mask = masks.get(code)
            if mask is not None:
                found |= mask
        return found

    def distances_km(self, lat: float, lon: float, within_km: float | None = None) -> np.ndarray:
        """:func:`catalog.geo.haversine_km` from one point to every course, bit for bit, with the
        courses' radians and cosines computed once.

        With ``within_km``, only courses inside the circle's bounding box (padded a little) are
        measured; the rest, farther than ``within_km`` for sure, get ``inf``.
        """
        la1, lo1 = math.radians(lat), math.radians(lon)
        if within_km is None:
            a = (np.sin((self.lat_radians - la1) / 2) ** 2
                 + math.cos(la1) * self.cos_lat * np.sin((self.lon_radians - lo1) / 2) ** 2)
            return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, within_km * 1.001 + 0.01)
        # The latitude band from the sorted column (two binary searches), then the longitudes.
        order, sorted_lat = self._by_latitude
        band = order[np.searchsorted(sorted_lat, min_lat, "left"):np.searchsorted(sorted_lat, max_lat, "right")]
        band_lon = self.lon[band]
        box = band[(band_lon >= min_lon) & (band_lon <= max_lon)]
        a = (np.sin((self.lat_radians[box] - la1) / 2) ** 2
             + math.cos(la1) * self.cos_lat[box] * np.sin((self.lon_radians[box] - lo1) / 2) ** 2)
        dist = np.full(self.ids.shape[0], np.inf)
        dist[box] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        dist[self._unplaced] = np.nan  # as haversine_km has it: no place, no distance
        return dist

    def day_columns(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Seats left, enrolment deadline not past and days to start, as of ``day`` (an ordinal).

        Every request of a day asks the same, so the last day's columns are kept (read-only: they
        are shared by every request of the process).
        """
        cached = self.__dict__.get("_day_columns")
        if cached is not None and cached[0] == day:
            return cached[1], cached[2], cached[3]
        columns = (self.seats_left > 0, self.enrol_deadline >= day, (self.start_date - day).astype(np.float64))
        for column in columns:
            column.flags.writeable = False
        # Frozen dataclass: stored like a cached_property, one tuple so a reader never mixes days.
        self.__dict__["_day_columns"] = (day, *columns)
        return columns

    @cached_property
    def _by_latitude(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(np.asarray(self.lat, dtype=np.float64), kind="stable")
        return order, np.asarray(self.lat, dtype=np.float64)[order]

    @cached_property
    def _unplaced(self) -> np.ndarray:
        return np.flatnonzero(np.isnan(self.lat_radians) | np.isnan(self.lon_radians))

    @classmethod
    def from_courses(cls, courses: Sequence[CourseItem]) -> CourseArrays:
        """Columns of the given courses, in order."""
        return cls(
            ids=np.array([c.id for c in courses], dtype=np.int64),
            lat=np.array([c.lat for c in courses], dtype=np.float64),
            lon=np.array([c.lon for c in courses], dtype=np.float64),
            online=np.array([c.facts.delivery_mode == "online" for c in courses], dtype=bool),
            seats_left=np.array([c.seats_left for c in courses], dtype=np.int64),
            enrol_deadline=np.array([c.enrol_deadline.toordinal() for c in courses], dtype=np.int64),
            start_date=np.array([c.facts.start_date.toordinal() for c in courses], dtype=np.int64),
            shortage_level=np.array([c.shortage_level or 0 for c in courses], dtype=np.int64),
            credit_score=credit_scores(c.institution_credit_rating for c in courses),
            occupation=np.array([c.facts.occupation_code for c in courses], dtype=object),
            occupation_prefix=np.array([occupation_prefix(c.facts.occupation_code) for c in courses], dtype=object),
            category=np.array([c.occupation_category for c in courses], dtype=object),
            institution=np.array([c.institution_code for c in courses], dtype=object),
            target_groups=np.array([group_mask(c.facts.target_groups) for c in courses], dtype=np.uint32),
            training_type=np.array([c.facts.training_type for c in courses], dtype=object),
            special_operation=np.array([c.facts.occupation_special_operation for c in courses], dtype=bool),
            certificate_rate=np.array([np.nan if c.certificate_rate is None else c.certificate_rate
                                       for c in courses], dtype=np.float64),
            below_floor=np.array([c.below_quality_floor for c in courses], dtype=bool),
        )


def build_candidates(courses: CourseArrays, profile: WorkerProfile, today: date, eligible: np.ndarray,
                     effective_groups: frozenset[str] | None = None, dismissed_ids: Iterable[int] = (),
                     safety_first: np.ndarray | None = None,
                     default_max_km: float | None = DEFAULT_MAX_TRAVEL_KM) -> Candidates:
    """Candidate arrays for one worker over a whole catalog.

    Parameters
    ----------
    courses
        Catalog columns.
    profile
        The worker.
    today
        Day of the request.
    eligible
        Boolean mask from the eligibility rules (``policy``), one per course.
    effective_groups
        The worker's groups including those extended by R6 (family); defaults to own groups.
    dismissed_ids
        Course ids whose dismissal stands (:func:`recommender.dismissals.standing_dismissals`):
        never candidates.
    safety_first
        R11 mask from the rules (the safety course the worker must pass first); none by default.
    default_max_km
        Travel range when the profile sets none (``None``: unlimited).

    Returns
    -------
    Candidates
    """
    n = courses.ids.shape[0]
    t = today.toordinal()
    max_km = profile.max_travel_km if profile.max_travel_km is not None else default_max_km
    if profile.lat is not None and profile.lon is not None:
        dist = courses.distances_km(profile.lat, profile.lon, max_km)
        dist = np.where(courses.online, np.nan, dist)
    else:
        dist = np.full(n, np.nan)
    in_range = np.ones(n, dtype=bool)
    if max_km is not None:
        in_range = np.isnan(dist) | (dist <= max_km)
    if not profile.online_ok:
        in_range &= ~courses.online
    groups = effective_groups if effective_groups is not None else profile.priority_groups
    targeted = (courses.target_groups & np.uint32(group_mask(groups))) != 0
    interest = courses.interest_match(profile.interests)
    standing = np.fromiter(dismissed_ids, dtype=np.int64)
    dismissed = np.isin(courses.ids, standing) if standing.size else np.zeros(n, dtype=bool)
    seats_open, deadline_ok, days_to_start = courses.day_columns(t)
    return Candidates(
        eligible=np.asarray(eligible, dtype=bool),
        seats_open=seats_open,
        deadline_ok=deadline_ok,
        in_range=in_range,
        distance_km=dist,
        days_to_start=days_to_start,
        shortage_level=courses.shortage_level,
        targeted=targeted,
        credit_score=courses.credit_score,
        dismissed=dismissed,
        interest_match=interest,
        safety_first=np.zeros(n, bool) if safety_first is None else np.asarray(safety_first, bool),
        occupation=courses.occupation,
        institution=courses.institution,
        certificate_rate=courses.certificate_rate,
        below_floor=courses.below_floor,
    )
