"""JSON bodies within sane bounds: nesting depth and number length, checked while parsing.

Python's parser recurses once per nesting level and converts integers of any length: a body of
50,000 ``[`` (50 KB, well under the size cap) raised ``RecursionError`` and a 5,000-digit number
``ValueError`` deep inside the request, both 500s. Every JSON body is parsed here instead, by
Flask (``request.get_json``) and by webargs (the schemas) alike, and anything out of bounds is a
400 problem. No body of this API needs more than a few levels or numbers longer than a phone
number, so the bounds are far above any honest request.
"""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40


class JsonOutOfBounds(json.JSONDecodeError):
    """A syntactically valid body beyond our bounds (a ``JSONDecodeError``, so every parser that
    answers 400 for bad JSON answers 400 for this too)."""

    def __init__(self, message: str) -> None:
        # A non-empty ``doc`` (webargs reads an empty one as "no body"); never the body itself.
        super().__init__(message, "(request body)", 0)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _number(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > MAX_NUMBER_CHARS:
            raise JsonOutOfBounds(f"a number longer than {MAX_NUMBER_CHARS} characters")
        return kind(text)

    return parse


def _no_constant(name: str) -> Any:
    raise JsonOutOfBounds(f"{name} is not JSON")


def _depth(value: Any) -> int:
    """Nesting depth, without recursion (the value may be as deep as the parser allowed)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def loads(data: str | bytes | bytearray) -> Any:
    """``json.loads`` with our bounds; raises :class:`json.JSONDecodeError` (a ``ValueError``)."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError(f"not UTF-8: {exc.reason}", "(request body)", exc.start) from None
    try:
        value = json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_no_constant)
    except RecursionError:
        raise JsonOutOfBounds(f"nested deeper than {MAX_DEPTH} levels") from None
    if _depth(value) > MAX_DEPTH:
        raise JsonOutOfBounds(f"nested deeper than {MAX_DEPTH} levels")
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading with our bounds (``request.get_json`` answers 400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)
