"""The hybrid stage reuses the content-only stage's interaction matrices (issue 16: training within
1.25x of the bare LightFM fits): what it is fitted on must not change by that."""

from __future__ import annotations

from datetime import date

import numpy as np

from recommender.model import ModelParams
from training_jobs.train import fit_inputs, synthetic_data

TODAY = date(2027, 3, 1)


def test_reused_inputs_equal_inputs_built_afresh() -> None:
    data = synthetic_data(150, 30, 3, TODAY)
    params = ModelParams()
    content = fit_inputs(data, data.interactions, params, TODAY, identity=False)
    reused = fit_inputs(data, data.interactions, params, TODAY, identity=True, reuse=content)
    fresh = fit_inputs(data, data.interactions, params, TODAY, identity=True)
    assert reused.interactions is content.interactions and reused.weights is content.weights
    assert reused.feature_space.user_columns == fresh.feature_space.user_columns
    assert reused.feature_space.item_columns == fresh.feature_space.item_columns
    assert reused.feature_space.to_json() == fresh.feature_space.to_json()
    for name in ("interactions", "weights", "user_features", "item_features"):
        a, b = getattr(reused, name).tocsr(), getattr(fresh, name).tocsr()
        assert a.shape == b.shape and a.dtype == b.dtype and (a != b).nnz == 0, name
    for name in ("user_features", "item_features"):  # the same arrays, in the same order (LightFM sums in it)
        a, b = getattr(reused, name), getattr(fresh, name)
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices), name
        assert np.array_equal(a.data, b.data), name
    assert np.array_equal(reused.feature_space.user_ids.external_ids, fresh.feature_space.user_ids.external_ids)
