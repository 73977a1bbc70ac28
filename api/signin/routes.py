"""A worker signs in to the app: activation code → access and refresh tokens; refresh; sign out.

The app calls these with its own API key (it authenticates the client); the code or refresh
token in the body authenticates the person. Token responses are never cached or logged."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import current_principal, now, requires
from api.db import db
from api.errors import fail
from api.fields import StrictSchema
from workers.service import audit
from workers.sign_in import SCOPES, IssuedTokens, SignInError, activate, refresh, revoke_session

blp = Blueprint("auth", __name__, url_prefix="/v1/auth",
                description="A worker signs in to the app with a one-time activation code from their counselor")


@blp.after_request
def _no_store(resp: Response) -> Response:
    # RFC 6749 §5.1: token responses must not be cached by anything on the way.
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Pragma"] = "no-cache"
    return resp


class ActivateIn(StrictSchema):
    activation_code = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z -]{12,20}$"),
                                    metadata={"description": "The one-time code the counselor handed over",
                                              "example": "7KQ2-M9XD-4TRB"})
    device_name = fields.String(load_default="", validate=validate.Length(0, 64),
                                metadata={"description": "Shown in the worker's list of signed-in devices"})
    scope = fields.String(validate=validate.Regexp(r"^[a-z:]+( [a-z:]+)*$"), metadata={
        "description": "Space-separated scopes to grant (default: all): " + ", ".join(SCOPES)})


class RefreshIn(StrictSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(10, 200))


class TokenOut(ma.Schema):
    access_token = fields.String(required=True, metadata={"description": "JWT; send as `Authorization: Bearer …`"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds the access token is valid"})
    refresh_token = fields.String(required=True, metadata={
        "description": "Opaque; works once (each refresh returns a new one). Keep it in the device's secure storage."})
    scope = fields.String(required=True)
    session_id = fields.String(required=True, metadata={"description": "This device's sign-in (to revoke it)"})
    worker_id = fields.String(required=True, metadata={"description": "The worker's pseudonymous id"})


def token_view(t: IssuedTokens) -> dict[str, Any]:
    return {"access_token": t.access_token, "token_type": "Bearer", "expires_in": t.expires_in,
            "refresh_token": t.refresh_token, "scope": t.scope, "session_id": t.session_id,
            "worker_id": t.worker_public_id}


@blp.route("/activate", methods=["POST"])
@requires(blp, "app")
@blp.arguments(ActivateIn)
@blp.response(201, TokenOut)
def post_activate(data: dict[str, Any]) -> dict[str, Any]:
    """Exchange a one-time activation code for this device's tokens (the app's key)."""
    scopes = frozenset(data["scope"].split()) if "scope" in data else None
    if scopes is not None and not scopes <= SCOPES.keys():
        fail(422, "Unknown scope.", errors={"json": {"scope": [f"each scope is one of {', '.join(SCOPES)}"]}})
    try:
        tokens = activate(db(), current_app.config["SECRET_KEY"], data["activation_code"],
                          device_name=data["device_name"], now=now(), scopes=scopes)
    except SignInError as exc:
        db().commit()  # an expired or reused code stays used
        fail(422, str(exc), errors={"json": {"activation_code": [str(exc)]}})
    audit(db(), current_principal(), "sign_in", tokens.worker_id, ["session:" + tokens.session_id])
    db().commit()
    return token_view(tokens)


@blp.route("/refresh", methods=["POST"])
@requires(blp, "app")
@blp.arguments(RefreshIn)
@blp.response(200, TokenOut)
def post_refresh(data: dict[str, Any]) -> dict[str, Any]:
    """A new access token and a new refresh token (the presented refresh token stops working)."""
    try:
        tokens = refresh(db(), current_app.config["SECRET_KEY"], data["refresh_token"], now=now())
    except SignInError as exc:
        db().commit()  # a detected reuse has revoked the session: keep that
        fail(422, str(exc), errors={"json": {"refresh_token": [str(exc)]}})
    db().commit()
    return token_view(tokens)


@blp.route("/sign-out", methods=["POST"])
@requires(blp, "worker", scope="")
@blp.response(204)
def post_sign_out() -> None:
    """End this device's sign-in: its access and refresh tokens stop working at once."""
    principal = current_principal()
    assert principal.worker_id is not None and principal.session_id is not None
    revoke_session(db(), principal.worker_id, principal.session_id, now=now(), reason="signed_out")
    audit(db(), principal, "sign_out", principal.worker_id, ["session:" + principal.session_id])
    db().commit()

