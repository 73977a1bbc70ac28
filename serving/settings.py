"""Settings: ``RECO_*`` environment variables, then overrides; read when the web app or a job
starts (never at import), without Flask, so the jobs read exactly what the web app reads."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zxcvbn import zxcvbn

from policy.date_bounds import DEFAULT_FUTURE_TOLERANCE_DAYS
from recommender.ranking import DEFAULT_MAX_TRAVEL_KM
from storage.engine import SQLITE_BUSY_TIMEOUT_MS, default_sqlite_url

# Secrets that ship in examples or tests (the test suite's own is the last): the service refuses
# to run with one of them outside testing, so a copied config never guards real ID numbers.
KNOWN_DEFAULT_SECRETS = frozenset({"", "change-me", "changeme", "change_me", "changethis", "dev", "secret",
                                   "secret-key", "secret_key", "your-secret-key", "supersecret",
                                   "test-secret-not-for-production"})
MIN_SECRET_LENGTH = 32
# zxcvbn's estimate of the guesses an attacker needs, as a power of ten: 10^30 is about 100 bits.
# A generated key (`secrets.token_urlsafe(32)` or longer) scores 40-64; 'a' * 32 scores 2.6, a
# key of repeated blocks or dictionary words far below 30.
MIN_SECRET_GUESSES_LOG10 = 30.0
# zxcvbn's matching grows quickly with length; past this a key is judged on its first characters.
ENTROPY_CHECKED_CHARS = 100
GENERATE_HINT = "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"

ENV_SETTINGS: dict[str, tuple[str, Any]] = {
    # setting: (environment variable, default)
    "DATABASE_URL": ("DATABASE_URL", None),
    "SECRET_KEY": ("RECO_SECRET_KEY", ""),
    "INSTANCE_DIR": ("RECO_INSTANCE_DIR", "var"),
    "ARTIFACTS_DIR": ("RECO_ARTIFACTS_DIR", "var/artifacts"),
    "MAX_CONTENT_LENGTH": ("RECO_MAX_BODY_BYTES", 256 * 1024),
    "RATELIMIT_DEFAULT": ("RECO_RATE_LIMIT", "600 per minute"),
    # Empty: a SQLite file in the instance directory that every worker of the host shares.
    "RATELIMIT_STORAGE_URI": ("RECO_RATE_LIMIT_STORAGE_URI", ""),
    # Prefix of every counter in that store: deployments (or tests) sharing one Redis keep apart.
    "RATELIMIT_KEY_PREFIX": ("RECO_RATE_LIMIT_KEY_PREFIX", "reco"),
    # Per client address: requests answered 401 (no, bad or expired credential) before that
    # address is refused outright, without hashing or looking up what it sends.
    "RATELIMIT_FAILED_AUTH": ("RECO_RATE_LIMIT_FAILED_AUTH", "30 per minute"),
    # Reverse proxies in front that set X-Forwarded-For/-Proto (1 with deploy/stack.py; 0: none).
    "PROXY_HOPS": ("RECO_PROXY_HOPS", 0),
    "RATELIMIT_ENABLED": ("RECO_RATE_LIMIT_ENABLED", True),
    "MODEL_RELOAD_SECONDS": ("RECO_MODEL_RELOAD_SECONDS", 30),
    # A verified API key is trusted this long without a lookup: a revocation holds everywhere
    # within it. The catalog's version is checked at most this often (an import shows within it).
    "KEY_CACHE_SECONDS": ("RECO_KEY_CACHE_SECONDS", 1.0),
    "CATALOG_CHECK_SECONDS": ("RECO_CATALOG_CHECK_SECONDS", 1.0),
    # Bearer token the Prometheus server presents at /metrics (an admin key works too).
    "METRICS_TOKEN": ("RECO_METRICS_TOKEN", ""),
    # How long a SQLite writer queues for the write lock before the request gets 503.
    "SQLITE_BUSY_TIMEOUT_MS": ("RECO_SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS),
    "POLICY": ("RECO_POLICY_JSON", None),
    "RANKING_WEIGHTS": ("RECO_RANKING_JSON", None),
    # Weight of each event kind when training, e.g. {"view": 0.5, "enrol": 8}.
    "EVENT_WEIGHTS": ("RECO_EVENT_WEIGHTS", None),
    # Reads' audit entries are written in batches this often (0: at the end of each request).
    "AUDIT_FLUSH_MS": ("RECO_AUDIT_FLUSH_MS", 200),
    # `flask audit prune` deletes audit entries older than this.
    "AUDIT_RETENTION_DAYS": ("RECO_AUDIT_RETENTION_DAYS", 730),
    # Pin "today" (ISO date) for demos and tests.
    "TODAY": ("RECO_TODAY", None),
    # Travel range for workers whose profile sets none; online courses are always in range.
    "DEFAULT_MAX_KM": ("RECO_DEFAULT_MAX_KM", DEFAULT_MAX_TRAVEL_KM),
    # How many days ahead of today the date of something that has happened (a certificate issued,
    # an enrolment, a completion) may be: clock skew, a form filled in the evening.
    "FUTURE_TOLERANCE_DAYS": ("RECO_FUTURE_TOLERANCE_DAYS", DEFAULT_FUTURE_TOLERANCE_DAYS),
    # Online hours count toward credit hours at this ratio (学员在线学习课时可按比例计入).
    "ONLINE_HOURS_RATIO": ("RECO_ONLINE_HOURS_RATIO", "1.0"),
}


def _coerce(default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(environ: Mapping[str, str], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name, (var, default) in ENV_SETTINGS.items():
        settings[name] = _coerce(default, environ[var]) if var in environ else default
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = environ.get("RECO_DATABASE_URL") or default_sqlite_url(
            settings["INSTANCE_DIR"]
        )
    settings.update(overrides or {})
    settings["INSTANCE_DIR"] = str(Path(settings["INSTANCE_DIR"]))
    return settings


def secret_problem(secret: str) -> str | None:
    """Why a secret key must not be used, or None. The message never repeats the key."""
    if secret.strip().lower() in KNOWN_DEFAULT_SECRETS:
        return "RECO_SECRET_KEY is unset or a known default"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"RECO_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
    if any(known and known in secret.lower() for known in KNOWN_DEFAULT_SECRETS if len(known) >= 8):
        return "RECO_SECRET_KEY contains a known default"
    guesses_log10 = float(zxcvbn(secret[:ENTROPY_CHECKED_CHARS])["guesses_log10"])
    if guesses_log10 < MIN_SECRET_GUESSES_LOG10:
        return (f"RECO_SECRET_KEY is guessable (about 10^{guesses_log10:.0f} guesses: repeats, words or "
                f"patterns; at least 10^{MIN_SECRET_GUESSES_LOG10:.0f} needed); {GENERATE_HINT}")
    return None


def environ() -> Mapping[str, str]:
    return os.environ
