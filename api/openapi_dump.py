"""Print the OpenAPI document the app serves: ``python -m api.openapi_dump > openapi.json``.

The committed ``openapi.json`` is the contract clients code against; ``tests/api/test_openapi_drift.py``
fails when the served document differs from it, so a change to the API is a change to this file.
"""

from __future__ import annotations

import json
import sys
import tempfile
from typing import Any

from api.app import create_app


def served_spec() -> dict[str, Any]:
    """The document at ``/openapi.json`` of an app on a throwaway database."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "openapi-dump", "DATABASE_URL": f"sqlite:///{tmp}/dump.sqlite3",
                          "INSTANCE_DIR": tmp, "ARTIFACTS_DIR": f"{tmp}/artifacts"})
        try:
            spec: dict[str, Any] = app.rest_api.spec.to_dict()
        finally:
            app.services.close()
    return spec


def render(spec: dict[str, Any]) -> str:
    """Stable text: sorted keys and a final newline, so diffs show only real changes."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render(served_spec()))


if __name__ == "__main__":
    main()
