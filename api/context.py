"""The web app's handle on the composition root: one typed attribute, no string-keyed lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask import Flask, current_app

from api.json_limits import BoundedJSONProvider
from serving.root import Services

if TYPE_CHECKING:
    from api.errors import ProblemApi


class RecoApp(Flask):
    """Flask with the services built once by :func:`serving.root.build_services`."""

    # JSON bodies parsed with bounds on depth and number length (a 400, never a RecursionError).
    json_provider_class = BoundedJSONProvider
    services: Services
    rest_api: ProblemApi


def services() -> Services:
    """The current app's services (inside a request or a ``flask`` command)."""
    return cast(RecoApp, current_app).services
