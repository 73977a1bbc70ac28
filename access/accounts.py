"""Counselor accounts: one per person, at one job center, signing in with a password.

Passwords are stored as Argon2id hashes (argon2-cffi: salted, memory-hard, the current OWASP
recommendation), rehashed on sign-in when the library's parameters grow.
Five wrong passwords in a row lock the account for fifteen minutes; the counter restarts on a
good sign-in. Changing the password or disabling the account bumps ``session_epoch``, which ends
every open session of that account. No Flask here: the console and the CLI both call these.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from access.keys import Principal
from access.tables import CounselorAccount
from catalog.tables import JobCenter

ACCOUNT_ROLES: Final[tuple[str, ...]] = ("counselor", "admin")
MAX_FAILURES: Final = 5
LOCKOUT: Final = timedelta(minutes=15)
MIN_PASSWORD_LENGTH: Final = 10
_HASHER: Final = PasswordHasher()
# Checked against when the username is unknown, so a wrong name costs as long as a wrong password
# (no telling which usernames exist from the response time).
_DUMMY_HASH: Final = _HASHER.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class AccountError(ValueError):
    """An account could not be created or changed as asked."""


class SignInRefused(Exception):
    """Wrong username or password, a disabled account, or one locked after repeated failures."""

    def __init__(self, reason: str, locked_until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason  # "bad_credentials" | "locked"
        self.locked_until = locked_until


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_password_strength(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if username.lower() in password.lower():
        raise AccountError("the password must not contain the username")


def create_account(session: Session, username: str, password: str, *, job_center_code: str | None,
                   display_name: str = "", role: str = "counselor") -> CounselorAccount:
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("a username of 1-64 characters is required")
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"role must be one of {', '.join(ACCOUNT_ROLES)}")
    if session.scalar(select(CounselorAccount.id).where(CounselorAccount.username == username)) is not None:
        raise AccountError(f"the username {username!r} is taken")
    center_id = None
    if role == "counselor":
        if not job_center_code:
            raise AccountError("a counselor belongs to one job center: give --job-center")
        center_id = session.scalar(select(JobCenter.id).where(JobCenter.code == job_center_code))
        if center_id is None:
            raise AccountError(f"unknown job center {job_center_code!r}")
    check_password_strength(password, username)
    account = CounselorAccount(username=username, display_name=display_name.strip() or username, role=role,
                               job_center_id=center_id, password_hash=hash_password(password),
                               failed_attempts=0, session_epoch=0)
    session.add(account)
    session.flush()
    return account


def sign_in(session: Session, username: str, password: str, now: datetime) -> CounselorAccount:
    """The account if the password is right and the account usable; else :class:`SignInRefused`.

    The caller commits either way: a failure is counted."""
    account = session.scalar(select(CounselorAccount).where(CounselorAccount.username == username.strip()))
    if account is None:
        password_matches(_DUMMY_HASH, password)
        raise SignInRefused("bad_credentials")
    locked_until = _aware(account.locked_until)
    if locked_until is not None and locked_until > now:
        raise SignInRefused("locked", locked_until)
    if not password_matches(account.password_hash, password) or account.disabled_at is not None:
        account.failed_attempts += 1
        if account.failed_attempts >= MAX_FAILURES:
            account.locked_until = now + LOCKOUT
            account.failed_attempts = 0
            raise SignInRefused("locked", account.locked_until)
        raise SignInRefused("bad_credentials")
    account.failed_attempts = 0
    account.locked_until = None
    account.last_sign_in_at = now
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


def change_password(account: CounselorAccount, current: str, new: str) -> None:
    if not password_matches(account.password_hash, current):
        raise AccountError("the current password is wrong")
    check_password_strength(new, account.username)
    account.password_hash = hash_password(new)
    account.session_epoch += 1  # other open sessions of this account end


def set_disabled(session: Session, username: str, disabled: bool, now: datetime) -> CounselorAccount:
    account = session.scalar(select(CounselorAccount).where(CounselorAccount.username == username))
    if account is None:
        raise AccountError(f"no account {username!r}")
    account.disabled_at = now if disabled else None
    account.session_epoch += 1
    account.failed_attempts = 0
    account.locked_until = None
    return account


def session_account(session: Session, account_id: int, epoch: int) -> CounselorAccount | None:
    """The account a console session belongs to, if that session is still valid."""
    account = session.get(CounselorAccount, account_id)
    if account is None or account.disabled_at is not None or account.session_epoch != epoch:
        return None
    return account


def principal_of(session: Session, account: CounselorAccount) -> Principal:
    counties: frozenset[str] = frozenset()
    if account.job_center_id is not None:
        center = session.get(JobCenter, account.job_center_id)
        counties = frozenset(center.counties if center else ())
    return Principal(key_id=None, role=account.role, job_center_id=account.job_center_id, counties=counties,
                     user_id=account.id)
