"""RFC 9457 problem details for every error, with field-level messages.

flask-smorest's own error body is ``{code, status, errors}``; clients of a public service expect
``application/problem+json``. ``ProblemApi`` documents that media type for every error response in
the OpenAPI document and renders every HTTP error (ours, webargs' 422, Werkzeug's 404/405/413)
in it. A database that is down or locked becomes 503 with ``Retry-After``, never a 500.
"""

from __future__ import annotations

import http
import logging
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NoReturn, cast

import marshmallow as ma
from flask import Flask, Response, g, json, request
from flask_smorest import Api, abort
from flask_smorest.spec import prepare_response  # type: ignore[attr-defined]
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.routing import IntegerConverter

from serving.enrolment import EnrolmentRefused
from serving.errors import NotFound
from workers.search import SearchError
from workers.service import DuplicateWorker, ProfileError

if TYPE_CHECKING:
    from api.context import RecoApp

PROBLEM_JSON = "application/problem+json"
# Ids are 32-bit columns (PostgreSQL INTEGER); a larger id in a path is no route (404), not an
# overflow in the database driver (500).
MAX_ID = 2**31 - 1
log = logging.getLogger("reco.errors")


class FieldErrorSchema(ma.Schema):
    location = ma.fields.String(metadata={"description": "query, json, path or header"})
    field = ma.fields.String(metadata={"description": "Dotted path of the field"})
    message = ma.fields.String()


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String(required=True, metadata={"example": "Unprocessable Entity"})
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    detail = ma.fields.String()
    instance = ma.fields.String()
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema))
    codes = ma.fields.List(ma.fields.String(), metadata={
        "description": "Rule and availability codes that refused an enrolment (e.g. R9_TARGET_GROUPS, COURSE_FULL)"})


def fail(status: int, message: str, **kwargs: Any) -> NoReturn:
    """flask-smorest's ``abort``, typed as never returning so checkers narrow after it."""
    abort(status, message=message, **kwargs)
    raise AssertionError("abort always raises")  # pragma: no cover


def flatten_messages(messages: Any, location: str = "", prefix: str = "") -> Iterable[dict[str, str]]:
    """Turn marshmallow/webargs nested messages into ``{location, field, message}`` rows."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            key = str(key)
            if not location and key in ("query", "json", "path", "headers", "files", "form"):
                yield from flatten_messages(value, key, "")
            else:
                yield from flatten_messages(value, location, f"{prefix}{key}." if prefix or key else "")
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for m in messages:
            yield {"location": location or "json", "field": prefix.rstrip(".") or "_schema", "message": m}
    elif isinstance(messages, list):
        for i, m in enumerate(messages):
            yield from flatten_messages(m, location, f"{prefix}{i}.")
    else:
        yield {"location": location or "json", "field": prefix.rstrip(".") or "_schema", "message": str(messages)}


def problem(status: int, detail: str | None = None, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None, extensions: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": http.HTTPStatus(status).phrase,
                            "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extensions or {})
    body["instance"] = request.path if request else ""
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a non-negative id that fits the database's INTEGER."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _id_param_schema(converter: IdConverter) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "maximum": converter.max}


def _nullable_ref(self: Any, field: ma.fields.Field, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """A nullable nested schema is ``anyOf: [$ref, null]``.

    For OpenAPI 3.0 apispec writes ``anyOf: [{type: object, nullable: true}, $ref]``, whose first
    branch admits *any* object, so ``{}`` validates where the server requires fields. The
    ``nullable`` + ``enum: [null]`` branch admits null only (the OAS 3.0.3 idiom for "null")."""
    branches = ret.get("anyOf")
    if field.allow_none and isinstance(branches, list):
        return {"anyOf": [dict(b, enum=[None]) if b == {"type": "object", "nullable": True} else b
                          for b in branches]}
    return {}


class ProblemApi(Api):  # type: ignore[misc]
    """Our Api: problem+json errors, bounded integer ids in paths, exact nullable references."""

    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        app.url_map.converters["int"] = IdConverter
        super().init_app(app, *args, **kwargs)
        self.register_converter(IdConverter, _id_param_schema)
        self.ma_plugin.converter.add_attribute_function(_nullable_ref)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:
        data = getattr(error, "data", None) or {}
        messages = data.get("errors") or data.get("messages")
        errors = list(flatten_messages(messages)) if messages else None
        headers = dict(data.get("headers") or {})
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        if isinstance(error, ServiceUnavailable):
            headers.setdefault("Retry-After", "5")
        # Field errors say what is wrong; Werkzeug's generic sentence for 400 would only confuse.
        detail = data.get("message") or ("The request has invalid fields." if errors else error.description)
        if error.code and error.code >= 500 and not isinstance(error, ServiceUnavailable):
            detail = "Internal error; it has been logged."
        return problem(error.code or 500, detail, errors, headers)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def _database_unavailable(exc: Exception) -> Response:
        # Only the exception class goes to the log: statements and parameters can hold PII.
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem(503, "The database is busy or unavailable; retry shortly.",
                       headers={"Retry-After": "5"})

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> Response:
        return problem(404, exc.message)

    @app.errorhandler(ProfileError)
    def _profile_error(exc: ProfileError) -> Response:
        # A value that passed its schema but not the domain (unknown county, foreign relative,
        # a second profile for one ID number). Nothing was committed: the session is discarded.
        errors = [{"location": "json", "field": exc.field, "message": exc.message}]
        extensions: dict[str, Any] = {}
        if isinstance(exc, DuplicateWorker) and exc.held_by:
            extensions = {"held_by": exc.held_by, "transfer": {"method": "POST", "path": "/v1/transfers"}}
        if exc.check is not None and "db" in g:
            # The request's writes are discarded, but the check itself is kept: who asked about
            # which (hashed) number, and what they were told.
            session = g.db
            session.rollback()
            session.add(exc.check)
            session.commit()
        return problem(409 if isinstance(exc, DuplicateWorker) else 422, exc.message, errors,
                       extensions=extensions)

    @app.errorhandler(SearchError)
    def _search_error(exc: SearchError) -> Response:
        return problem(422, exc.message, [{"location": "json", "field": exc.field, "message": exc.message}])

    @app.errorhandler(EnrolmentRefused)
    def _refused(exc: EnrolmentRefused) -> Response:
        # The record would break the rules or the course's limits; a counselor may record it
        # anyway with a written override_reason. Nothing was written.
        response = problem(422, "Refused: " + "; ".join(f"{r.code}: {r.message_en}" for r in exc.refusals)
                           + ". Give override_reason to record it anyway.",
                           [{"location": "json", "field": "course_id", "message": r.message_en} for r in exc.refusals])
        body = json.loads(response.get_data())
        body["codes"] = list(exc.codes)
        response.set_data(json.dumps(body, ensure_ascii=False))
        return response

    @app.errorhandler(IntegrityError)
    def _conflict(exc: IntegrityError) -> Response:
        # A uniqueness or reference rule the domain did not check first (two requests racing for
        # the same natural key, say): the request conflicts with stored data; nothing was written.
        log.warning("integrity conflict: %s", type(exc.orig).__name__)
        return problem(409, "The request conflicts with stored data (a duplicate or a dangling reference).")

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return _database_unavailable(exc)
        log.error("database error: %s", type(exc.orig).__name__)
        return problem(500, "Internal error; it has been logged.")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return cast("RecoApp", app).rest_api.handle_http_exception(exc)  # type: ignore[no-any-return]
        # The stack and the exception's type, never its message: messages can carry the values
        # being processed (SQLAlchemy puts statement parameters there, i.e. ID numbers, phones).
        stack = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__))
        log.error("unhandled %s on %s %s\n%s", type(exc).__name__, request.method, request.url_rule, stack)
        return problem(500, "Internal error; it has been logged.")
