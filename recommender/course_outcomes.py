"""How past trainees of a course did, as ranking reads it: a shrunk certificate rate and a quality floor.

The plan asks to prefer courses whose trainees earn their certificates and to supervise training
quality (质量监管). A raw rate is no guide for a class of five: three of three is not a certain
100%. So each course's rate is a *Bayesian average* shrunk in two steps, toward its institution and
the institution toward the mean of all finished trainings:

``inst = (certified_inst + m · mean) / (finished_inst + m)``
``course = (certified_offering + m · inst) / (finished_offering + m)``

with ``m`` (:attr:`OutcomePolicy.prior_trainees`) pseudo-trainees of prior. A course counts its
*offering* (institution × occupation × level × type: every class of "the same course", as
:attr:`stats.archive.TrainingFact.offering`), so a new class inherits its earlier classes' record
and a new offering its institution's.

The training-quality floor: an institution rated poor (credit rating ``C``), or whose shrunk rate is
below ``floor_ratio`` × the mean (far below its peers) with at least ``floor_min_finished``
finished trainings behind that figure, is under the floor; ranking demotes its courses
(:attr:`recommender.ranking.RankingWeights.quality_floor`) and says why.

Rates are over *finished* trainings (completed or dropped), as :mod:`stats.outcomes` counts them.
Pure: plain counts in, plain values out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

POOR_RATINGS: Final[frozenset[str]] = frozenset({"C"})


@dataclass(frozen=True)
class OutcomeCounts:
    """Finished and certified trainings behind one offering or institution."""

    finished: int = 0
    certified: int = 0

    def __add__(self, other: OutcomeCounts) -> OutcomeCounts:
        return OutcomeCounts(self.finished + other.finished, self.certified + other.certified)


@dataclass(frozen=True)
class OutcomePolicy:
    """Prior strength of the shrinkage and the thresholds of the quality floor."""

    prior_trainees: float = 20.0
    floor_ratio: float = 0.6
    floor_min_finished: int = 20
    poor_ratings: frozenset[str] = POOR_RATINGS


@dataclass(frozen=True)
class CourseOutcome:
    """What ranking and the counselor read about a course's past trainees.

    ``certificate_rate`` is the shrunk rate in [0, 1] (``None`` when the archive has no finished
    training at all, so there is no mean to shrink toward); ``finished`` is the number of finished
    trainings of the course's own offering behind it (0: the institution's record only).
    """

    certificate_rate: float | None
    finished: int
    below_floor: bool


NO_OUTCOME: Final = CourseOutcome(None, 0, False)


def shrink(certified: int, finished: int, prior: float, weight: float) -> float:
    """Bayesian average: ``(certified + weight · prior) / (finished + weight)``."""
    return (certified + weight * prior) / (finished + weight)


def course_outcomes(offering_of: Mapping[int, tuple[str, str]], offerings: Mapping[str, OutcomeCounts],
                    credit_ratings: Mapping[str, str], policy: OutcomePolicy = OutcomePolicy(),
                    ) -> dict[int, CourseOutcome]:
    """Shrunk certificate rate and floor verdict of every course.

    Parameters
    ----------
    offering_of
        Course id → (offering key, institution code).
    offerings
        Offering key → its finished and certified trainings (offerings without any may be absent).
    credit_ratings
        Institution code → credit rating.
    policy
        Shrinkage and floor thresholds.

    Returns
    -------
    dict
        Course id → :class:`CourseOutcome`.
    """
    by_inst: dict[str, OutcomeCounts] = {}
    for offering, inst in set(offering_of.values()):
        by_inst[inst] = by_inst.get(inst, OutcomeCounts()) + offerings.get(offering, OutcomeCounts())
    total = sum(by_inst.values(), OutcomeCounts())
    out: dict[int, CourseOutcome] = {}
    if total.finished == 0:
        for cid, (_, inst) in offering_of.items():
            out[cid] = CourseOutcome(None, 0, credit_ratings.get(inst) in policy.poor_ratings)
        return out
    mean = total.certified / total.finished
    m = policy.prior_trainees
    inst_rate = {i: shrink(c.certified, c.finished, mean, m) for i, c in by_inst.items()}
    for cid, (offering, inst) in offering_of.items():
        own = offerings.get(offering, OutcomeCounts())
        counts = by_inst[inst]
        below = (credit_ratings.get(inst) in policy.poor_ratings
                 or (counts.finished >= policy.floor_min_finished
                     and inst_rate[inst] < policy.floor_ratio * mean))
        out[cid] = CourseOutcome(shrink(own.certified, own.finished, inst_rate[inst], m), own.finished, below)
    return out
