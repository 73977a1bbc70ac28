"""The hybrid must beat popularity on a small synthetic holdout (deterministic, fixed seeds)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from recommender.model import ModelParams
from tests.deterministic_model import DeterministicHybridModel
from training_jobs.train import run_training, synthetic_data

TODAY = date(2027, 3, 1)


@pytest.mark.slow
def test_hybrid_beats_popularity_on_small_synthetic_holdout(tmp_path: Path) -> None:
    data = synthetic_data(1500, 150, 11, TODAY)
    params = ModelParams(no_components=16, epochs=15, random_state=3)
    res = run_training(data, params, tmp_path / "art", None, TODAY, progress=False,
                       model_cls=DeterministicHybridModel)
    h, p = res.metrics["hybrid"], res.metrics["popularity"]
    assert h["precision@10"] > p["precision@10"]
    assert h["recall@10"] > p["recall@10"]
    assert res.promoted
    # Cold-start workers and new courses are scored from features alone, and not at random.
    assert h["cold_users"]["auc"] is not None and h["cold_users"]["auc"] > 0.6
    assert h["new_items_auc"] is None or h["new_items_auc"] > 0.6
    assert all(v is not None for g, v in h["recall@10_by_group"].items() if h["group_n_users"][g])
