"""The twin file's schema (pydantic), and its JSON Schema for docs and editors.

graphtwin: 1                 # format version
source: campus-model         # optional source id (default: twin:<file name>)
nodes:
  - id: campus               # twin_id
    kind: Site
    name: Demo Campus
    contains:                # nested children: CONTAINS from this node to each
      - id: bldg-a
        kind: Building
        name: Building A
    links:                   # outgoing relationships without properties
      APPLIES_TO: [fire-code]
relationships:               # any relationship, also with properties
  - {from: ahu-1, type: SAME_AS, to: ifc-ahu-1, properties: {confidence: 0.9}}
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graphtwin.vocabulary import vocabulary
from graphtwin.yaml_spec import published_schema

FORMAT_VERSION = 1
SCHEMA_ID = "https://graphtwin.dev/schemas/twin-file-1.json"

_PROPERTY_VALUE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": ["string", "number", "boolean"]},
        {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
    ]
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class NodeSpec(_Strict):
    """A twin entity. Origin identifiers are top-level fields, everything else `properties`."""

    id: str = Field(min_length=1, description="The twin_id, unique in the whole twin.")
    kind: str = Field(description="Node kind from the twin vocabulary.")
    name: str | None = Field(default=None, description="Display name (default: the id).")
    uri: str | None = Field(default=None, description="RDF IRI of the entity.")
    brick_class: str | None = Field(default=None, description="Brick class local name.")
    ifc_guid: str | None = Field(default=None, description="IFC GlobalId.")
    ifc_class: str | None = Field(default=None, description="IFC entity class.")
    isa95_id: str | None = Field(default=None, description="ISA-95 / B2MML identifier.")
    isa95_level: str | None = Field(default=None, description="ISA-95 hierarchy level.")
    properties: dict[str, Any] = Field(
        default_factory=dict,
        description="Other properties: text, numbers, booleans or lists of one of them.",
        json_schema_extra={"additionalProperties": _PROPERTY_VALUE_SCHEMA},
    )
    links: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Outgoing relationships without properties: TYPE -> list of target ids.",
    )
    contains: list[str | NodeSpec] = Field(
        default_factory=list,
        description="Children (CONTAINS from this node): nested nodes, or ids defined elsewhere.",
    )


class RelationshipSpec(_Strict):
    start: str = Field(alias="from", min_length=1, description="twin_id of the start node.")
    type: str = Field(description="Relationship type from the twin vocabulary.")
    end: str = Field(alias="to", min_length=1, description="twin_id of the end node.")
    properties: dict[str, Any] = Field(
        default_factory=dict, json_schema_extra={"additionalProperties": _PROPERTY_VALUE_SCHEMA}
    )


class TwinFile(_Strict):
    graphtwin: Literal[1] = Field(description="Format version of the twin file.")
    source: str | None = Field(
        default=None,
        min_length=1,
        description="Source id this file imports as (default: twin:<file name>).",
    )
    description: str | None = None
    nodes: list[NodeSpec] = Field(default_factory=list)
    relationships: list[RelationshipSpec] = Field(default_factory=list)


def twin_file_json_schema() -> dict[str, Any]:
    """JSON Schema of the twin file, with the vocabulary's kinds and types as enums."""
    schema = TwinFile.model_json_schema(by_alias=True)
    vocab = vocabulary()
    defs = schema["$defs"]
    defs["NodeSpec"]["properties"]["kind"]["enum"] = list(vocab.node_kinds)
    defs["NodeSpec"]["properties"]["links"]["propertyNames"] = {
        "enum": list(vocab.relationship_types)
    }
    defs["RelationshipSpec"]["properties"]["type"]["enum"] = list(vocab.relationship_types)
    return published_schema(schema, schema_id=SCHEMA_ID, title="graphtwin twin file")
