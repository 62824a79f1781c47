"""The line where an RDF subject is written, for error messages that name their place.

rdflib keeps no positions for the triples it parses, so the text is scanned once: the first
token of every line in Turtle, N3 and N-Triples (where statements about a subject begin), every
`rdf:about`/`rdf:ID` in RDF/XML, every `"@id"` in JSON-LD. A subject is then found by any way
the file may have written it (`<full-iri>`, or `prefix:local` for each prefix the file binds).
Blank nodes, and subjects written some other way (relative IRIs, escapes), get no line: the
error still names the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import URIRef
from rdflib.term import Node

_FIRST_TOKEN = re.compile(rb"^[ \t]*(<[^>\s]*>|[A-Za-z_][\w.\-]*:[^\s;,()\[\]]*)", re.M)
_XML_SUBJECT = re.compile(rb"""rdf:(?:about|ID)\s*=\s*["']([^"']*)["']""")
_JSONLD_ID = re.compile(rb""""@id"\s*:\s*"((?:[^"\\]|\\.)*)\"""")


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(token: str) -> str:
    """Turtle and N-Triples IRIs may spell characters as \\uXXXX: the IRI rdflib made."""
    if "\\" not in token:
        return token
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token)


class SubjectLines:
    """Token as written -> the first line it starts a statement on."""

    def __init__(self, first_lines: dict[str, int], namespaces: Iterable[tuple[str, str]]) -> None:
        self._lines = first_lines
        self._namespaces = [(prefix, str(ns)) for prefix, ns in namespaces]

    @classmethod
    def scan(
        cls, path: Path, rdf_format: str, namespaces: Iterable[tuple[str, str]]
    ) -> SubjectLines:
        text = path.read_bytes()
        if rdf_format == "xml":
            pattern, wrap = _XML_SUBJECT, "<{}>"
        elif rdf_format == "json-ld":
            pattern, wrap = _JSONLD_ID, "{}"
        else:
            pattern, wrap = _FIRST_TOKEN, "{}"
        lines: dict[str, int] = {}
        line, counted_to = 1, 0
        for match in pattern.finditer(text):
            line += text.count(b"\n", counted_to, match.start())
            counted_to = match.start()
            token = wrap.format(_unescape(match.group(1).decode("utf-8", errors="replace")))
            lines.setdefault(token, line)
        return cls(lines, namespaces)

    def line(self, subject: Node) -> int | None:
        if not isinstance(subject, URIRef):
            return None
        iri = str(subject)
        found = self._lines.get(f"<{iri}>") or self._lines.get(iri)
        if found:
            return found
        for prefix, namespace in self._namespaces:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                found = self._lines.get(f"{prefix}:{iri[len(namespace) :]}")
                if found:
                    return found
        return None
