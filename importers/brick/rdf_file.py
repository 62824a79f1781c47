"""Read an RDF file into an rdflib graph, with errors that name the file and the line.

The format comes from `--rdf-format` or the file's extension. rdflib's parsers report syntax
errors in several shapes (notation3's BadSyntax, SAX exceptions, JSON errors); each becomes a
`MalformedFileError` with the line when the parser knows it.
"""

from __future__ import annotations

import json
import xml.sax
from pathlib import Path

import rdflib
import rdflib.exceptions
from rdflib.plugins.parsers.notation3 import BadSyntax

from graphtwin.errors import InputError, MalformedFileError, SourceLocation

FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".n3": "n3",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}
RDF_FORMATS = ("turtle", "nt", "n3", "xml", "json-ld")

MAX_BYTES = 256 * 1024 * 1024
"""Files are parsed in memory (the mapping needs the whole graph: the class of a relation's far
end decides its type). rdflib takes about 23 times the file size (a 51 MB model peaked at
1.2 GiB, docs/benchmarks.md), so beyond 256 MB (about 6 GiB) the import is refused up front,
naming the limit, instead of exhausting the machine."""


def rdf_format_for(path: Path, explicit: str | None) -> str:
    if explicit:
        if explicit not in RDF_FORMATS:
            raise InputError(
                f"unknown RDF format {explicit!r} (use one of {', '.join(RDF_FORMATS)})",
                location=SourceLocation(str(path)),
            )
        return explicit
    rdf_format = FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        raise InputError(
            f"cannot tell the RDF format from the extension {path.suffix!r}; pass --rdf-format",
            location=SourceLocation(str(path)),
        )
    return rdf_format


def read_rdf(path: Path, rdf_format: str, *, max_bytes: int = MAX_BYTES) -> rdflib.Graph:
    """Parse `path`; an empty graph is returned for an empty file (the caller decides)."""
    where = SourceLocation(str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"file is {size / 2**20:.0f} MiB, over the {max_bytes / 2**20:.0f} MiB limit for "
            "one RDF import; split the model",
            location=where,
        )
    graph = rdflib.Graph()
    try:
        graph.parse(str(path), format=rdf_format)
    except BadSyntax as exc:
        raise MalformedFileError(
            f"not valid {rdf_format}: {_bad_syntax_reason(exc)}",
            location=SourceLocation(str(path), exc.lines + 1),
        ) from exc
    except xml.sax.SAXParseException as exc:
        raise MalformedFileError(
            f"not valid RDF/XML: {exc.getMessage()}",
            location=SourceLocation(str(path), exc.getLineNumber()),
        ) from exc
    except json.JSONDecodeError as exc:
        raise MalformedFileError(
            f"not valid JSON-LD: {exc.msg}", location=SourceLocation(str(path), exc.lineno)
        ) from exc
    except UnicodeDecodeError as exc:
        raise MalformedFileError(f"not UTF-8 text (byte {exc.start})", location=where) from exc
    except rdflib.exceptions.ParserError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise MalformedFileError(
            f"not valid {rdf_format}: {message}",
            location=SourceLocation(str(path), _first_bad_line(path, rdf_format)),
        ) from exc
    return graph


def _first_bad_line(path: Path, rdf_format: str) -> int | None:
    """rdflib's N-Triples parser does not say where it failed: find the line by parsing each
    line alone (N-Triples is one triple per line, so this is exact)."""
    if rdf_format != "nt":
        return None
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                rdflib.Graph().parse(data=line, format="nt")
            except rdflib.exceptions.ParserError:
                return number
    return None


def _bad_syntax_reason(exc: BadSyntax) -> str:
    """BadSyntax's message carries the whole offending text; keep the reason only."""
    reason = getattr(exc, "_why", None) or str(exc)
    return str(reason).strip().splitlines()[0]
