"""``/docs``: Swagger UI served by us, from a pinned package, under a restrictive CSP.

The page used to load Swagger UI, unversioned, from a public CDN: blank without internet, and a
third party's script on the page where an operator pastes an admin key. The assets now come from
the ``flask-swagger-ui`` package (pinned in setup.cfg; its ``dist/`` is Swagger UI's own build),
and the page has no inline script, so its Content-Security-Policy allows scripts from this origin
only. Styles allow ``'unsafe-inline'``: Swagger UI sets style attributes as it renders, and a style
cannot run code.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Flask, Response, abort, render_template, send_from_directory

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
ASSETS = frozenset({"swagger-ui.css", "index.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "favicon-32x32.png", "favicon-16x16.png"})
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# The assets change only with the pinned package's version, which names their URL.
ASSET_MAX_AGE = 7 * 24 * 3600

bp = Blueprint("docs", __name__, template_folder="docs_assets", static_folder="docs_assets",
               static_url_path="/docs/static")


def swagger_ui_version() -> str:
    return (SWAGGER_DIST / "VERSION").read_text(encoding="utf-8").strip()


@bp.route("/docs")
@bp.route("/docs/")
def docs_page() -> Response:
    response = Response(render_template("docs.html", version=swagger_ui_version()))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@bp.route("/docs/swagger-ui/<version>/<name>")
def swagger_asset(version: str, name: str) -> Response:
    if name not in ASSETS or version != swagger_ui_version():
        abort(404)
    response = send_from_directory(SWAGGER_DIST, name, max_age=ASSET_MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
