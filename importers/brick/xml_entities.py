"""RDF/XML: the document type is checked before rdflib expands anything.

An XML document type can declare entities that expand into other entities ("billion laughs":
1 KB of text growing into gigabytes and minutes of CPU), load a DTD or an entity from a file or
a URL (XXE), or declare parameter entities that do either. RDF/XML written by ontology editors
(Protégé) does use one harmless kind: internal entities that abbreviate namespaces,
`<!ENTITY owl "http://www.w3.org/2002/07/owl#">`. So the prolog is read alone with expat,
stopping at the root element, and what is allowed is exactly that kind: internal general
entities whose text holds no reference to another entity, whose total expansion in the file
(every reference counted, as if none were in a comment) stays within `MAX_EXPANSION`.
Anything that loads from elsewhere is an `ExternalReferenceError`, anything that could grow
an `EntityExpansionError`, naming the file and line, before rdflib sees the file.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from pathlib import Path

from graphtwin.errors import (
    EntityExpansionError,
    ExternalReferenceError,
    GraphTwinError,
    SourceLocation,
)

MAX_EXPANSION = 16 * 1024 * 1024
"""Characters that entity references may add to an RDF/XML file, all references together."""
_CHUNK = 64 * 1024


class _PrologEndedError(GraphTwinError):
    """The prolog is over: no declaration can follow (a signal the check catches itself)."""


def check_xml_entities(path: Path, *, max_expansion: int = MAX_EXPANSION) -> None:
    """Refuse DTDs and entities that could load something or expand without bound."""
    parser = xml.parsers.expat.ParserCreate()
    entities: dict[str, str] = {}

    def refuse(reason: str) -> ExternalReferenceError:
        where = SourceLocation(str(path), parser.CurrentLineNumber)
        return ExternalReferenceError(reason, location=where)

    def refuse_expansion(reason: str) -> EntityExpansionError:
        where = SourceLocation(str(path), parser.CurrentLineNumber)
        return EntityExpansionError(reason, location=where)

    def doctype(name: str, system_id: str | None, public_id: str | None, _internal: int) -> None:
        if system_id or public_id:
            raise refuse(
                f"the document type loads an external DTD ({system_id or public_id!s}); an "
                "import never opens a network address or another file"
            )

    def entity(
        name: str,
        is_parameter: int,
        value: str | None,
        _base: str | None,
        system_id: str | None,
        public_id: str | None,
        notation: str | None,
    ) -> None:
        if system_id or public_id or notation:
            raise refuse(
                f"entity {name!r} is loaded from {system_id or public_id!s}; an import never "
                "opens a network address or another file"
            )
        if is_parameter:
            raise refuse_expansion(
                f"parameter entity {name!r}: only plain text entities are allowed"
            )
        if value is not None and ("&" in value or "%" in value):
            raise refuse_expansion(
                f"entity {name!r} refers to other entities; nested entities can expand without "
                "bound (billion laughs) and are refused"
            )
        entities[name] = value or ""

    def root(_name: str, _attributes: dict[str, str]) -> None:
        raise _PrologEndedError("the prolog is over")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _PrologEndedError:
        pass
    except xml.parsers.expat.ExpatError:
        return  # a syntax error: rdflib reports it with its line, before expanding anything
    if entities:
        _check_expansion(path, entities, max_expansion)


def _check_expansion(path: Path, entities: dict[str, str], max_expansion: int) -> None:
    reference = re.compile(rb"&([A-Za-z_:][-A-Za-z0-9._:]*);")
    sizes = {name.encode(): len(value) for name, value in entities.items()}
    total = 0
    with path.open("rb") as stream:
        text = stream.read()
    for match in reference.finditer(text):
        total += sizes.get(match.group(1), 0)
        if total > max_expansion:
            line = text.count(b"\n", 0, match.start()) + 1
            raise EntityExpansionError(
                f"entity references expand to over {max_expansion // 2**20} MiB of text; "
                "refused (billion laughs)",
                location=SourceLocation(str(path), line),
            )
