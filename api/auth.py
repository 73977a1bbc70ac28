"""Bearer API keys and roles. Every view declares who may call it with ``@requires``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request
from flask_smorest import Blueprint

from access.keys import Principal, authenticate, hash_key
from api.context import services
from api.db import db
from api.errors import fail

F = TypeVar("F", bound=Callable[..., Any])
SECURITY_SCHEME = {"type": "http", "scheme": "bearer", "description": "API key: `reco_…`"}


def current_principal() -> Principal:
    return g.principal  # type: ignore[no-any-return]


def _principal_from_request() -> Principal | None:
    if "principal" in g:
        return g.principal  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    principal = None
    if scheme.lower() == "bearer" and token.strip():
        principal = authenticate(db(), services().secret_key, token.strip())
    g.principal = principal
    return principal


def requires(blp: Blueprint, *roles: str) -> Callable[[F], F]:
    """Allow the view to the given roles only (401 without a valid key, 403 for other roles)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = _principal_from_request()
            if principal is None:
                fail(401, "A valid API key is required (Authorization: Bearer …).",
                     headers={"WWW-Authenticate": 'Bearer realm="reco"'})
            if principal.role not in roles:
                fail(403, f"This operation is for the {', '.join(roles)} role(s).")
            return view(*args, **kwargs)

        # Error responses reference the problem+json components ProblemApi registers.
        for status, name in ((401, "UNAUTHORIZED"), (403, "FORBIDDEN"),
                             (429, "TOO_MANY_REQUESTS"), (503, "SERVICE_UNAVAILABLE")):
            wrapper = blp.alt_response(status, response=name)(wrapper)
        wrapper = blp.doc(security=[{"bearerAuth": []}])(wrapper)
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
    if token.startswith("reco_"):
        return "key:" + hash_key(services().secret_key, token)[:32]
    return f"addr:{request.remote_addr}"
