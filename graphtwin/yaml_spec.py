"""graphtwin's own YAML formats (twin and governance files, bindings, scenarios, fault plans,
data sets), read against their pydantic models: a mistake becomes a SchemaViolationError naming
the line and the entity (the `id` of the innermost item that holds it), and each model publishes
its JSON Schema the same way. Shared by the importers and the rest of graphtwin, so it lives
below both.

>>> from pydantic import BaseModel, ConfigDict
>>> class Pump(BaseModel):
...     model_config = ConfigDict(extra="forbid")
...     id: str
>>> published_schema(Pump.model_json_schema(), schema_id="urn:pump", title="a pump")["$id"]
'urn:pump'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from graphtwin.errors import SchemaViolationError, SourceLocation
from graphtwin.yamlio import LineIndex, load_yaml

_Path = tuple[str | int, ...]
Spec = TypeVar("Spec", bound=BaseModel)


def read_spec(path: Path, model: type[Spec], *, expected: str) -> tuple[Spec, LineIndex]:
    """The file validated as `model`, and where each of its entries was written.
    `expected` says what the file must look like, for a file that is not a mapping at all."""
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise SchemaViolationError(expected, location=lines.location(()))
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        raise schema_error(exc, data, lines) from exc


def published_schema(schema: dict[str, Any], *, schema_id: str, title: str) -> dict[str, Any]:
    """A model's JSON Schema as docs/ publishes it: draft 2020-12, with its id and title."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        **schema,
        "title": title,
    }


def schema_error(exc: ValidationError, data: Any, lines: LineIndex) -> SchemaViolationError:
    # A union (`contains: [id or node]`) fails once per member; the error reaching deepest into
    # the data is the one that says what is wrong.
    error = max(exc.errors(), key=lambda e: len(_data_path(data, e["loc"], e["type"])))
    path = _data_path(data, error["loc"], error["type"])
    where = ".".join(str(p) for p in path) or "file"
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown field (check its spelling)"
    elif error["type"] == "missing":
        message = "required field is missing"
    return SchemaViolationError(
        f"{where}: {message}",
        location=SourceLocation(lines.file, lines.line(path)),
        entity=_enclosing_id(data, path),
    )


def _data_path(data: Any, loc: Sequence[str | int], error_type: str) -> _Path:
    """The part of a pydantic error location that exists in the data (drops union tags)."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif error_type == "missing" and i == len(loc) - 1:
            path.append(part)  # name the missing field
            break
        else:
            continue  # a union member's tag, not a place in the data
        path.append(part)
    return tuple(path)


def _enclosing_id(data: Any, path: _Path) -> str | None:
    """The `id` of the innermost node that contains `path`, to name the entity."""
    found = None
    node = data
    for part in path:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
        if isinstance(node, dict | list):
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
    if isinstance(node, dict) and isinstance(node.get("id"), str):
        found = node["id"]
    return found
