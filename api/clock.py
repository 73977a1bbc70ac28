"""'Today' for the web layer: the composition root's clock (RECO_TODAY pins it for demos and tests)."""

from __future__ import annotations

from datetime import date

from api.context import services


def today() -> date:
    return services().today()
