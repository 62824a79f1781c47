"""What a query may ask for: depth, estimated cost, page sizes, time and the caller's permissions.

Checked on the parsed document before anything runs, so an abusive or forbidden query costs
the database nothing. The cost is an estimate of the work a query can cause:

- every object field costs 1, times the sizes of the lists it is nested in. A list's size is its
  `first` argument when given, otherwise a typical fan-out; traversals count their `first` too;
- every field loaded from Neo4j counts its statements (`STATEMENT` each, a round trip), and a
  field that does more declares that work (`FieldWork`): constraint reasoning over a subtree
  (`violations`, `capacityChecks`), effective constraints, lineage, search, walks (per step of
  `maxDepth`). Each alias counts again: 1,000 aliases of `violations` are 1,000 reasonings;
- introspection (`__schema`, `__type`) counts its objects too, its lists sized by the schema it
  describes (the largest type's fields, the longest argument list...).

The planner also stops a query whose real result grows past `max_result_objects`, and a query
that runs past `timeout_s` is cancelled with its Neo4j transactions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from graphtwin.api.roles import Permission
from graphtwin.config import Settings
from graphtwin.errors import GraphTwinError


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 12
    """Nested selection sets, the operation's own included: site > building > floor > space >
    equipment > point > current value is 8. Introspection is exempt (GraphiQL's own query nests
    `ofType` deeper); its cost still counts."""
    max_cost: int = 1_000_000
    max_page: int = 1_000
    """Largest `first` of any list."""
    typical_fan_out: int = 10
    """Assumed size of a list whose `first` is not given."""
    max_result_objects: int = 250_000
    timeout_s: float = 15.0
    """Time limit of one query operation; its Neo4j transactions are cancelled with it."""
    reads_per_key: int = 4
    """Neo4j reads one API key may have running at once (all its requests together)."""
    reasonings_per_key: int = 1
    """Constraint reasonings (violations, capacity checks, effective constraints: each reads a
    subtree, seconds of Neo4j's time on a large one) one API key may have running at once."""
    introspection: bool = True
    """Whether `__schema` and `__type` are answered (GraphiQL needs them)."""
    max_search_chars: int = 200
    """Longest `search(text:)`; Lucene refuses a prefix term over about 1,000 characters."""
    max_search_words: int = 16
    """Most words in `search(text:)`: each is a clause of the full-text query."""
    max_tokens: int = 20_000
    """Largest query document, in GraphQL tokens; parsing stops there (1,000 aliases of a
    field with a small selection fit; GraphiQL's introspection query is about 400)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        """The limits `settings` configure (GRAPHTWIN_API_*), the others at their defaults."""
        return cls(
            max_cost=settings.api_query_max_cost,
            timeout_s=settings.api_query_timeout_s,
            reads_per_key=settings.api_reads_per_key,
            reasonings_per_key=settings.api_reasonings_per_key,
            introspection=settings.api_introspection,
            max_search_chars=settings.api_search_max_chars,
        )


@dataclass(frozen=True, slots=True)
class FieldWork:
    """What asking for a field costs beyond the objects it returns, in the same unit (about
    the work of returning one object)."""

    per_call: int = 0
    """Each time the field appears in the query (a reasoning over a whole subtree)."""
    per_parent: int = 0
    """For each object it is asked on."""
    times_argument: str | None = None
    """An argument whose value multiplies the rest (a walk's `maxDepth`: a statement a step)."""

    def cost(self, parents: int, arguments: dict[str, Any]) -> int:
        times = arguments.get(self.times_argument, 1) if self.times_argument else 1
        return (self.per_call + self.per_parent * parents) * max(times or 1, 1)


STATEMENT = FieldWork(per_call=1_000)
"""A field loaded by one statement for all its parents (the default of a batched field)."""
SUBTREE_REASONING = FieldWork(per_call=50_000)
"""`violations`, `capacityChecks`: every constraint and current value below `scope`."""
NODE_REASONING = FieldWork(per_call=20_000, per_parent=100)
"""Effective constraints: the constraints above each node, combined, with because chains."""
LINEAGE = FieldWork(per_call=3_000, per_parent=20)
"""Sources, import runs, per-property attribution and events of each node (3 statements)."""
SEARCH = FieldWork(per_call=2_000)
"""A full-text query, then the nodes it found."""
WALK = FieldWork(per_call=1_000, per_parent=10, times_argument="maxDepth")
"""One statement per step, each reading the neighbours of the frontier."""
CLUSTER = FieldWork(per_call=2_000, per_parent=10)
"""A SAME_AS cluster (paths up to 16 links long), then its nodes."""


class QueryRefusedError(GraphTwinError):
    """A query the API will not run; `code` says why (for the error's extensions)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class QueryAnalysis:
    depth: int = 0
    cost: int = 0
    permissions: set[Permission] = field(default_factory=set)
    """Permissions the fields of the query need."""
    introspection: bool = False
    """Whether the query asks for `__schema` or `__type`."""


FieldPermissions = dict[tuple[str, str], Permission]
FieldWorks = dict[tuple[str, str], FieldWork]


def analyse(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    limits: QueryLimits,
    permissions: FieldPermissions,
    work: FieldWorks | None = None,
) -> QueryAnalysis:
    """Depth, cost and needed permissions of `operation`; refuses it when over a limit."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise QueryRefusedError(f"this API has no {operation.operation.value}", "BAD_OPERATION")
    _check_depth(operation.selection_set, fragments, limits.max_depth, depth=1, seen=frozenset())
    walk = _Walk(schema, fragments, variables, limits, permissions, work or {}, QueryAnalysis())
    walk.selections(root, operation.selection_set, depth=1, multiplier=1, page=None,
                    seen=frozenset(), introspection=False)  # fmt: skip
    analysis = walk.analysis
    if analysis.introspection and not limits.introspection:
        raise QueryRefusedError(
            "introspection (__schema, __type) is turned off on this server "
            "(GRAPHTWIN_API_INTROSPECTION=false); docs/schema.graphql is the schema",
            "INTROSPECTION_DISABLED",
        )
    if analysis.cost > limits.max_cost:
        raise QueryRefusedError(
            f"query cost {analysis.cost} is over the limit of {limits.max_cost}: ask for smaller "
            "pages (`first`), fewer nested lists, or fewer aliases of costly fields "
            "(violations, constraints, lineage, introspection)",
            "COST_LIMIT",
        )
    return analysis


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    limits: QueryLimits
    permissions: FieldPermissions
    work: FieldWorks
    analysis: QueryAnalysis

    def selections(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        *,
        depth: int,
        multiplier: int,
        page: int | None,
        seen: frozenset[str],
        introspection: bool,
    ) -> None:
        """`page`: the `first` of an enclosing page object (NodePage), the size of its list."""
        if depth > self.limits.max_depth and not introspection:
            raise QueryRefusedError(
                f"query depth {depth} is over the limit of {self.limits.max_depth}", "DEPTH_LIMIT"
            )
        self.analysis.depth = max(self.analysis.depth, depth)
        if self.analysis.cost > self.limits.max_cost:
            return  # refused already: walking the rest of 1,000 aliases would only cost time
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode | InlineFragmentNode):
                if isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in seen:  # validation refuses cycles; this keeps the walk finite
                        continue
                    fragment = self.fragments[name]
                    condition, inner, now_seen = fragment.type_condition, fragment, seen | {name}
                else:
                    condition, inner, now_seen = selection.type_condition, selection, seen
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.selections(
                    target if isinstance(target, GraphQLObjectType) else parent,
                    inner.selection_set, depth=depth, multiplier=multiplier, page=page,
                    seen=now_seen, introspection=introspection,
                )  # fmt: skip
                continue
            assert isinstance(selection, FieldNode)
            self.field(parent, selection, depth=depth, multiplier=multiplier, page=page,
                       seen=seen, introspection=introspection)  # fmt: skip

    def field(
        self,
        parent: GraphQLObjectType,
        selection: FieldNode,
        *,
        depth: int,
        multiplier: int,
        page: int | None,
        seen: frozenset[str],
        introspection: bool,
    ) -> None:
        name = selection.name.value
        if name == "__typename":
            return
        definition = _definition(parent, name)
        if definition is None:  # validation already refused it; nothing to count
            return
        if name in {"__schema", "__type"}:
            self.analysis.introspection = introspection = True
        needed = self.permissions.get((parent.name, name))
        if needed is not None:
            self.analysis.permissions.add(needed)
        arguments = get_argument_values(definition, selection, self.variables)
        first = arguments.get("first")
        if first is not None and not 1 <= first <= self.limits.max_page:
            raise QueryRefusedError(
                f"`first` of {parent.name}.{name} is {first}: it must be 1 to "
                f"{self.limits.max_page}",
                "PAGE_LIMIT",
            )
        work = self.work.get((parent.name, name))
        if work is not None:
            self.analysis.cost += work.cost(multiplier, arguments)
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType) or selection.selection_set is None:
            return
        if not any(a.name.value == "first" for a in selection.arguments or ()):
            first = None  # the default page is a cap, not an estimate
        is_list = _is_list(definition.type)
        if not is_list:
            size = 1
        elif introspection:
            size = _introspection_sizes(self.schema).get((parent.name, name), 1)
        else:
            size = first or page or self.limits.typical_fan_out
        size *= multiplier
        self.analysis.cost += size
        self.selections(named, selection.selection_set, depth=depth + 1, multiplier=size,
                        page=None if is_list else first, seen=seen,
                        introspection=introspection)  # fmt: skip


def _check_depth(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    limit: int,
    *,
    depth: int,
    seen: frozenset[str],
) -> None:
    """Refuses a document nested deeper than `limit` (introspection exempt), before the cost
    walk, which stops early once over the cost limit and would not get that deep."""
    if depth > limit:
        raise QueryRefusedError(f"query depth {depth} is over the limit of {limit}", "DEPTH_LIMIT")
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                _check_depth(fragments[name].selection_set, fragments, limit, depth=depth,
                             seen=seen | {name})  # fmt: skip
        elif isinstance(selection, InlineFragmentNode):
            _check_depth(selection.selection_set, fragments, limit, depth=depth, seen=seen)
        elif selection.selection_set is not None and selection.name.value not in {
            "__schema",
            "__type",
        }:
            _check_depth(selection.selection_set, fragments, limit, depth=depth + 1, seen=seen)


def _definition(parent: GraphQLObjectType, name: str) -> GraphQLField | None:
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    return parent.fields.get(name)


@cache
def _introspection_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """The size of each introspection list: what `schema` has, at most, in one such list."""
    types = list(schema.type_map.values())
    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    inputs = [t for t in types if isinstance(t, GraphQLInputObjectType)]
    fields = [f for t in with_fields for f in t.fields.values()]
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        ("__Type", "fields"): max((len(t.fields) for t in with_fields), default=0),
        ("__Type", "inputFields"): max((len(t.fields) for t in inputs), default=0),
        ("__Type", "enumValues"): max((len(getattr(t, "values", {})) for t in types), default=0),
        ("__Type", "interfaces"): max(
            (len(getattr(t, "interfaces", ())) for t in with_fields), default=0
        ),
        ("__Type", "possibleTypes"): len(with_fields),
        ("__Field", "args"): max((len(f.args) for f in fields), default=0),
        ("__Directive", "args"): max((len(d.args) for d in schema.directives), default=0),
    }


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)
