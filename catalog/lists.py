"""Which published list is in force: the newest version effective on a given day."""

from __future__ import annotations

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
