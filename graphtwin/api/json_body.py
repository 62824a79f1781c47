"""Request bodies as the API takes them: a JSON object, or a clear 400 saying what is wrong."""

from __future__ import annotations

from typing import Any

import orjson

from graphtwin.errors import MalformedRequestError

_KINDS = {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "a list"}


def json_object(body: bytes | str, what: str) -> dict[str, Any]:
    """`body` parsed as JSON, which must be an object; MalformedRequestError naming `what` and
    what was found instead (not JSON, a string, a number, null, a list)."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedRequestError(f"{what} is not valid JSON ({exc})") from exc
    if not isinstance(value, dict):
        found = "null" if value is None else _KINDS.get(type(value), type(value).__name__)
        raise MalformedRequestError(f"{what} must be a JSON object ({{...}}), not {found}")
    return value
