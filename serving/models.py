"""The model being served: the newest artifact that loaded cleanly, or none (rule-based).

Wraps :class:`recommender.artifacts.ModelStore` with what serving needs on top: a throttle on the
CURRENT check, item representations of the live catalog computed once per (model, catalog)
version (new courses get theirs from their features, no retraining), and a status for
``/health/ready``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from recommender.artifacts import LoadedArtifact, ModelStore
from recommender.model import ItemMatrix
from serving.snapshot import CatalogSnapshot


class ModelServing:
    def __init__(self, artifacts_dir: str | Path, reload_seconds: float = 30.0) -> None:
        self.store = ModelStore(artifacts_dir)
        self.reload_seconds = reload_seconds
        self._checked = -float("inf")  # the first call loads
        self._lock = threading.Lock()
        self._items: tuple[str, str, ItemMatrix] | None = None

    def current(self) -> LoadedArtifact | None:
        """The artifact to serve this request with (checks for a newer one now and then)."""
        now = time.monotonic()
        if now - self._checked >= self.reload_seconds:
            self._checked = now
            self.store.maybe_reload()
        found = self.store.current
        return None if found is None else found[1]

    def reload_now(self) -> bool:
        self._checked = time.monotonic()
        return self.store.maybe_reload()

    def item_matrix(self, artifact: LoadedArtifact, snapshot: CatalogSnapshot) -> ItemMatrix:
        cached = self._items
        if cached is not None and cached[:2] == (artifact.version, snapshot.version):
            return cached[2]
        with self._lock:
            cached = self._items
            if cached is None or cached[:2] != (artifact.version, snapshot.version):
                features = artifact.feature_space.item_matrix(snapshot.items)
                cached = (artifact.version, snapshot.version, artifact.model.item_matrix(features))
                self._items = cached
            return cached[2]

    def status(self) -> dict[str, Any]:
        self.current()  # a readiness probe is also what loads the model after start
        found = self.store.current
        if found is None:
            return {"serving": "rule_based", "version": None, "trained_at": None,
                    "last_error": self.store.last_error}
        version, artifact = found
        return {"serving": "model", "version": version,
                "trained_at": str(artifact.meta.get("created_at", "")),
                "last_error": self.store.last_error}
