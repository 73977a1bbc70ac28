"""Which published list is in force: the newest version effective on a given day.

Lists are dated parameters: each version carries its ``effective_date`` (effective_from) and stays
in the history when a newer one supersedes it, so a decision can use the list in force on the day
that matters (R1: the course's start), not the day someone asks.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.tables import OccupationList, OccupationListEntry


def lists_in_force(session: Session, kind: str, on: date) -> dict[str, OccupationList]:
    """scope → the newest list of ``kind`` effective on ``on`` (older versions stay as history)."""
    newest = (
        select(OccupationList.scope, func.max(OccupationList.effective_date).label("eff"))
        .where(OccupationList.kind == kind, OccupationList.effective_date <= on)
        .group_by(OccupationList.scope)
        .subquery()
    )
    rows = session.scalars(
        select(OccupationList).join(
            newest,
            (OccupationList.scope == newest.c.scope)
            & (OccupationList.effective_date == newest.c.eff),
        ).where(OccupationList.kind == kind)
    )
    return {lst.scope: lst for lst in rows}


def shortage_levels(session: Session, on: date) -> dict[str, int]:
    """Occupation code → shortage level (1 most urgent) on the city-wide list in force."""
    lst = lists_in_force(session, "shortage", on).get("city")
    if lst is None:
        return {}
    rows = session.execute(
        select(OccupationListEntry.occupation_code, OccupationListEntry.shortage_level)
        .where(OccupationListEntry.list_id == lst.id)
    )
    return {code: int(level or 3) for code, level in rows}


def subsidized_by_county(session: Session, on: date) -> dict[str, frozenset[str]]:
    """County → occupations on its subsidized list in force; counties with no list are absent."""
    out: dict[str, frozenset[str]] = {}
    for scope, lst in lists_in_force(session, "subsidized", on).items():
        codes = session.scalars(
            select(OccupationListEntry.occupation_code).where(OccupationListEntry.list_id == lst.id)
        )
        out[scope] = frozenset(codes)
    return out


@dataclass(frozen=True)
class ListHistory:
    """Every version of each county's subsidized-occupation list, oldest first."""

    versions: dict[str, tuple[tuple[date, frozenset[str]], ...]]

    def in_force(self, county: str, day: date) -> frozenset[str] | None:
        """The county's list in force on ``day``; None when it had published none by then."""
        history = self.versions.get(county, ())
        i = bisect.bisect_right([effective for effective, _ in history], day)
        return history[i - 1][1] if i else None


def subsidized_history(session: Session) -> ListHistory:
    """All versions of the county subsidized-occupation lists (R1), for dated decisions."""
    codes: dict[int, set[str]] = {}
    for list_id, code in session.execute(
        select(OccupationListEntry.list_id, OccupationListEntry.occupation_code)
    ):
        codes.setdefault(list_id, set()).add(code)
    versions: dict[str, list[tuple[date, frozenset[str]]]] = {}
    for lst in session.scalars(
        select(OccupationList).where(OccupationList.kind == "subsidized")
        .order_by(OccupationList.scope, OccupationList.effective_date)
    ):
        versions.setdefault(lst.scope, []).append((lst.effective_date, frozenset(codes.get(lst.id, ()))))
    return ListHistory({scope: tuple(v) for scope, v in versions.items()})
