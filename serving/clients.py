"""Use case: finding a client at the desk (scoped to the caller's center, audited, nothing echoed)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from access.keys import Principal
from serving.root import Services
from workers.search import ClientQuery, Match, find_clients
from workers.service import audit

# What a match shows of each person found: enough to tell two namesakes apart.
SHOWN = ["name", "national_id_masked", "external_ref", "birth_date"]


def find(services: Services, session: Session, principal: Principal, query: ClientQuery) -> list[Match]:
    """Workers of the caller's center matching the query (an ID number by keyed hash only)."""
    matches = find_clients(session, principal, query, secret_key=services.secret_key)
    for m in matches:
        audit(session, principal, "read", m.worker.id, SHOWN)
    session.commit()
    return matches
