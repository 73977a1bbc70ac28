"""The one function every caller of a quarterly report uses (the command, the API): read the
archive in scope, compute the report. Takes a session; no Flask."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from stats.archive import course_seats, institution_ratings, job_center_id, load_archive
from stats.periods import Quarter
from stats.report import ReportOptions, quarterly_report
from stats.settings import StatsSettings


class UnknownJobCenter(LookupError):
    pass


def build_report(session: Session, settings: StatsSettings, quarter: Quarter, *, center: str | None = None,
                 plan: str | None = None, recorded_before: date | None = None) -> dict[str, Any]:
    """The quarterly report for the city, or for one job center's workers (``center`` code).

    Raises :class:`stats.report.NoPlan` when no plan covers the quarter and
    :class:`UnknownJobCenter` for a center code that does not exist.
    """
    ids = None
    if center is not None:
        cid = job_center_id(session, center)
        if cid is None:
            raise UnknownJobCenter(center)
        ids = [cid]
    facts = load_archive(session, ids, recorded_before)
    return quarterly_report(
        facts, settings.targets, settings.mapping, quarter, credit_ratings=institution_ratings(session),
        seats_of_course=course_seats(session), plan=plan, scope=center or "city",
        options=ReportOptions(settings.measure, settings.min_cell))
