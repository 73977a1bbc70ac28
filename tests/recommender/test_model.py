from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.features import FeatureSpace, IdMap
from recommender.items import CourseItem, Interaction, TrainingData
from recommender.model import (
    HybridModel,
    InteractionWeights,
    ModelParams,
    WarmStart,
    build_interaction_matrices,
)
from tests.deterministic_model import DeterministicHybridModel

TODAY = date(2027, 3, 1)
PARAMS = ModelParams(no_components=8, epochs=10, random_state=3)


def _fit(data: TrainingData, loss: str = "warp") -> tuple[HybridModel, FeatureSpace]:
    fs = FeatureSpace.fit(data.workers, data.courses, TODAY)
    m = build_interaction_matrices(data.interactions, fs.user_ids, fs.item_ids)
    uf = fs.user_matrix(list(data.workers.items()), TODAY)
    itf = fs.item_matrix(list(data.courses.values()))
    model = DeterministicHybridModel(ModelParams(**{**PARAMS.to_dict(), "loss": loss}))
    model.fit(m.interactions, uf, itf, m.weights)
    return model, fs


@pytest.mark.parametrize("loss", ["warp", "bpr", "logistic"])
def test_numpy_scores_equal_lightfm_predict(tiny_data: TrainingData, loss: str) -> None:
    model, fs = _fit(tiny_data, loss)
    uf = fs.user_matrix(list(tiny_data.workers.items()), TODAY)
    itf = fs.item_matrix(list(tiny_data.courses.values()))
    items = model.item_matrix(itf)
    n_items = itf.shape[0]
    for u in range(uf.shape[0]):
        ours = model.score(model.user_vector(uf[u]), items)
        theirs = model.lightfm.predict(np.full(n_items, u, dtype=np.int32), np.arange(n_items, dtype=np.int32),
                                       item_features=itf, user_features=uf)
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_deterministic_fit_repeats_exactly(tiny_data: TrainingData) -> None:
    a, _ = _fit(tiny_data)
    b, _ = _fit(tiny_data)
    for name in HybridModel.ARRAY_NAMES:
        assert np.array_equal(a.to_arrays()[name], b.to_arrays()[name])


def test_model_learns_the_two_tastes(tiny_data: TrainingData) -> None:
    model, fs = _fit(tiny_data)
    items = model.item_matrix(fs.item_matrix([tiny_data.courses[c] for c in sorted(tiny_data.courses)]))
    # An inline profile (no id) of a farmer prefers agriculture courses 1, 2 over manufacturing 3, 4.
    farmer = model.score(model.user_vector(fs.user_row(tiny_data.workers[2], TODAY)), items)
    employee = model.score(model.user_vector(fs.user_row(tiny_data.workers[1], TODAY)), items)
    assert min(farmer[0], farmer[1]) > max(farmer[2], farmer[3])
    assert min(employee[2], employee[3]) > max(employee[0], employee[1])


def test_interaction_weights_and_dismissals() -> None:
    t = datetime(2026, 1, 1)
    ev = [
        Interaction(1, 10, "view", t), Interaction(1, 10, "enrol", t.replace(hour=1)),
        Interaction(1, 11, "view", t), Interaction(1, 11, "dismiss", t.replace(hour=2)),
        Interaction(2, 11, "dismiss", t), Interaction(2, 11, "save", t.replace(hour=3)),  # save overrides
        Interaction(2, 12, "click", t), Interaction(2, 12, "dismiss", t.replace(hour=1)),
        Interaction(2, 12, "view", t.replace(hour=2)),  # a later view does not undo the dismissal
    ]
    users, items = IdMap([1, 2]), IdMap([10, 11, 12])
    m = build_interaction_matrices(ev, users, items, InteractionWeights())
    w = m.weights.toarray()
    assert w[0, 0] == 5.0  # strongest event, not the sum
    assert w[0, 1] == 0.0 and m.dismissed[0, 1] == 1
    assert w[1, 1] == 3.0 and m.dismissed[1, 1] == 0
    assert w[1, 2] == 0.0 and m.dismissed[1, 2] == 1
    assert set(zip(*m.interactions.nonzero(), strict=True)) == {(0, 0), (1, 1)}


def test_params_from_mapping_rejects_typos() -> None:
    with pytest.raises(ValueError):
        ModelParams.from_mapping({"epoch": 3})
    assert ModelParams.from_mapping({"epochs": 3}).epochs == 3


def test_warm_start_begins_exactly_at_the_content_only_model(tiny_data: TrainingData) -> None:
    content_fs = FeatureSpace.fit(tiny_data.workers, tiny_data.courses, TODAY, identity=False)
    m = build_interaction_matrices(tiny_data.interactions, content_fs.user_ids, content_fs.item_ids)
    workers = list(tiny_data.workers.items())
    courses = list(tiny_data.courses.values())
    content = DeterministicHybridModel(PARAMS).fit(m.interactions, content_fs.user_matrix(workers, TODAY),
                                                   content_fs.item_matrix(courses), m.weights)
    fs = FeatureSpace.fit(tiny_data.workers, tiny_data.courses, TODAY)

    def rows(target: dict[str, int], source: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        return np.array([target[n] for n in source]), np.array(list(source.values()))

    warm = WarmStart(content.lightfm, rows(fs.user_columns, content_fs.user_columns),
                     rows(fs.item_columns, content_fs.item_columns))
    uf, itf = fs.user_matrix(workers, TODAY), fs.item_matrix(courses)
    start = DeterministicHybridModel(PARAMS).fit(m.interactions, uf, itf, m.weights, epochs=0, warm_start=warm)
    assert start.user_embeddings is not None and start.item_embeddings is not None
    # Identity embeddings start at zero, so every score equals the content-only model's.
    assert not start.user_embeddings[[fs.user_columns["user_id:1"]]].any()
    ours = start.user_matrix(uf).vectors @ start.item_matrix(itf).vectors.T
    theirs = (content.user_matrix(content_fs.user_matrix(workers, TODAY)).vectors
              @ content.item_matrix(content_fs.item_matrix(courses)).vectors.T)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    # Training on moves the identity embeddings, deterministically.
    a = DeterministicHybridModel(PARAMS).fit(m.interactions, uf, itf, m.weights, epochs=3, warm_start=warm)
    b = DeterministicHybridModel(PARAMS).fit(m.interactions, uf, itf, m.weights, epochs=3, warm_start=warm)
    assert a.user_embeddings is not None and a.user_embeddings[fs.user_columns["user_id:1"]].any()
    for name in HybridModel.ARRAY_NAMES:
        assert np.array_equal(a.to_arrays()[name], b.to_arrays()[name])
    # Frozen (the default): stage 2 learns identity offsets only, so a worker or a course without
    # history is scored exactly as by the content-only model, however long stage 2 trains.
    frozen = WarmStart(warm.source, warm.user_rows, warm.item_rows, freeze=True)
    f = DeterministicHybridModel(PARAMS).fit(m.interactions, uf, itf, m.weights, epochs=3, warm_start=frozen)
    unseen = fs.user_matrix([(None, p) for _, p in workers], TODAY)
    ours = f.user_matrix(unseen).vectors @ f.item_matrix(_without_identity(fs, courses)).vectors.T
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert f.user_embeddings is not None and f.user_embeddings[fs.user_columns["user_id:1"]].any()
    # Unfrozen, the attribute embeddings drift: unseen workers are no longer content-only.
    drift = a.user_matrix(unseen).vectors @ a.item_matrix(_without_identity(fs, courses)).vectors.T
    assert not np.allclose(drift, theirs, rtol=1e-5, atol=1e-6)


def _without_identity(fs: FeatureSpace, courses: list[CourseItem]) -> sp.csr_matrix:
    """Item rows in the hybrid's vocabulary without identity features (as for new courses)."""
    no_ids = FeatureSpace(fs.user_columns, fs.item_columns, fs.user_ids, IdMap([]), fs.identity, fs.age_bands,
                          fs.identity_weight)
    return no_ids.item_matrix(courses)


def test_a_dropped_enrolment_is_kept_as_a_weak_positive() -> None:
    from recommender.model import InteractionWeights

    t = datetime(2026, 5, 1, 9)
    ev = [Interaction(1, 10, "enrol", t), Interaction(1, 10, "drop", t + timedelta(days=3)),
          Interaction(2, 10, "enrol", t), Interaction(2, 11, "drop", t),
          Interaction(3, 11, "drop", t), Interaction(3, 11, "enrol", t + timedelta(days=30))]
    users, items = IdMap([1, 2, 3]), IdMap([10, 11])
    m = build_interaction_matrices(ev, users, items, InteractionWeights())
    w = m.weights.toarray()
    # Kept (not discarded), weighing like a view, below an enrolment; enrolling again restores it.
    assert w[0, 0] == 1.0 and w[1, 0] == 5.0 and w[1, 1] == 1.0 and w[2, 1] == 5.0
    assert InteractionWeights.from_mapping({"drop": 0.0}).of("drop") == 0.0


def test_event_weights_from_configuration() -> None:
    from recommender.model import InteractionWeights

    w = InteractionWeights.from_mapping({"view": 0.5, "enrol": 8})
    assert (w.of("view"), w.of("click"), w.of("enrol")) == (0.5, 2.0, 8.0)
    with pytest.raises(ValueError, match="unknown event kinds"):
        InteractionWeights.from_mapping({"dismiss": -1})
    with pytest.raises(ValueError, match="negative"):
        InteractionWeights.from_mapping({"save": -2})
