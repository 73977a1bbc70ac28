"""Fixtures of the serving tests: the sample catalog as a snapshot, and a small trained model."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.importing import apply, expand_paths, plan
from policy import PolicySettings
from recommender.items import TrainingData
from recommender.model import ModelParams
from serving.models import ModelServing
from serving.snapshot import CatalogSnapshot, build_snapshot
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.session import make_session_factory, writing
from tests.conftest import SAMPLE_CATALOG
from tests.deterministic_model import DeterministicHybridModel
from training_jobs.synthetic import generate_population
from training_jobs.train import run_training

TODAY = date(2026, 11, 29)
DEFAULT_MAX_KM = 50.0
POLICY = PolicySettings()


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> CatalogSnapshot:
    path = tmp_path_factory.mktemp("reco") / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = make_session_factory(engine)
    with writing(factory) as session:
        apply(session, plan(session, expand_paths([SAMPLE_CATALOG])))
    with factory() as session:
        snap = build_snapshot(session, TODAY)
    engine.dispose()
    return snap


@pytest.fixture(scope="module")
def trained(snapshot: CatalogSnapshot, tmp_path_factory: pytest.TempPathFactory) -> ModelServing:
    root = tmp_path_factory.mktemp("artifacts")
    workers, centers, events = generate_population(list(snapshot.items), 600, 7, TODAY)
    data = TrainingData(workers, {c.id: c for c in snapshot.items}, events, centers)
    params = ModelParams(no_components=16, epochs=8, random_state=3, num_threads=1)
    result = run_training(data, params, root, today=TODAY, progress=False, model_cls=DeterministicHybridModel)
    assert result.promoted, result.reason
    serving = ModelServing(root, reload_seconds=0)
    assert serving.reload_now()
    return serving


@pytest.fixture(scope="module")
def rule_based(tmp_path_factory: pytest.TempPathFactory) -> ModelServing:
    return ModelServing(tmp_path_factory.mktemp("no-model"), reload_seconds=0)
