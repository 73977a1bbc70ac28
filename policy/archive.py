"""Which archive entries count toward R3 (three a year) and R4 (no repeat), and in which year.

One reading for every reader: the rules (:mod:`policy.worker_facts`), a worker's history
(``subsidized_this_year`` of ``GET /v1/workers/{id}/trainings``) and the archive import all call
these functions, so a counselor never sees a count the rules disagree with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from policy.profile import TrainingRecord


def counts_toward_limits(training: TrainingRecord) -> bool:
    """R3 and R4 count subsidized trainings the worker did not drop.

    A self-paid course uses none of the three, and a dropped one earned no certificate and so no
    subsidy.
    """
    return training.subsidized and training.status != "dropped"


def subsidy_day(training: TrainingRecord) -> date | None:
    """The day whose calendar year R3 counts the training in.

    The year the training ends (subsidies are paid on the certificate). While the end is not
    known, the enrolment's own year: an open subsidized enrolment is not free of the limit.
    """
    return training.end_date or training.enrolled_on


def subsidized_by_year(trainings: Iterable[TrainingRecord]) -> Mapping[int, int]:
    """R3: how many counted trainings fall in each calendar year."""
    years: Counter[int] = Counter()
    for t in trainings:
        day = subsidy_day(t)
        if counts_toward_limits(t) and day is not None:
            years[day.year] += 1
    return dict(years)


def subsidized_in(trainings: Iterable[TrainingRecord], year: int) -> int:
    """R3: counted trainings in ``year``."""
    return subsidized_by_year(trainings).get(year, 0)
