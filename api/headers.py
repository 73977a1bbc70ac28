"""Response headers every answer carries.

- ``X-Content-Type-Options: nosniff``: a browser never second-guesses our media types (a JSON
  error echoing input is never run as HTML or script).
- ``Referrer-Policy: no-referrer``: console and docs URLs (worker ids) never leave in a Referer.
- ``Cache-Control: no-store`` on every response that does not set its own policy. Profiles,
  search results, recommendations and console pages carry names, phones and priority groups; the
  catalog and reference lists need a key too and are cheap to answer again, so one rule ("nothing
  is stored by a browser or a proxy") is easier to audit than a list of exceptions. The only
  cacheable responses set their own header: the pinned Swagger UI assets (``api/docs.py``) and
  the console's static files (Flask's ``no-cache``: revalidated, no personal data).
"""

from __future__ import annotations

from flask import Flask, Response

ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def init_app(app: Flask) -> None:
    @app.after_request
    def _protective_headers(response: Response) -> Response:
        for name, value in ALWAYS.items():
            response.headers.setdefault(name, value)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
