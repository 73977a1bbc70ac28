"""The committed ``openapi.json`` is the API's contract: it must equal what the app serves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask

from api.openapi_dump import render

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"
REGENERATE = "run `python -m api.openapi_dump > openapi.json` and commit the result"


def differences(old: Any, new: Any, where: str = "") -> list[str]:
    """Dotted paths where two JSON documents differ (the first few tell you what changed)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(old.keys() | new.keys()):
            here = f"{where}/{key}"
            if key not in new:
                out.append(f"removed {here}")
            elif key not in old:
                out.append(f"added {here}")
            else:
                out.extend(differences(old[key], new[key], here))
        return out
    return [] if old == new else [f"changed {where or '/'}"]


def test_committed_openapi_matches_the_served_one(app: Flask) -> None:
    assert COMMITTED.exists(), f"openapi.json is missing: {REGENERATE}"
    served = app.test_client().get("/openapi.json").get_json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    changes = differences(committed, served)
    assert not changes, (f"The served OpenAPI document differs from openapi.json; {REGENERATE}.\n  "
                         + "\n  ".join(changes[:20]) + ("\n  …" if len(changes) > 20 else ""))


def test_committed_openapi_is_in_canonical_form() -> None:
    # Sorted keys and fixed indentation keep the diff of an API change to the lines that changed.
    text = COMMITTED.read_text(encoding="utf-8")
    assert text == render(json.loads(text)), f"openapi.json is not in canonical form; {REGENERATE}"
