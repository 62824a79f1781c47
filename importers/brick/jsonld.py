"""JSON-LD input that never reaches outside: contexts resolve from the package or are refused.

A JSON-LD document may name its `@context` (and a context its `@import`) by URL; rdflib would
fetch it, over the network for `http(s)://` and from disk for `file://` or a relative reference.
An import never opens a network address or another file because its input says so. So the
document is read here first, every context reference in it is looked for (at the top, in nested
node objects, in term definitions' scoped contexts, in `@import`), the Brick, RealEstateCore and
QUDT contexts shipped in `ontologies/jsonld/` are put in place of their URLs, and any other
reference is an `ExternalReferenceError` naming it. rdflib then gets a document with nothing
left to fetch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from graphtwin.errors import ExternalReferenceError, SourceLocation

CONTEXT = "@context"
IMPORT = "@import"


@dataclass(frozen=True, slots=True)
class _Where:
    """The file being read, to name it and find the line a reference is written on."""

    path: Path
    text: str

    def location(self, needle: str | None) -> SourceLocation:
        at = self.text.find(json.dumps(needle)) if needle is not None else -1
        line = self.text.count("\n", 0, at) + 1 if at >= 0 else None
        return SourceLocation(str(self.path), line)


@cache
def shipped_contexts() -> dict[str, Any]:
    """URL -> the context document shipped for it (ontologies/jsonld/contexts.json)."""
    folder = resources.files("ontologies").joinpath("jsonld")
    table = json.loads(folder.joinpath("contexts.json").read_text(encoding="utf-8"))
    documents: dict[str, Any] = {}
    for url, file_name in table.items():
        document = json.loads(folder.joinpath(file_name).read_text(encoding="utf-8"))
        documents[url] = document[CONTEXT]
    return documents


def load_jsonld(path: Path, text: str) -> Any:
    """The JSON-LD document in `text` (read from `path`), with its contexts resolved. A syntax
    error is json's `JSONDecodeError` (with its line); a nesting deeper than json can follow is
    its `RecursionError`: the caller names the file."""
    return resolve_contexts(json.loads(text), _Where(path, text))


def resolve_contexts(document: Any, where: _Where) -> Any:
    """`document` (parsed JSON) with every context URL replaced by the shipped context, or an
    `ExternalReferenceError` for the first one that is not shipped, at its line. Walks without
    recursion: the document may be as deep as the JSON parser allows."""
    pending: list[Any] = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
            continue
        if not isinstance(value, dict):
            continue
        if CONTEXT in value:
            value[CONTEXT] = _resolved(value[CONTEXT], where)
        if IMPORT in value:
            _inline_import(value, where)
        pending.extend(value.values())
    return document


def _resolved(context: Any, where: _Where) -> Any:
    if isinstance(context, str):
        return _shipped(context, where)
    if isinstance(context, list):
        return [_shipped(item, where) if isinstance(item, str) else item for item in context]
    return context  # an inline object (walked by the caller) or null


def _inline_import(context: dict[str, Any], where: _Where) -> None:
    """JSON-LD 1.1 `@import`: the imported context, overridden by this one's own terms."""
    reference = context.pop(IMPORT)
    imported = _shipped(reference, where) if isinstance(reference, str) else reference
    if not isinstance(imported, dict):
        raise ExternalReferenceError(
            f"@import must name a context object, got {type(imported).__name__}",
            location=where.location(None),
        )
    own = dict(context)
    context.clear()
    context.update(imported)
    context.update(own)


def _shipped(url: str, where: _Where) -> Any:
    shipped = shipped_contexts()
    if url in shipped:
        return json.loads(json.dumps(shipped[url]))  # a copy: the walk may edit it
    known = ", ".join(sorted(shipped))
    raise ExternalReferenceError(
        f"the JSON-LD context {url!r} would be loaded from elsewhere; an import never opens a "
        f"network address or another file. Put the context inline, or use one the package "
        f"ships: {known}",
        location=where.location(url),
    )
