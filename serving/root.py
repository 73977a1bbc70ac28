"""The composition root: everything a use case needs, built once from the settings, without Flask.

``create_app`` builds one :class:`Services` and keeps it on the app; the batch jobs
(``python -m training_jobs.train``, ``python -m training_jobs.push``) build the same object from
the same ``RECO_*`` settings. So a job and the web app read the same policy settings, ranking
weights, diversity caps, event weights, travel default and "today", by construction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from access.keys import KeyCache
from policy import PolicySettings
from policy.date_bounds import DEFAULT_FUTURE_TOLERANCE_DAYS
from recommender.model import InteractionWeights
from recommender.ranking import RankingWeights
from serving.models import ModelServing
from serving.settings import environ, load_settings
from serving.snapshot import SnapshotCache
from storage.engine import make_engine
from storage.session import make_session_factory
from workers.audit_trail import AuditTrail


class SettingsError(ValueError):
    """A setting that cannot be read (names the environment variable)."""


@dataclass(frozen=True)
class Clock:
    """'Today' for the whole service: the real date, or the one pinned by ``RECO_TODAY``."""

    pinned: date | None = None

    def today(self) -> date:
        return self.pinned or date.today()


@dataclass(frozen=True)
class DiversityCaps:
    """At most this many courses of one occupation / one institution in a worker's list."""

    per_occupation: int = 3
    per_institution: int = 3


@dataclass(frozen=True)
class RankingConfig:
    """What ranking one worker's list reads, the same for the endpoint and the push job."""

    policy: PolicySettings = field(default_factory=PolicySettings)
    weights: RankingWeights = field(default_factory=RankingWeights)
    caps: DiversityCaps = field(default_factory=DiversityCaps)
    default_max_km: float | None = None  # None: unlimited; the settings give DEFAULT_MAX_TRAVEL_KM


@dataclass(frozen=True, eq=False)
class Ranker:
    """What one worker's list is ranked with: the configuration and the model being served."""

    config: RankingConfig
    models: ModelServing


@dataclass(frozen=True, eq=False)
class Services:
    """One process's services; every use case of :mod:`serving` takes this as its first argument."""

    settings: Mapping[str, Any]
    ranking: RankingConfig
    event_weights: InteractionWeights
    online_hours_ratio: float
    secret_key: str
    artifacts_dir: str
    engine: Engine
    sessions: sessionmaker[Session]
    snapshots: SnapshotCache
    keys: KeyCache
    models: ModelServing
    clock: Clock
    # Where the web app's reads leave their audit entries (written in batches; see its module).
    audit_trail: AuditTrail
    # How far ahead of today a date of something that has happened may be (RECO_FUTURE_TOLERANCE_DAYS).
    future_tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS

    @property
    def policy(self) -> PolicySettings:
        return self.ranking.policy

    @property
    def ranker(self) -> Ranker:
        return Ranker(self.ranking, self.models)

    def today(self) -> date:
        return self.clock.today()

    def close(self) -> None:
        self.audit_trail.close()
        self.engine.dispose()


def _json_setting(settings: Mapping[str, Any], name: str, variable: str) -> dict[str, Any]:
    raw = settings.get(name)
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw or "{}")
    except ValueError as exc:
        raise SettingsError(f"{variable}: not valid JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise SettingsError(f"{variable}: must be a JSON object")
    return value


def _read(builder: Any, settings: Mapping[str, Any], name: str, variable: str) -> Any:
    try:
        return builder(_json_setting(settings, name, variable))
    except SettingsError:
        raise
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{variable}: {exc}") from exc


def build_services(settings: Mapping[str, Any]) -> Services:
    """Build every service from loaded settings (see :func:`serving.settings.load_settings`)."""
    pinned = settings.get("TODAY")
    max_km = settings.get("DEFAULT_MAX_KM")
    ranking = RankingConfig(
        policy=_read(PolicySettings.from_mapping, settings, "POLICY", "RECO_POLICY_JSON"),
        weights=_read(RankingWeights.from_mapping, settings, "RANKING_WEIGHTS", "RECO_RANKING_JSON"),
        default_max_km=None if max_km is None else float(max_km),
    )
    engine = make_engine(settings["DATABASE_URL"], busy_timeout_ms=int(settings["SQLITE_BUSY_TIMEOUT_MS"]))
    sessions = make_session_factory(engine)
    return Services(
        settings=dict(settings),
        ranking=ranking,
        event_weights=_read(InteractionWeights.from_mapping, settings, "EVENT_WEIGHTS", "RECO_EVENT_WEIGHTS"),
        online_hours_ratio=float(settings.get("ONLINE_HOURS_RATIO", 1.0)),
        secret_key=str(settings.get("SECRET_KEY", "")),
        artifacts_dir=str(settings["ARTIFACTS_DIR"]),
        engine=engine,
        sessions=sessions,
        snapshots=SnapshotCache(float(settings.get("CATALOG_CHECK_SECONDS", 1.0))),
        keys=KeyCache(float(settings.get("KEY_CACHE_SECONDS", 1.0))),
        models=ModelServing(settings["ARTIFACTS_DIR"], float(settings["MODEL_RELOAD_SECONDS"])),
        clock=Clock(date.fromisoformat(pinned) if pinned else None),
        audit_trail=AuditTrail(sessions, flush_seconds=int(settings.get("AUDIT_FLUSH_MS", 200)) / 1000),
        future_tolerance_days=int(settings.get("FUTURE_TOLERANCE_DAYS", DEFAULT_FUTURE_TOLERANCE_DAYS)),
    )


def services_from_environment(overrides: Mapping[str, Any] | None = None) -> Services:
    """The services a job builds from ``RECO_*`` variables (and ``DATABASE_URL``), like the app."""
    return build_services(load_settings(environ(), overrides))
