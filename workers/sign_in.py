"""A worker signs in to the app: one-time activation codes, access tokens and refresh tokens.

The flow a public-service app uses when the person already has a case at a job center:

1. A counselor (or an import) issues a one-time **activation code** for the worker and hands it
   over in person or by letter. Only its keyed hash is stored; it expires after
   :data:`ACTIVATION_TTL` and works once.
2. The app (authenticated by its own API key) exchanges the code for a **session** on that
   device: a short-lived **access token** (a JWT signed with HS256 by PyJWT, key derived from the
   service secret) and an opaque **refresh token** (stored only as a keyed hash).
3. Each refresh rotates the refresh token. Presenting a replaced one again means it was copied:
   the whole session is revoked (refresh-token reuse detection, RFC 9700 §4.14.2).
4. Sessions are revoked per device (the worker, ``DELETE /v1/me/sessions/{id}``) or all at once
   (the worker's counselor). Access tokens carry the session id and every request checks the
   session, so a revoked token stops working at once, not when it expires.

Tokens are bearer secrets: nothing here logs them, and the audit trail records the session id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from access.tables import ActivationCode, WorkerSession
from workers.tables import Worker

ISSUER: Final = "reco"
AUDIENCE: Final = "reco-app"
ALGORITHM: Final = "HS256"
ACCESS_TTL: Final = timedelta(minutes=15)
REFRESH_TTL: Final = timedelta(days=30)
ACTIVATION_TTL: Final = timedelta(days=7)

# What a worker's token may do, and nothing about anyone else.
SCOPES: Final[dict[str, str]] = {
    "profile:read": "read one's own profile",
    "recommendations:read": "read one's own recommendations",
    "events:write": "record one's own events (view, save, dismiss, …)",
    "consent:write": "change one's own consent (push notifications)",
}
# Crockford's base32 without I, L, O, U: nothing to misread on a printed letter.
CODE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH: Final = 12  # 60 bits


class SignInError(Exception):
    """A code or token that does not sign anyone in (the reason is for the log-free problem body)."""


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    scope: str
    session_id: str
    worker_public_id: str
    worker_id: int  # for the audit trail; never sent to the app


@dataclass(frozen=True)
class WorkerClaims:
    """A verified access token, checked against its session."""

    worker_id: int
    worker_public_id: str
    session_id: str
    scopes: frozenset[str]


def _as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _digest(secret_key: str, purpose: str, value: str) -> str:
    return hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _signing_key(secret_key: str) -> bytes:
    # A key of its own, so a token can never be confused with another HMAC this service makes.
    return hmac.new(secret_key.encode(), b"reco worker access token v1", hashlib.sha256).digest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch not in "- ")


def issue_activation_code(session: Session, secret_key: str, worker: Worker, *, now: datetime,
                          issued_by: int | None, ttl: timedelta = ACTIVATION_TTL) -> tuple[str, datetime]:
    """A new one-time code for ``worker`` (earlier unused codes stop working); shown once."""
    for old in session.scalars(select(ActivationCode).where(ActivationCode.worker_id == worker.id,
                                                            ActivationCode.used_at.is_(None))):
        old.used_at = now
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + ttl
    session.add(ActivationCode(worker_id=worker.id, code_hash=_digest(secret_key, "activation", raw),
                               issued_by=issued_by, created_at=now, expires_at=expires))
    session.flush()
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4)), expires


def _access_token(secret_key: str, worker: Worker, sess: WorkerSession, scopes: frozenset[str],
                  now: datetime, ttl: timedelta) -> str:
    claims: dict[str, Any] = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": worker.public_id, "sid": sess.public_id,
        "scope": " ".join(sorted(scopes)), "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()), "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, _signing_key(secret_key), algorithm=ALGORITHM)


def _new_refresh(secret_key: str) -> tuple[str, str]:
    token = "rt_" + secrets.token_urlsafe(32)
    return token, _digest(secret_key, "refresh", token)


def activate(session: Session, secret_key: str, code: str, *, device_name: str, now: datetime,
             scopes: frozenset[str] | None = None, access_ttl: timedelta = ACCESS_TTL,
             refresh_ttl: timedelta = REFRESH_TTL) -> IssuedTokens:
    """Exchange a one-time code for a new session on one device."""
    wanted = frozenset(SCOPES) if scopes is None else scopes
    if not wanted <= SCOPES.keys():
        raise SignInError("unknown scope")
    row = session.scalar(select(ActivationCode).where(
        ActivationCode.code_hash == _digest(secret_key, "activation", normalize_code(code))))
    if row is None or row.used_at is not None or _as_utc(row.expires_at) <= now:
        # One answer for unknown, used and expired: the code is all the caller has.
        raise SignInError("the activation code is not valid (unknown, already used or expired)")
    row.used_at = now
    worker = session.get(Worker, row.worker_id)
    if worker is None:
        raise SignInError("the activation code is not valid (unknown, already used or expired)")
    refresh, refresh_hash = _new_refresh(secret_key)
    sess = WorkerSession(public_id="s_" + secrets.token_urlsafe(12), worker_id=worker.id,
                         device_name=device_name, refresh_hash=refresh_hash, created_at=now,
                         last_used_at=now, expires_at=now + refresh_ttl,
                         # Granted once, here: a refresh can never widen them.
                         scopes=" ".join(sorted(wanted)))
    session.add(sess)
    session.flush()
    return IssuedTokens(_access_token(secret_key, worker, sess, wanted, now, access_ttl), refresh,
                        int(access_ttl.total_seconds()), " ".join(sorted(wanted)), sess.public_id,
                        worker.public_id, worker.id)


def refresh(session: Session, secret_key: str, refresh_token: str, *, now: datetime,
            access_ttl: timedelta = ACCESS_TTL) -> IssuedTokens:
    """A new access token and a new refresh token; the presented one stops working."""
    digest = _digest(secret_key, "refresh", refresh_token)
    sess = session.scalar(select(WorkerSession).where(WorkerSession.refresh_hash == digest))
    if sess is None:
        reused = session.scalar(select(WorkerSession).where(WorkerSession.previous_hash == digest))
        if reused is not None and reused.revoked_at is None:
            # A replaced refresh token came back: someone holds a copy. End the session.
            reused.revoked_at, reused.revoked_reason = now, "refresh_reuse"
            session.flush()
        raise SignInError("the refresh token is not valid (unknown, replaced, revoked or expired)")
    if sess.revoked_at is not None or _as_utc(sess.expires_at) <= now:
        raise SignInError("the refresh token is not valid (unknown, replaced, revoked or expired)")
    worker = session.get(Worker, sess.worker_id)
    if worker is None:
        raise SignInError("the refresh token is not valid (unknown, replaced, revoked or expired)")
    token, new_hash = _new_refresh(secret_key)
    sess.previous_hash, sess.refresh_hash, sess.last_used_at = digest, new_hash, now
    scopes = frozenset(sess.scopes.split())
    session.flush()
    return IssuedTokens(_access_token(secret_key, worker, sess, scopes, now, access_ttl), token,
                        int(access_ttl.total_seconds()), " ".join(sorted(scopes)), sess.public_id,
                        worker.public_id, worker.id)


def looks_like_access_token(presented: str) -> bool:
    return presented.count(".") == 2 and not presented.startswith("reco_")


def verify_access_token(session: Session, secret_key: str, token: str, *, now: datetime) -> WorkerClaims | None:
    """The claims of a valid access token whose session is alive, else None (never raises)."""
    try:
        claims = jwt.decode(token, _signing_key(secret_key), algorithms=[ALGORITHM], audience=AUDIENCE,
                            issuer=ISSUER, options={"require": ["exp", "iat", "sub", "sid", "aud", "iss"]},
                            # Verify expiry against the service clock (tests pin it), not the OS's.
                            leeway=0)
    except jwt.PyJWTError:
        return None
    if int(claims["exp"]) <= int(now.timestamp()):
        return None
    sess = session.scalar(select(WorkerSession).where(WorkerSession.public_id == str(claims["sid"])))
    if sess is None or sess.revoked_at is not None or _as_utc(sess.expires_at) <= now:
        return None
    worker = session.get(Worker, sess.worker_id)
    if worker is None or worker.public_id != claims["sub"]:
        return None
    scopes = frozenset(str(claims.get("scope", "")).split()) & frozenset(sess.scopes.split())
    return WorkerClaims(worker.id, worker.public_id, sess.public_id, scopes)


def revoke_session(session: Session, worker_id: int, session_public_id: str, *, now: datetime,
                   reason: str) -> bool:
    """Revoke one device's session of a worker; False if the worker has no such live session."""
    sess = session.scalar(select(WorkerSession).where(WorkerSession.public_id == session_public_id,
                                                      WorkerSession.worker_id == worker_id))
    if sess is None or sess.revoked_at is not None:
        return False
    sess.revoked_at, sess.revoked_reason = now, reason
    session.flush()
    return True


def revoke_all(session: Session, worker_id: int, *, now: datetime, reason: str) -> int:
    """Revoke every session of a worker and every unused activation code; return sessions ended."""
    ended = 0
    for sess in session.scalars(select(WorkerSession).where(WorkerSession.worker_id == worker_id,
                                                            WorkerSession.revoked_at.is_(None))):
        sess.revoked_at, sess.revoked_reason = now, reason
        ended += 1
    for code in session.scalars(select(ActivationCode).where(ActivationCode.worker_id == worker_id,
                                                             ActivationCode.used_at.is_(None))):
        code.used_at = now
    session.flush()
    return ended


def live_sessions(session: Session, worker_id: int, *, now: datetime) -> list[WorkerSession]:
    rows = session.scalars(select(WorkerSession).where(WorkerSession.worker_id == worker_id,
                                                       WorkerSession.revoked_at.is_(None))
                           .order_by(WorkerSession.id))
    return [s for s in rows if _as_utc(s.expires_at) > now]
