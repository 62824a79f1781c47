"""IRIs for brickschema's Rust engines, and back.

The OWL-RL reasoner (`reasonable`) and the SHACL engine (`shifty`) refuse IRIs that rdflib
accepts, such as `...#port[po]` in real models; the reasoner even aborts with a panic that is not
an `Exception`. Such IRIs are percent-encoded on the way in and restored on the way out.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import rdflib
from rdflib import URIRef
from rdflib.term import Node

_UNSAFE = re.compile(r"""[\s<>"{}|\\^`\[\]]""")


class ReasonerIris:
    def __init__(self) -> None:
        self._original: dict[URIRef, URIRef] = {}

    def encode(self, term: Node) -> Node:
        if isinstance(term, URIRef) and _UNSAFE.search(term):
            clean = URIRef(_UNSAFE.sub(lambda m: quote(m.group(0)), str(term)))
            self._original[clean] = term
            return clean
        return term

    def decode(self, term: Node) -> Node:
        return self._original.get(term, term) if isinstance(term, URIRef) else term

    def copy_into(self, target: rdflib.Graph, source: rdflib.Graph) -> None:
        for s, p, o in source:
            target.add((self.encode(s), self.encode(p), self.encode(o)))
