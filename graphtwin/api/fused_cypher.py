"""One Cypher statement for a chain of hierarchy fields: the planner's fused path.

The per-level planner (`graphtwin.api.planner`) reads a query one level at a time: five
statements for building -> floors -> spaces -> equipment -> points, each returning the whole node
view. Where a field and everything under it is a chain of one-step hierarchy fields (`node`,
`nodesById` at the root; `children`, `parents`, `parent`, `points` on a node) whose selections
hold only plain fields (the node view's `twinId`, `kind`, `name`, `brickClass`, `labels`,
`retired { ... }`, `current { ... }`, `__typename`), this module compiles it into ONE statement
with nested `COLLECT {}` subqueries that returns only the keys asked for, under their response
keys (aliases included), as the planner would answer them. Anything else (walks, properties,
lineage, reasoning, `asOf`, `includeRetired`), and a single level (one statement either way),
returns None: the per-level planner answers it.

This is the one module allowed to hold Cypher text in Python (`tests/unit/test_statements.py`):
- every value (ids, kinds, page sizes, type names) is a `$parameter`;
- relationship types come from the vocabulary (`ontologies/twin.yaml`) and are checked against
  it and against the identifier pattern before they enter the text; labels are fixed;
- property keys and expressions come from the fixed node view below, the same expressions as
  `cypher/api/nodes_by_id.cypher` (a test keeps them so);
- response keys (aliases) never enter the text (see below).

Each node is returned as a list of its fields' values, in the order of the query's response
keys; `Shape` turns it into the answer's object (keys, aliases, nesting). So the response keys
never enter the text, and the answer keeps the order of the query's fields (a Cypher map would
not). Example: `{ node(twinId: "b1") { name points(first: 5) { twinId } } }` compiles to

    UNWIND $ids AS id
    MATCH (n0:Twin {twin_id: id})
    RETURN id, [
      n0.name,
      COLLECT {
        MATCH (n0)-[:HAS_POINT]->(n1:Twin)
        WHERE NOT n1:Retired AND n1.kind IN $kinds1
        WITH DISTINCT n1 ORDER BY n1.name, n1.twin_id LIMIT $first2
        RETURN [
          n1.twin_id
        ]
      }
    ] AS value

with `{"ids": ["b1"], "kinds1": ["Point"], "first2": 5}`; a row `["b1", ["Building 1",
[["p1"], ["p2"]]]]` answers `{"name": "Building 1", "points": [{"twinId": "p1"}, ...]}`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    SelectionSetNode,
)
from graphql.execution.values import get_argument_values

from graphtwin.api.fetchers import _directions, _names
from graphtwin.api.selections import collect_fields
from graphtwin.errors import GraphTwinError
from graphtwin.vocabulary import vocabulary

NODE_VIEW: dict[str, str] = {
    "twinId": "{n}.twin_id",
    "kind": "{n}.kind",
    "name": "{n}.name",
    "brickClass": "{n}.brick_class",
    "labels": "labels({n})",
}
"""Plain fields of `Node` -> their expression on the node variable `{n}`."""

OBJECT_VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    "retired": (
        "Retired",
        {"at": "toString({n}.retired_at)", "by": "{n}.retired_by"},
    ),
    "current": (
        "Point",
        {
            "value": "CASE WHEN {n}.value IS :: FLOAT OR {n}.value IS :: INTEGER "
            "THEN {n}.value END",
            "text": "toString({n}.value)",
            "unit": "{n}.unit",
            "timestamp": "toString({n}.value_at)",
            "quality": "{n}.value_quality",
            "source": "{n}.value_source",
            "health": "coalesce({n}.health, CASE WHEN {n}.value IS NULL THEN 'unknown' ELSE 'ok' "
            "END)",
        },
    ),
}
"""Object fields of `Node` read off the node itself -> (the label it has them under, their
fields' expressions): `current` only on points, `retired` only on retired nodes, else null."""

NEIGHBOUR_FIELDS = ("children", "parents", "parent", "points")
"""`Node` fields one step along the hierarchy (`graphtwin.api.fetchers.neighbours`)."""
ROOT_FIELDS = ("node", "nodesById")
"""`Query` fields that read nodes by twin_id."""
LABELS = frozenset({"Twin", "Retired", "Point"})
"""The only labels the statements name."""

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
"""A GraphQL name (a response key): also a Cypher identifier."""
_TYPE = re.compile(r"[A-Z][A-Z0-9_]*")
"""A relationship type as the vocabulary spells them."""


class NotFusable(GraphTwinError):  # noqa: N818 (a signal inside this module, never raised out of it)
    """The selection needs something the fused statement cannot do: the planner answers it."""

    def __init__(self, message: str = "the per-level planner answers this selection") -> None:
        super().__init__(message)


class Shape:
    """How a row of the statement becomes the answer's object: the response keys of its
    positions, and which positions hold objects (lists of them) of their own shape.

    Example: `Shape(("twinId", "current"), ((1, False, Shape(("value",), ())),))` builds
    `{"twinId": "p1", "current": {"value": 21.5}}` from `["p1", [21.5]]`.
    """

    __slots__ = ("keys", "nested")

    def __init__(self, keys: tuple[str, ...], nested: tuple[tuple[int, bool, Shape], ...]) -> None:
        self.keys = keys
        self.nested = nested

    def build(self, row: Sequence[Any], counter: list[int]) -> dict[str, Any]:
        """The object of `row`; `counter[0]` counts the objects built."""
        counter[0] += 1
        found = dict(zip(self.keys, row, strict=True))
        for position, many, shape in self.nested:
            value = row[position]
            if value is not None:
                found[self.keys[position]] = (
                    [shape.build(item, counter) for item in value]
                    if many
                    else shape.build(value, counter)
                )
        return found

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Shape) and (self.keys, self.nested) == (other.keys, other.nested)

    def __hash__(self) -> int:
        return hash((self.keys, self.nested))

    def __repr__(self) -> str:
        return f"Shape({self.keys!r}, {self.nested!r})"


@dataclass(frozen=True, slots=True)
class FusedStatement:
    """One statement for one field of a query level, and how to read its rows.

    The statement returns one row per twin_id of `$ids`: `id`, and `value`, the field's answer
    for that node (the node itself at the root) as positional lists, which `shape` turns into
    the answer's objects. Lists keep the keys out of the text and off the wire, and the answer
    keeps the order of the query's fields (a Cypher map would not).
    """

    text: str
    parameters: dict[str, Any]
    field: str
    """The GraphQL field it answers (`node`, `nodesById`, `children`, ...)."""
    shape: Shape
    """The shape of one node of the field's value."""
    twin_ids: tuple[str, ...] = ()
    """The root field's ids, in the order asked (duplicates kept)."""

    def answer(self, rows: Sequence[Mapping[str, Any]], parents: Sequence[Any]) -> tuple[list, int]:
        """The field's value for each of `parents`, from the statement's rows, and the number
        of objects in it."""
        found = {row["id"]: row["value"] for row in rows}
        counter = [0]
        build = self.shape.build
        if self.field in ROOT_FIELDS:
            listed = [build(found[t], counter) for t in self.twin_ids if t in found]
            if self.field == "node":
                return [listed[0] if listed else None for _ in parents], counter[0]
            return [listed for _ in parents], counter[0]
        values: list[Any] = []
        for parent in parents:
            value = found.get(parent["twin_id"])
            if self.field == "parent":
                values.append(None if value is None else build(value, counter))
            else:
                values.append([build(item, counter) for item in value or ()])
        return values, counter[0]


class FusedCypher:
    """Compiles fields of `schema` (graphtwin's) into fused statements.

    Example: `FusedCypher(schema).compile("Query", [field], {}, {})` for the field node of
    `node(twinId: "b1") { name }` gives a `FusedStatement`; for `node(twinId: "b1")
    { properties }` it gives None.
    """

    def __init__(self, schema: GraphQLSchema) -> None:
        self._schema = schema
        node = schema.get_type("Node")
        assert isinstance(node, GraphQLObjectType)
        self._node = node
        self._types = frozenset(vocabulary().relationship_types)

    def compile(
        self,
        parent_type: str,
        nodes: list[FieldNode],
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        parent_ids: Sequence[str] = (),
    ) -> FusedStatement | None:
        """The fused statement for the field `nodes` (one response key) asked of objects of
        `parent_type` (`parent_ids`: their twin_ids, for a field of `Node`), or None when the
        field or its selection is not a chain of hierarchy fields with plain fields."""
        try:
            return _Compilation(self, fragments, variables).field(parent_type, nodes, parent_ids)
        except NotFusable:
            return None


class _Compilation:
    """One compilation: its parameters, numbered in the order they appear."""

    def __init__(
        self,
        owner: FusedCypher,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.owner = owner
        self.fragments = fragments
        self.variables = variables
        self.parameters: dict[str, Any] = {}
        self.reads = 0
        """The per-level statements the fused one replaces (one per field and level)."""

    def parameter(self, stem: str, value: Any) -> str:
        name = f"{stem}{len(self.parameters)}"
        self.parameters[name] = value
        return f"${name}"

    def field(
        self, parent_type: str, nodes: list[FieldNode], parent_ids: Sequence[str]
    ) -> FusedStatement:
        name = nodes[0].name.value
        head = "UNWIND $ids AS id\nMATCH (n0:Twin {twin_id: id})\nRETURN id, "
        if parent_type == "Query" and name in ROOT_FIELDS:
            definition = self.owner._schema.query_type.fields[name]  # type: ignore[union-attr]
            args = get_argument_values(definition, nodes[0], self.variables)
            if args.get("includeRetired") or args.get("asOf") is not None:
                raise NotFusable  # retirement records and past versions: the planner's
            twin_ids = [args["twinId"]] if name == "node" else list(args["twinIds"])
            self.parameters["ids"] = list(dict.fromkeys(twin_ids))
            self.reads += 1
            value, shape = self.node_list("n0", 0, _selections(nodes), indent="")
            self.worth_it()
            return FusedStatement(f"{head}{value} AS value", self.parameters, name, shape,
                                  tuple(twin_ids))  # fmt: skip
        if parent_type == "Node" and name in NEIGHBOUR_FIELDS and parent_ids:
            self.parameters["ids"] = list(dict.fromkeys(parent_ids))
            value, shape = self.neighbours("n0", 0, name, nodes, indent="")
            self.worth_it()
            return FusedStatement(f"{head}{value} AS value", self.parameters, name, shape)
        raise NotFusable

    def node_list(
        self, var: str, depth: int, selection_sets: list[SelectionSetNode], indent: str
    ) -> tuple[str, Shape]:
        """The list of the fields asked of the node `var`, in the order of their response
        keys, and its shape."""
        fields = collect_fields(selection_sets, self.fragments, self.variables)
        inner = indent + "  "
        entries: list[str] = []
        nested: list[tuple[int, bool, Shape]] = []
        for nodes in fields.values():
            name = nodes[0].name.value
            if name == "__typename":
                expression = self.parameter("typename", "Node")
            elif name in NODE_VIEW:
                expression = NODE_VIEW[name].format(n=var)
            elif name in OBJECT_VIEWS:
                expression, shape = self.object_view(var, name, _selections(nodes))
                nested.append((len(entries), False, shape))
            elif name in NEIGHBOUR_FIELDS:
                expression, shape = self.neighbours(var, depth, name, nodes, inner)
                nested.append((len(entries), name != "parent", shape))
            else:
                raise NotFusable
            entries.append(f"{inner}{expression}")
        if not entries:
            raise NotFusable
        text = "[\n" + ",\n".join(entries) + f"\n{indent}]"
        return text, Shape(tuple(_key(k) for k in fields), tuple(nested))

    def object_view(
        self, var: str, name: str, selection_sets: list[SelectionSetNode]
    ) -> tuple[str, Shape]:
        label, view = OBJECT_VIEWS[name]
        type_name = self.owner._node.fields[name].type
        fields = collect_fields(selection_sets, self.fragments, self.variables)
        entries = []
        for nodes in fields.values():
            field = nodes[0].name.value
            if field == "__typename":
                entries.append(self.parameter("typename", _named(type_name)))
            elif field in view:
                entries.append(view[field].format(n=var))
            else:
                raise NotFusable
        text = f"CASE WHEN {var}:{label} THEN [{', '.join(entries)}] END"
        return text, Shape(tuple(_key(k) for k in fields), ())

    def neighbours(
        self, var: str, depth: int, name: str, nodes: list[FieldNode], indent: str
    ) -> tuple[str, Shape]:
        """`COLLECT {}` of the live nodes one step from `var` along the field's types, each
        as its list, in (name, twin_id) order, a page of them (`parent`: the first or null),
        as `cypher/api/neighbours.cypher` finds them; and the shape of one."""
        self.reads += 1
        definition = self.owner._node.fields[name]
        args = get_argument_values(definition, nodes[0], self.variables)
        if name == "points":
            outgoing, incoming, kinds, first = ["HAS_POINT"], [], ["Point"], args["first"]
        else:
            reverse = name in ("parents", "parent")
            outgoing, incoming = _directions(_names(args.get("types")), reverse=reverse)
            kinds = _names(args.get("kinds"))
            first = 1 if name == "parent" else args["first"]
        child = f"n{depth + 1}"
        where = f"WHERE NOT {child}:Retired"
        if kinds is not None:
            where += f" AND {child}.kind IN {self.parameter('kinds', kinds)}"
        page = f"ORDER BY {child}.name, {child}.twin_id LIMIT {self.parameter('first', first)}"
        branches = [
            f"MATCH ({var})-[:{self.types(outgoing)}]->({child}:Twin)" if outgoing else None,
            f"MATCH ({var})<-[:{self.types(incoming)}]-({child}:Twin)" if incoming else None,
        ]
        matches = [b for b in branches if b is not None]
        if not matches:
            raise NotFusable  # `types: []`: nothing to follow, the planner answers []
        if len(matches) == 1:
            lines = [matches[0], where, f"WITH DISTINCT {child} {page}"]
        else:  # both ways: UNION keeps each neighbour once, as DISTINCT does
            branches = [[m, where, f"RETURN {child}"] for m in matches]
            union = [f"  {line}" for line in [*branches[0], "UNION", *branches[1]]]
            lines = [f"CALL ({var}) {{", *union, "}", f"WITH {child} {page}"]
        inner = indent + "  "
        value, shape = self.node_list(child, depth + 1, _selections(nodes), inner)
        lines.append(f"RETURN {value}")
        body = "".join(f"{inner}{line}\n" for line in lines)
        collect = f"COLLECT {{\n{body}{indent}}}"
        return (f"head({collect})" if name == "parent" else collect), shape

    def worth_it(self) -> None:
        """Fuse only what would take two statements or more: one level is one statement
        either way, and the catalogue's is planned once for every query, where each new
        fused text costs Neo4j a planning (seconds on a busy server) the first time."""
        if self.reads < 2:
            raise NotFusable

    def types(self, names: Sequence[str]) -> str:
        alternatives = type_alternatives(names, self.owner._types)
        if alternatives is None:
            raise NotFusable
        return alternatives


def type_alternatives(names: Sequence[str], whitelist: Collection[str]) -> str | None:
    """`A|B` of relationship types for a pattern, None unless each is in `whitelist` (the
    vocabulary's) and spelled as a type (`[A-Z][A-Z0-9_]*`).

    Example: `type_alternatives(["CONTAINS", "HAS_PART"], vocabulary().relationship_types)`
    is `"CONTAINS|HAS_PART"`.
    """
    if not names or any(n not in whitelist or not _TYPE.fullmatch(n) for n in names):
        return None
    return "|".join(names)


def _selections(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [n.selection_set for n in nodes if n.selection_set is not None]


def _key(key: str) -> str:
    """A response key (a GraphQL name; it never enters the statement's text)."""
    if not _NAME.fullmatch(key):
        raise NotFusable
    return key


def _named(type_: Any) -> str:
    while hasattr(type_, "of_type"):
        type_ = type_.of_type
    return type_.name
