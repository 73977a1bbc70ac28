"""Dates the domain can mean: one place for the bounds of every date field, and date arithmetic
that cannot fail on a stored value.

Every date a client or an import file gives passes here: the API's bodies and query filters, the
worker and catalog imports (through :class:`catalog.import_schemas.DomainDate` and the
``*_problems`` functions below). The bounds are the domain's, not the calendar's: nobody in the
archive was born before 1900, a certificate or a completion is something that has happened (a
tolerance of a day or so for clock skew and forms filled in the evening), and a course ends on or
after it starts.

The rules still never trust a stored value to be within these bounds (a row written before the
bounds existed, or by hand): :func:`add_years` and :func:`add_days` saturate at the ends of
Python's date range instead of raising, so one odd row can not turn a whole city's push plan into
``year 10005 is out of range``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

# The window every submitted date must fall in: wide enough for any real record or published
# course, narrow enough that the rules' arithmetic on it (60 years after a birth, 6 years of
# certificate validity, the next year) stays far inside the calendar.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
EARLIEST_BIRTH = EARLIEST_DATE
# How far ahead of today a date of something that has happened may be (clock skew, a form filled
# in the evening for tomorrow's first session). RECO_FUTURE_TOLERANCE_DAYS changes it.
DEFAULT_FUTURE_TOLERANCE_DAYS = 1

WINDOW_MESSAGE = f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


def outside_window(value: date) -> str | None:
    """Why ``value`` is no date of this domain, or None."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        return WINDOW_MESSAGE
    return None


def latest_past(today: date, tolerance_days: int) -> date:
    """The latest date a record of something that has happened may carry."""
    return add_days(today, tolerance_days)


def birth_date_problem(value: date | None, today: date) -> str | None:
    if value is None:
        return None
    if value < EARLIEST_BIRTH:
        return f"must be on or after {EARLIEST_BIRTH.isoformat()}"
    if value > today:
        return "is in the future"
    return None


def happened_problem(value: date | None, today: date, tolerance_days: int) -> str | None:
    """Why ``value`` cannot be the date of something that has happened, or None."""
    if value is None:
        return None
    window = outside_window(value)
    if window:
        return window
    latest = latest_past(today, tolerance_days)
    if value > latest:
        return f"is in the future (after {latest.isoformat()}); record what has happened"
    return None


def certificate_problems(certificate: Mapping[str, Any], today: date, tolerance_days: int) -> dict[str, str]:
    """A certificate's dates: issued in the past, valid after it was issued."""
    problems: dict[str, str] = {}
    issued, valid_until = certificate.get("issued_on"), certificate.get("valid_until")
    problem = happened_problem(issued, today, tolerance_days)
    if problem:
        problems["issued_on"] = problem
    if issued is not None and valid_until is not None and valid_until < issued:
        problems["valid_until"] = "must not be before issued_on"
    return problems


def profile_problems(profile: Mapping[str, Any], today: date, tolerance_days: int) -> dict[str, str]:
    """The dates of a worker profile (stored or inline), by dotted field name."""
    problems: dict[str, str] = {}
    problem = birth_date_problem(profile.get("birth_date"), today)
    if problem:
        problems["birth_date"] = problem
    for i, certificate in enumerate(profile.get("certificates") or ()):
        for name, message in certificate_problems(certificate, today, tolerance_days).items():
            problems[f"certificates.{i}.{name}"] = message
    for i, training in enumerate(profile.get("trainings") or ()):
        for name, message in training_problems(training, today, tolerance_days).items():
            problems[f"trainings.{i}.{name}"] = message
    return problems


def training_problems(training: Mapping[str, Any], today: date, tolerance_days: int) -> dict[str, str]:
    """A training record's dates: enrolment and completion have happened, nothing ends before the
    enrolment. ``end_date`` may lie ahead (the course's planned end)."""
    problems: dict[str, str] = {}
    for name in ("enrolled_on", "completed_on"):
        problem = happened_problem(training.get(name), today, tolerance_days)
        if problem:
            problems[name] = problem
    enrolled = training.get("enrolled_on")
    for name in ("end_date", "completed_on"):
        value = training.get(name)
        if enrolled is not None and value is not None and value < enrolled and name not in problems:
            problems[name] = "must not be before enrolled_on"
    return problems


def add_days(day: date, days: int) -> date:
    """``day + days``, held at the ends of the calendar instead of overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 1 March in common years), held at the
    ends of the calendar instead of raising for a stored extreme date."""
    year = day.year + years
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    try:
        return day.replace(year=year)
    except ValueError:  # born on 29 February: the birthday falls on 1 March in common years
        return date(year, 3, 1)
