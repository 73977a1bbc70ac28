from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pytest

import recommender.artifacts as artifacts
from recommender.artifacts import ArtifactError, ModelStore, load_artifact, prune, read_current, save_artifact
from recommender.features import FeatureSpace
from recommender.items import TrainingData
from recommender.model import ModelParams, build_interaction_matrices
from tests.deterministic_model import DeterministicHybridModel

TODAY = date(2027, 3, 1)


def _fitted(data: TrainingData, seed: int = 1) -> tuple[DeterministicHybridModel, FeatureSpace]:
    fs = FeatureSpace.fit(data.workers, data.courses, TODAY)
    m = build_interaction_matrices(data.interactions, fs.user_ids, fs.item_ids)
    model = DeterministicHybridModel(ModelParams(no_components=4, epochs=2, random_state=seed))
    model.fit(m.interactions, fs.user_matrix(list(data.workers.items()), TODAY),
              fs.item_matrix(list(data.courses.values())), m.weights)
    return model, fs


def _save(root: Path, data: TrainingData, seed: int = 1, promote: bool = True, version: str | None = None) -> str:
    model, fs = _fitted(data, seed)
    return save_artifact(root, model, fs, {"users": fs.user_ids, "items": fs.item_ids}, {"source": "test"},
                         {"precision@10": 0.5}, promote=promote, version=version)


def test_round_trip(tmp_path: Path, tiny_data: TrainingData) -> None:
    model, fs = _fitted(tiny_data)
    v = save_artifact(tmp_path, model, fs, {"users": fs.user_ids, "items": fs.item_ids}, {"source": "t"}, {"m": 1})
    assert read_current(tmp_path) == v
    assert sorted(p.name for p in (tmp_path / v).iterdir()) == sorted([*artifacts.FILES, artifacts.MANIFEST])
    art = load_artifact(tmp_path)
    assert art.version == v and art.metrics == {"m": 1} and art.meta["source"] == "t"
    for name, arr in model.to_arrays().items():
        assert np.array_equal(art.model.to_arrays()[name], arr)
    assert art.feature_space.user_columns == fs.user_columns
    assert art.idmaps["items"].external_ids == fs.item_ids.external_ids
    assert art.model.params == model.params
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp leftovers


@pytest.mark.parametrize("victim", ["model.npz", "features.json", "meta.json", "idmap.json", "metrics.json"])
def test_truncated_file_raises(tmp_path: Path, tiny_data: TrainingData, victim: str) -> None:
    v = _save(tmp_path, tiny_data)
    path = tmp_path / v / victim
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path)


def test_tampered_file_raises(tmp_path: Path, tiny_data: TrainingData) -> None:
    v = _save(tmp_path, tiny_data)
    path = tmp_path / v / "metrics.json"
    path.write_text(json.dumps({"precision@10": 0.99}))
    with pytest.raises(ArtifactError, match="checksum"):
        load_artifact(tmp_path)


def test_artifact_of_another_format_is_refused(tmp_path: Path, tiny_data: TrainingData,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Written by a release whose feature scheme differs (consistent checksums, so only the format
    # version tells): refused rather than scored wrongly.
    monkeypatch.setattr(artifacts, "FORMAT_VERSION", 1)
    _save(tmp_path, tiny_data)
    monkeypatch.undo()
    with pytest.raises(ArtifactError, match="artifact format 1, this release reads 2; retrain"):
        load_artifact(tmp_path)


def test_missing_file_and_missing_current_raise(tmp_path: Path, tiny_data: TrainingData) -> None:
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path)
    v = _save(tmp_path, tiny_data)
    (tmp_path / v / "idmap.json").unlink()
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path)


def test_pickled_npz_is_refused(tmp_path: Path, tiny_data: TrainingData) -> None:
    # An object array needs pickle: even with a matching manifest it must not load.
    v = _save(tmp_path, tiny_data)
    folder = tmp_path / v
    np.savez(folder / "model.npz", user_embeddings=np.array([{"x": 1}], dtype=object), user_biases=np.zeros(1),
             item_embeddings=np.zeros((1, 1)), item_biases=np.zeros(1))
    manifest = json.loads((folder / artifacts.MANIFEST).read_text())
    import hashlib

    data = (folder / "model.npz").read_bytes()
    manifest["model.npz"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (folder / artifacts.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path)


def test_current_flips_last(tmp_path: Path, tiny_data: TrainingData, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _save(tmp_path, tiny_data)
    calls: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: object, dst: object) -> None:
        calls.append((str(src), str(dst)))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(artifacts.os, "replace", spy)
    new = _save(tmp_path, tiny_data, seed=2)
    assert [Path(d).name for _, d in calls] == [new, "CURRENT"]
    assert read_current(tmp_path) == new != old


def test_failed_write_leaves_current_untouched(tmp_path: Path, tiny_data: TrainingData,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    old = _save(tmp_path, tiny_data)

    def boom(path: Path, data: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(artifacts, "_write_bytes", boom)
    with pytest.raises(OSError):
        _save(tmp_path, tiny_data, seed=2)
    assert read_current(tmp_path) == old
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [old]


def test_unpromoted_version_does_not_flip(tmp_path: Path, tiny_data: TrainingData) -> None:
    old = _save(tmp_path, tiny_data)
    new = _save(tmp_path, tiny_data, seed=2, promote=False)
    assert read_current(tmp_path) == old and (tmp_path / new).is_dir()


def test_model_store_swaps_only_on_clean_load(tmp_path: Path, tiny_data: TrainingData) -> None:
    store = ModelStore(tmp_path)
    assert store.current is None and store.maybe_reload() is False
    v1 = _save(tmp_path, tiny_data, version="20270101T000000Z-aaaaaa")
    assert store.maybe_reload() is True
    assert store.current is not None and store.current[0] == v1
    assert store.maybe_reload() is False  # nothing changed: cheap stat only
    # A corrupt new version: the old one keeps serving and the error is recorded.
    v2 = _save(tmp_path, tiny_data, seed=2, promote=False, version="20270102T000000Z-bbbbbb")
    npz = tmp_path / v2 / "model.npz"
    npz.write_bytes(npz.read_bytes()[:100])
    artifacts.write_current(tmp_path, v2)
    assert store.maybe_reload() is False
    assert store.current is not None and store.current[0] == v1
    assert store.last_error and "model.npz" in store.last_error and store.last_failed_version == v2
    # A good version after that is picked up.
    v3 = _save(tmp_path, tiny_data, seed=3, version="20270103T000000Z-cccccc")
    assert store.maybe_reload() is True
    assert store.current is not None and store.current[0] == v3 and store.last_error is None


def test_prune_keeps_newest_and_current(tmp_path: Path, tiny_data: TrainingData) -> None:
    vs = [_save(tmp_path, tiny_data, promote=False, version=f"2027010{i}T000000Z-00000{i}") for i in range(1, 5)]
    artifacts.write_current(tmp_path, vs[0])
    (tmp_path / ".tmp-crashed").mkdir()
    removed = prune(tmp_path, keep=2)
    assert removed == [vs[1]]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [vs[0], vs[2], vs[3]]


def test_model_store_starting_on_a_broken_current_serves_the_newest_good_promoted_version(
        tmp_path: Path, tiny_data: TrainingData) -> None:
    # A process (re)starts while CURRENT points at a broken version: rather than no model at all,
    # it serves the newest version that was promoted and loads; never an unpromoted one.
    good_old = _save(tmp_path, tiny_data, seed=1, version="20270101T000000Z-aaaaaa")
    good_new = _save(tmp_path, tiny_data, seed=2, version="20270102T000000Z-bbbbbb")
    _save(tmp_path, tiny_data, seed=3, promote=False, version="20270103T000000Z-cccccc")
    broken = _save(tmp_path, tiny_data, seed=4, version="20270104T000000Z-dddddd")
    (tmp_path / broken / "idmap.json").unlink()
    assert artifacts.read_current(tmp_path) == broken
    store = ModelStore(tmp_path)
    assert store.maybe_reload() is True
    assert store.current is not None and store.current[0] == good_new != good_old
    assert store.last_failed_version == broken and store.last_error
    # With no good version at all there is nothing to serve (the rule-based ranking takes over).
    empty = tmp_path / "only-broken"
    only = _save(empty, tiny_data, seed=5, version="20270105T000000Z-eeeeee")
    (empty / only / "model.npz").write_bytes(b"not a zip")
    lonely = ModelStore(empty)
    assert lonely.maybe_reload() is False and lonely.current is None and lonely.last_error


def _is_mapped(a: np.ndarray) -> bool:
    while a is not None:
        if isinstance(a, np.memmap):
            return True
        a = a.base  # type: ignore[assignment]
    return False


def test_loaded_arrays_are_memory_mapped_read_only_and_equal(tmp_path: Path, tiny_data: TrainingData) -> None:
    # Issue 16: every gunicorn worker serves from the same page-cache pages instead of a copy each.
    model, fs = _fitted(tiny_data)
    save_artifact(tmp_path, model, fs, {"users": fs.user_ids, "items": fs.item_ids}, {}, {})
    art = load_artifact(tmp_path)
    for name, arr in art.model.to_arrays().items():
        assert _is_mapped(arr), name
        assert not arr.flags.writeable and arr.flags.aligned and arr.flags.c_contiguous
        assert np.array_equal(arr, model.to_arrays()[name])
    # The row maps are the feature space's own objects, not a second parsed copy.
    assert art.idmaps["users"] is art.feature_space.user_ids and art.idmaps["items"] is art.feature_space.item_ids
    # Still an ordinary npz for np.load (older releases, tools).
    with np.load(tmp_path / art.version / "model.npz", allow_pickle=False) as npz:
        assert np.array_equal(npz["user_embeddings"], model.to_arrays()["user_embeddings"])


def test_unaligned_npz_of_older_releases_still_loads_into_memory(tmp_path: Path, tiny_data: TrainingData,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    def plain_savez(arrays: dict[str, np.ndarray]) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    monkeypatch.setattr(artifacts, "aligned_npz_bytes", plain_savez)
    model, _ = _fitted(tiny_data)
    _save(tmp_path, tiny_data)
    monkeypatch.undo()
    art = load_artifact(tmp_path)
    for name, arr in art.model.to_arrays().items():
        assert not _is_mapped(arr) and np.array_equal(arr, model.to_arrays()[name])


def test_non_finite_values_in_a_mapped_artifact_are_refused(tmp_path: Path, tiny_data: TrainingData) -> None:
    model, fs = _fitted(tiny_data)
    assert model.item_biases is not None
    model.item_biases[0] = np.nan
    save_artifact(tmp_path, model, fs, {"users": fs.user_ids, "items": fs.item_ids}, {}, {})
    with pytest.raises(ArtifactError, match="non-finite"):
        load_artifact(tmp_path)
