"""Issuing and checking API keys.

A key looks like ``reco_<prefix>_<secret>``. The prefix (public, indexed) finds the row; the row
holds only HMAC-SHA256(secret key of the service, whole key), so a stolen database does not yield
working keys. Keys are printed once, at creation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from access.tables import ApiKey
from catalog.tables import JobCenter

ROLES: Final[tuple[str, ...]] = ("admin", "counselor", "app")
# A worker signed in to the app (access token, :mod:`workers.sign_in`); never an API key.
WORKER_ROLE: Final = "worker"


@dataclass(frozen=True)
class Principal:
    """The caller of a request, as the domain sees it."""

    key_id: int | None  # None for a signed-in worker or a console user
    role: str
    job_center_id: int | None
    counties: frozenset[str]
    worker_id: int | None = None  # the signed-in worker (role "worker") and nobody else
    session_id: str | None = None
    scopes: frozenset[str] = frozenset()
    user_id: int | None = None  # the counselor account, when a person acts


class KeyRequestError(ValueError):
    """A key could not be created as asked."""


def hash_key(secret_key: str, key: str) -> str:
    return hmac.new(secret_key.encode(), key.encode(), hashlib.sha256).hexdigest()


def create_key(
    session: Session,
    secret_key: str,
    role: str,
    *,
    job_center_code: str | None = None,
    name: str = "",
) -> tuple[ApiKey, str]:
    """Create a key and return the row and the plaintext key (shown once)."""
    if role not in ROLES:
        raise KeyRequestError(f"role must be one of {', '.join(ROLES)}")
    job_center_id = None
    if role == "counselor":
        if not job_center_code:
            raise KeyRequestError("a counselor key needs --job-center")
        center = session.scalar(select(JobCenter).where(JobCenter.code == job_center_code))
        if center is None:
            raise KeyRequestError(f"unknown job center {job_center_code!r}")
        job_center_id = center.id
    elif job_center_code:
        raise KeyRequestError("only counselor keys are bound to a job center")
    prefix = secrets.token_hex(4)
    plaintext = f"reco_{prefix}_{secrets.token_urlsafe(24)}"
    row = ApiKey(
        prefix=prefix,
        key_hash=hash_key(secret_key, plaintext),
        role=role,
        job_center_id=job_center_id,
        name=name,
    )
    session.add(row)
    session.flush()
    return row, plaintext


def authenticate(session: Session, secret_key: str, presented: str) -> Principal | None:
    """Return the principal for a presented key, or None if it is unknown or revoked."""
    parts = presented.split("_")
    if len(parts) < 3 or parts[0] != "reco":
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, hash_key(secret_key, presented)):
        return None
    counties: frozenset[str] = frozenset()
    if row.job_center_id is not None:
        center = session.get(JobCenter, row.job_center_id)
        counties = frozenset(center.counties if center else ())
    return Principal(row.id, row.role, row.job_center_id, counties)


def revoke_key(session: Session, prefix: str) -> bool:
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None:
        return False
    row.revoked_at = datetime.now(UTC)
    # This process forgets every verified key at once; other processes within their TTL.
    KeyCache.forget_all()
    return True


class KeyCache:
    """Keys this process verified: keyed hash of the presented key → principal.

    A hit skips the database; an entry is re-read after ``ttl_seconds`` (1 s by default), so a
    revocation written by any process or host is honoured everywhere within that time, and at
    once in the process that revoked. Only valid keys are kept (a made-up key costs a lookup every
    time; limiting those is the rate limiter's job), and at most ``max_entries`` of them.
    """

    # Bumped by :func:`revoke_key`; an entry from an older generation is stale.
    _generation = 0
    _generation_lock = threading.Lock()

    def __init__(self, ttl_seconds: float = 1.0, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: dict[str, tuple[Principal, float, int]] = {}

    @classmethod
    def forget_all(cls) -> None:
        with cls._generation_lock:
            cls._generation += 1

    def authenticate(self, session: Callable[[], Session], secret_key: str, presented: str) -> Principal | None:
        """The principal for a presented key; ``session`` is called only on a miss."""
        digest = hash_key(secret_key, presented)
        now = self._clock()
        entry = self._entries.get(digest)
        if entry is not None:
            cached, fetched_at, generation = entry
            if now - fetched_at < self.ttl_seconds and generation == KeyCache._generation:
                return cached
        generation = KeyCache._generation
        principal = authenticate(session(), secret_key, presented)
        if principal is None:
            self._entries.pop(digest, None)
        elif self.ttl_seconds > 0:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[digest] = (principal, now, generation)
        return principal
