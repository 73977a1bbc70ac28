"""Bearer credentials and roles. Every view declares who may call it with ``@requires``.

Two kinds of bearer: API keys (``reco_…``: admin, counselor, and the app itself, which alone
reaches only anonymous things) and a signed-in worker's access token (a JWT, role ``worker``,
scoped to that one worker; :mod:`workers.sign_in`). The bearer is never logged."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import g, request
from flask_smorest import Blueprint

from access.keys import WORKER_ROLE, Principal, hash_key
from api.context import services
from api.db import db
from api.errors import fail
from workers.sign_in import SCOPES, looks_like_access_token, verify_access_token

F = TypeVar("F", bound=Callable[..., Any])
SECURITY_SCHEME = {"type": "http", "scheme": "bearer",
                   "description": "API key `reco_…` of an admin, a counselor or the app itself. The app's key "
                                  "alone reaches only anonymous things (catalog, map, inline eligibility and "
                                  "recommendations) and the sign-in exchange."}
WORKER_SECURITY_SCHEME = {
    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
    "description": "A signed-in worker's access token (15 minutes; from `POST /v1/auth/activate` or "
                   "`POST /v1/auth/refresh`). Acts for that one worker only, within its scopes: "
                   + ", ".join(f"`{k}` ({v})" for k, v in SCOPES.items()) + ".",
}


def current_principal() -> Principal:
    return g.principal  # type: ignore[no-any-return]


def principal_from_request() -> Principal | None:
    if "principal" in g:
        return g.principal  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    principal = None
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        if looks_like_access_token(token):
            principal = _worker_principal(token)
        else:
            principal = services().keys.authenticate(db, services().secret_key, token)
    g.principal = principal
    return principal


def now() -> datetime:
    """The time for token lifetimes: real time, even when ``RECO_TODAY`` pins the date."""
    return datetime.now(UTC)


def _worker_principal(token: str) -> Principal | None:
    claims = verify_access_token(db(), services().secret_key, token, now=now())
    if claims is None:
        return None
    return Principal(None, WORKER_ROLE, None, frozenset(), worker_id=claims.worker_id,
                     session_id=claims.session_id, scopes=claims.scopes)


def requires(blp: Blueprint, *roles: str, scope: str | None = None) -> Callable[[F], F]:
    """Allow the view to the given roles only (401 without a valid key or token, 403 for other
    roles). A worker's token must also carry ``scope``."""
    if WORKER_ROLE in roles and scope is None:
        raise ValueError("a view open to signed-in workers names the scope it needs ('' for any token)")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = principal_from_request()
            if principal is None:
                fail(401, "A valid API key or access token is required (Authorization: Bearer …); "
                          "an expired access token is renewed with POST /v1/auth/refresh.",
                     headers={"WWW-Authenticate": 'Bearer realm="reco"'})
            if principal.role not in roles:
                fail(403, f"This operation is for the {', '.join(roles)} role(s).")
            if principal.role == WORKER_ROLE and scope and scope not in principal.scopes:
                fail(403, f"This access token lacks the scope {scope!r}.",
                     headers={"WWW-Authenticate": f'Bearer realm="reco", error="insufficient_scope", scope="{scope}"'})
            return view(*args, **kwargs)

        # Error responses reference the problem+json components ProblemApi registers.
        for status, name in ((401, "UNAUTHORIZED"), (403, "FORBIDDEN"),
                             (429, "TOO_MANY_REQUESTS"), (503, "SERVICE_UNAVAILABLE")):
            wrapper = blp.alt_response(status, response=name)(wrapper)
        security: list[dict[str, list[str]]] = []
        if set(roles) - {WORKER_ROLE}:
            security.append({"bearerAuth": []})
        if WORKER_ROLE in roles:
            security.append({"workerToken": []})  # scopes of http schemes are not listed (OAS 3.0)
        wrapper = blp.doc(security=security)(wrapper)
        wrapper.__reco_roles__ = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def rate_limit_key() -> str:
    """Rate limits are per API key, else per client address.

    The bucket is named by a keyed hash of the whole presented key, not by its public prefix:
    someone who only knows a prefix (it is printed by ``keys list``) cannot spend another key's
    budget. Limits run before authentication, so this costs one HMAC, not a database lookup."""
    header = request.headers.get("Authorization", "")
    token = header.partition(" ")[2].strip()
    if token.startswith("reco_") or looks_like_access_token(token):
        return "key:" + hash_key(services().secret_key, token)[:32]
    return f"addr:{request.remote_addr}"
