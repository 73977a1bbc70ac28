"""A :class:`~recommender.model.HybridModel` that always fits on one thread, so results repeat bit
for bit (as RecTools' ``DeterministicLightFM``). Test code only: production never needs it."""

from __future__ import annotations

from dataclasses import replace

from recommender.model import HybridModel, ModelParams


class DeterministicHybridModel(HybridModel):
    """Fits on one thread whatever ``params.num_threads`` says."""

    def __init__(self, params: ModelParams | None = None) -> None:
        super().__init__(replace(params or ModelParams(), num_threads=1))

    def _threads(self) -> int:
        return 1
