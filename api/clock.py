"""'Today' for the service: the real date, or the one pinned by RECO_TODAY for demos and tests."""

from __future__ import annotations

from datetime import date

from flask import current_app


def today() -> date:
    pinned = current_app.config.get("TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()
