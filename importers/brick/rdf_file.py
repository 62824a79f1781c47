"""Read an RDF file into an rdflib graph, with errors that name the file and the line.

The format comes from `--rdf-format` or the file's extension. rdflib's parsers report syntax
errors in several shapes (notation3's BadSyntax, SAX exceptions, JSON errors); each becomes a
`MalformedFileError` with the line when the parser knows it.
"""

from __future__ import annotations

import contextlib
import json
import xml.sax
import xml.sax.xmlreader
from pathlib import Path

import rdflib
import rdflib.exceptions
from rdflib.parser import PythonInputSource
from rdflib.plugins.parsers.notation3 import BadSyntax, SinkParser

from graphtwin.errors import InputError, MalformedFileError, NestingTooDeepError, SourceLocation
from importers.brick.jsonld import load_jsonld
from importers.brick.rdf_formats import FORMATS, RDF_FORMATS
from importers.brick.xml_entities import check_xml_entities

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
    if rdf_format == "xml":
        check_xml_entities(path)
    graph = rdflib.Graph()
    try:
        if rdf_format == "json-ld":
            _parse_jsonld(graph, path)
        else:
            graph.parse(str(path), format=rdf_format)
    except InputError:
        raise  # already names the file (a refused JSON-LD context)
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
    except RecursionError as exc:
        raise NestingTooDeepError(
            f"not valid {rdf_format}: nested deeper than the parser can follow (blank nodes, "
            "lists or JSON objects inside each other)",
            location=SourceLocation(str(path), parser_line(exc)),
        ) from exc
    except MemoryError:
        raise
    except Exception as exc:  # any other failure of the parser is a fault of the input
        raise MalformedFileError(
            f"not valid {rdf_format}: the parser stopped ({type(exc).__name__}: "
            f"{_first_line(exc)}); is the file complete?",
            location=SourceLocation(str(path), parser_line(exc)),
        ) from exc
    return graph


def _parse_jsonld(graph: rdflib.Graph, path: Path) -> None:
    """JSON-LD with its contexts resolved from the package first (nothing left to fetch)."""
    document = load_jsonld(path, path.read_text(encoding="utf-8-sig"))
    graph.parse(source=PythonInputSource(document, path.absolute().as_uri()), format="json-ld")


def parser_line(exc: BaseException) -> int | None:
    """The line a parser had reached when it failed, read from the parser itself: rdflib's
    Turtle/N3 parser counts lines, expat knows its position. The deepest parser frame wins."""
    line = None
    trace = exc.__traceback__
    while trace is not None:
        owner = trace.tb_frame.f_locals.get("self")
        if isinstance(owner, SinkParser):
            line = owner.lines + 1
        elif isinstance(owner, xml.sax.xmlreader.Locator | xml.sax.xmlreader.XMLReader):
            with contextlib.suppress(AttributeError, TypeError):
                line = owner.getLineNumber()
        trace = trace.tb_next
    return line if isinstance(line, int) and line > 0 else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else "no message"


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
