from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from policy.profile import WorkerProfile
from recommender.features import FeatureSpace, IdMap, age_band, occupation_prefix, user_attribute_features
from recommender.items import TrainingData

TODAY = date(2027, 3, 1)



def test_age_band_boundaries() -> None:
    assert age_band(date(2002, 3, 2), TODAY) == "16-24"  # turns 25 tomorrow
    assert age_band(date(2002, 3, 1), TODAY) == "25-34"
    assert age_band(None, TODAY) == "unknown"
    assert age_band(date(2015, 1, 1), TODAY) == "<16"


def test_occupation_prefix() -> None:
    assert occupation_prefix("4-10-01-06") == "4-10"
    assert occupation_prefix("SO-1.2") == "SO-1"


def test_gender_is_not_a_feature() -> None:
    a = user_attribute_features(WorkerProfile(gender="female"), TODAY)
    b = user_attribute_features(WorkerProfile(gender="male"), TODAY)
    assert a == b and not any("gender" in f or "male" in f for f in a)


def test_idmap_roundtrip() -> None:
    m = IdMap.from_ids([5, 3, 5, 9])
    assert m.external_ids == [5, 3, 9] and m.row(3) == 1 and m.row(4) is None
    assert list(m.rows([9, 4])) == [2, -1]
    assert IdMap.from_json(m.to_json()).external_ids == m.external_ids


def test_known_ids_get_identity_and_unseen_get_attributes_only(tiny_data: TrainingData, course_factory: Any) -> None:
    fs = FeatureSpace.fit(tiny_data.workers, tiny_data.courses, TODAY)
    known = fs.user_row(tiny_data.workers[1], TODAY, worker_id=1)
    unseen = fs.user_row(tiny_data.workers[1], TODAY, worker_id=999)
    inline = fs.user_row(tiny_data.workers[1], TODAY)
    id_col = fs.user_columns["user_id:1"]
    assert known[0, id_col] > 0
    assert unseen.nnz == known.nnz - 1 and unseen[0, id_col] == 0
    assert (unseen != inline).nnz == 0
    new_course = course_factory(77, "5-01-02-01", "agriculture", institution="NEW-INST")
    row = fs.item_matrix([new_course])
    names = [n for n, c in fs.item_columns.items() if row[0, c] > 0]
    assert names and not any(n.startswith("item_id:") for n in names)
    assert "inst:NEW-INST" not in fs.item_columns  # unknown attribute value is dropped


def test_attributes_are_l1_normalized_and_identity_is_an_offset(tiny_data: TrainingData) -> None:
    fs = FeatureSpace.fit(tiny_data.workers, tiny_data.courses, TODAY, identity_weight=0.7)
    content = FeatureSpace.fit(tiny_data.workers, tiny_data.courses, TODAY, identity=False)
    um = fs.user_matrix(list(tiny_data.workers.items()), TODAY)
    im = fs.item_matrix(list(tiny_data.courses.values()))
    assert np.allclose(np.asarray(um.sum(axis=1)).ravel(), 1.7)
    assert np.allclose(np.asarray(im.sum(axis=1)).ravel(), 1.7)
    assert um.dtype == np.float32
    # The attribute part of a trained worker's row equals the content-only row exactly.
    known = fs.user_row(tiny_data.workers[1], TODAY, worker_id=1)
    plain = content.user_row(tiny_data.workers[1], TODAY, worker_id=1)
    assert known[0, fs.user_columns["user_id:1"]] == pytest.approx(0.7)
    for name, col in content.user_columns.items():
        assert known[0, fs.user_columns[name]] == pytest.approx(plain[0, col])
    cm = content.user_matrix(list(tiny_data.workers.items()), TODAY)
    assert np.allclose(np.asarray(cm.sum(axis=1)).ravel(), 1.0)


def test_feature_space_json_roundtrip(tiny_data: TrainingData) -> None:
    fs = FeatureSpace.fit(tiny_data.workers, tiny_data.courses, TODAY, identity=False)
    back = FeatureSpace.from_json(fs.to_json())
    assert back.user_columns == fs.user_columns and back.item_columns == fs.item_columns
    assert back.identity is False
    assert (back.user_row(tiny_data.workers[2], TODAY, 2) != fs.user_row(tiny_data.workers[2], TODAY, 2)).nnz == 0
