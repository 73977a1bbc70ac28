"""A corrupt, truncated or incomplete model artifact never takes serving down: the service keeps
the previous version (or the rule-based ranking when there was none) and /health/ready says why.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient

from recommender.artifacts import MANIFEST, save_artifact, write_current
from recommender.features import FeatureSpace
from recommender.model import ModelParams
from tests.conftest import TEST_SECRET, make_test_app
from tests.deterministic_model import DeterministicHybridModel
from tests.faults.conftest import Gunicorn, Load, Prepared, prepare_database, session_get
from training_jobs.train import FittedModel, fit_model, synthetic_data

TRAIN_DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def fitted() -> FittedModel:
    data = synthetic_data(n_workers=120, n_courses=40, seed=7, today=TRAIN_DAY)
    return fit_model(data, data.interactions, ModelParams(no_components=4, epochs=2, random_state=3), TRAIN_DAY,
                     model_cls=DeterministicHybridModel)


def publish(root: Path, fitted: FittedModel, version: str, promote: bool = True) -> str:
    fs: FeatureSpace = fitted.feature_space
    return save_artifact(root, fitted.model, fs, {"users": fs.user_ids, "items": fs.item_ids},
                         {"source": "faults"}, {"precision@10": 0.1}, promote=promote, version=version)


def corrupt(folder: Path) -> None:
    """Flip bytes in the middle of model.npz (the manifest's checksum no longer matches)."""
    path = folder / "model.npz"
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(folder: Path) -> None:
    path = folder / "model.npz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def delete_idmap(folder: Path) -> None:
    (folder / "idmap.json").unlink()


def garbage_npz_with_matching_manifest(folder: Path) -> None:
    """A tampered npz whose manifest was "fixed" too: the parse itself must refuse it."""
    buf = io.BytesIO()
    np.savez(buf, user_embeddings=np.ones((2, 2)))  # wrong arrays, no pickle
    data = buf.getvalue()
    (folder / "model.npz").write_bytes(data)
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["model.npz"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (folder / MANIFEST).write_text(json.dumps(manifest))


FAULTS = {
    "corrupt": (corrupt, "model.npz: checksum mismatch"),
    "truncated": (truncate, "model.npz: checksum mismatch"),
    "missing_idmap": (delete_idmap, "idmap.json: cannot read"),
    "garbage_npz": (garbage_npz_with_matching_manifest, "cannot parse"),
}


def recommendations(client: FlaskClient, p: Prepared) -> dict[str, Any]:
    resp = client.get(f"/v1/workers/{p.worker_ids[0]}/recommendations?k=5", headers=p.auth(p.counselor))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["items"], "the sample worker has eligible courses"
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_bad_artifact_keeps_previous_model(fault: str, fitted: FittedModel, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    p = prepare_database(url, TEST_SECRET)
    root = tmp_path / "artifacts"
    good = publish(root, fitted, "20261101T000000Z-good01")
    app = make_test_app(url, tmp_path, MODEL_RELOAD_SECONDS=0)
    client = app.test_client()
    assert recommendations(client, p)["served_by"] == {"serving": "model", "version": good}

    damage, message = FAULTS[fault]
    bad = publish(root, fitted, "20261102T000000Z-bad001", promote=False)
    damage(root / bad)
    write_current(root, bad)

    body = recommendations(client, p)
    assert body["served_by"] == {"serving": "model", "version": good}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    model = ready.get_json()["model"]
    assert model["serving"] == "model" and model["version"] == good
    assert message in model["last_error"]
    # A good version published afterwards is picked up and clears the error.
    newer = publish(root, fitted, "20261103T000000Z-good02")
    assert recommendations(client, p)["served_by"]["version"] == newer
    assert client.get("/health/ready").get_json()["model"]["last_error"] is None
    app.services.engine.dispose()


@pytest.mark.parametrize("fault", ["corrupt", "truncated", "missing_idmap"])
def test_bad_first_artifact_falls_back_to_rules(fault: str, fitted: FittedModel, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    p = prepare_database(url, TEST_SECRET)
    root = tmp_path / "artifacts"
    damage, message = FAULTS[fault]
    bad = publish(root, fitted, "20261102T000000Z-bad001")
    damage(root / bad)
    app = make_test_app(url, tmp_path, MODEL_RELOAD_SECONDS=0)  # starts with CURRENT -> bad
    client = app.test_client()

    body = recommendations(client, p)
    assert body["served_by"] == {"serving": "rule_based", "version": None}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "ok"
    model = ready.get_json()["model"]
    assert model["serving"] == "rule_based" and model["version"] is None
    assert message in model["last_error"]
    app.services.engine.dispose()


@pytest.mark.slow
def test_no_5xx_while_current_flips(fitted: FittedModel, tmp_path: Path) -> None:
    """Real gunicorn (2 workers) with RECO_MODEL_RELOAD_SECONDS=0 while CURRENT flips between two
    good versions and a corrupt one: every response is 200 and served by a good version."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    from tests.faults.conftest import SERVER_SECRET

    p = prepare_database(url, SERVER_SECRET)
    root = tmp_path / "artifacts"
    good = [publish(root, fitted, "20261101T000000Z-good01"), publish(root, fitted, "20261101T000001Z-good02")]
    bad = publish(root, fitted, "20261102T000000Z-bad001", promote=False)
    corrupt(root / bad)
    write_current(root, good[0])

    with Gunicorn(url, tmp_path, RECO_MODEL_RELOAD_SECONDS="0") as server:
        load = Load(lambda t, i: session_get(
            f"{server.base}/v1/workers/{p.worker_ids[(t + i) % len(p.worker_ids)]}/recommendations?k=5",
            p.auth(p.counselor)), threads=6, max_seconds=40).start()
        rng = random.Random(5)
        flips = Counter[str]()
        deadline = time.monotonic() + 15
        for _ in range(120):  # bounded: 120 flips or 15 s
            if time.monotonic() > deadline:
                break
            target = rng.choice([*good, bad])
            write_current(root, target)
            flips["bad" if target == bad else "good"] += 1
            time.sleep(0.03)
        write_current(root, good[1])
        ready_seen = threading.Event()
        for _ in range(100):
            r = session_get(f"{server.base}/health/ready", {})
            assert r.status_code == 200
            if r.json()["model"]["version"] == good[1]:
                ready_seen.set()
                break
            time.sleep(0.05)
        load.stop()

    outcomes = load.outcomes
    failures = load.failures()
    versions = Counter(json.loads(o.body)["served_by"]["version"] if o.status == 200 else None for o in outcomes)
    print(f"\nswap under load: {len(outcomes)} requests, {sum(flips.values())} flips "
          f"({flips['bad']} to the corrupt version), failures {len(failures)}, served by {dict(versions)}")
    assert len(outcomes) >= 100 and flips["bad"] >= 10
    assert not failures, failures[:5]
    assert set(versions) <= set(good), versions
    assert ready_seen.is_set()
