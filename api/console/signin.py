"""Who is at the desk: the signed-in counselor account of this browser session.

The session cookie is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure when configured); it
holds the account id and its ``session_epoch`` only, so a password change or disabling the account
ends every session at the next request. Every form post carries a CSRF token (Flask-WTF).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for

from access.accounts import principal_of, session_account
from access.tables import CounselorAccount
from api.db import db

F = TypeVar("F", bound=Callable[..., Any])


def current_account() -> CounselorAccount | None:
    if "account" in g:
        return g.account  # type: ignore[no-any-return]
    account = None
    uid, epoch = session.get("uid"), session.get("epoch")
    if isinstance(uid, int) and isinstance(epoch, int):
        account = session_account(db(), uid, epoch)
        if account is None:
            session.clear()
    g.account = account
    if account is not None:
        # The domain functions (access checks, audit) read the principal the API uses.
        g.principal = principal_of(db(), account)
    return account


def start_session(account: CounselorAccount) -> None:
    session.clear()  # a fresh session on sign-in: no fixation of an earlier one
    session["uid"] = account.id
    session["epoch"] = account.session_epoch
    session.permanent = True


def signed_in(view: F) -> F:
    """Pages for a signed-in counselor; others go to the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_account() is None:
            if request.headers.get("HX-Request"):
                return "", 401, {"HX-Redirect": url_for("console.sign_in")}
            return redirect(url_for("console.sign_in", next=request.path))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
