"""Finding a client at the desk: by the center's own reference, ID number, phone or name.

Scoped by :func:`workers.access.can_see` (a counselor finds only their own center's clients).
An ID number is matched by its keyed hash only: the number itself is never stored, logged or
returned, and the answer shows only its mask. What was searched for is not echoed either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from access.keys import Principal
from workers import identity
from workers.tables import Worker

MatchKind = Literal["national_id", "phone", "external_ref", "name"]
MAX_RESULTS = 50
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")


class SearchError(ValueError):
    """The search asked for something that cannot be searched (empty, or too short a name)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ClientQuery:
    """At least one of these; ``text`` is a desk's single search box, tried every way that fits."""

    text: str | None = None
    national_id: str | None = None
    phone: str | None = None
    external_ref: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Match:
    worker: Worker
    matched_by: MatchKind


def _digits(phone: str) -> str:
    return re.sub(r"[^0-9]", "", phone)


def _scoped(stmt: Select[Any], principal: Principal) -> Select[Any]:
    if principal.role == "counselor":
        return stmt.where(Worker.job_center_id == principal.job_center_id)
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_clients(session: Session, principal: Principal, query: ClientQuery, *, secret_key: str,
                 limit: int = MAX_RESULTS) -> list[Match]:
    """Workers matching any of the query's parts, the most exact kind of match first."""
    if principal.role not in ("admin", "counselor"):
        return []
    national_id, phone, ref, name = query.national_id, query.phone, query.external_ref, query.name
    text = (query.text or "").strip()
    if text:
        # One search box: an 18-character valid ID number is an ID number; a run of digits may be
        # a phone or a reference; anything else may be a reference or a name.
        try:
            identity.normalize(text)
            national_id = national_id or text
        except identity.InvalidNationalId:
            ref = ref or text
            if _PHONE.match(text):
                phone = phone or text
            else:
                name = name or text
    if not any((national_id, phone, ref, name)):
        raise SearchError("query", "give an ID number, phone, reference or name")
    found: list[Match] = []
    seen: set[int] = set()

    def add(kind: MatchKind, stmt: Select[Any]) -> None:
        for worker in session.scalars(_scoped(stmt, principal).order_by(Worker.id).limit(limit)):
            if worker.id not in seen and len(found) < limit:
                seen.add(worker.id)
                found.append(Match(worker, kind))

    if national_id:
        try:
            digest = identity.keyed_hash(secret_key, national_id)
        except identity.InvalidNationalId as exc:
            raise SearchError("national_id", str(exc)) from None
        add("national_id", select(Worker).where(Worker.national_id_hash == digest))
    if phone:
        digits = _digits(phone)
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        if len(digits) < 6:
            raise SearchError("phone", "at least 6 digits")
        # Stored phones are 11-digit mobile numbers (the schema's rule); +86 and spaces typed at
        # the desk are dropped.
        add("phone", select(Worker).where(or_(Worker.phone == digits, Worker.phone == f"+86{digits}")))
    if ref:
        add("external_ref", select(Worker).where(Worker.external_ref == ref.strip()))
    if name:
        prefix = name.strip()
        if not prefix:
            raise SearchError("name", "must not be blank")
        add("name", select(Worker).where(Worker.name.like(_escape_like(prefix) + "%", escape="\\")))
    return found
