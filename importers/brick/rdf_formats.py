"""The RDF serialisations the Brick importer reads, by name and by file extension.

Kept apart from `rdf_file` so the command line can name them without loading rdflib.
"""

from __future__ import annotations

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
