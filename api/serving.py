"""What the recommendation endpoints serve from: the loaded model, if any (filled in by the
recommender integration)."""

from __future__ import annotations

from typing import Any


class Serving:
    """Holds the serving model state; without a model the service ranks by rules."""

    def __init__(self) -> None:
        self.last_error: str | None = None

    def status(self) -> dict[str, Any]:
        return {"serving": "rule_based", "version": None, "trained_at": None, "last_error": self.last_error}
