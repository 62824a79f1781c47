"""What a query may ask for: depth, estimated cost, page sizes and the caller's permissions.

Checked on the parsed document before anything runs, so an abusive or forbidden query costs
the database nothing. The cost is an estimate of the objects a query can return: every object
field costs 1, times the sizes of the lists it is nested in. A list's size is its `first`
argument when given, otherwise a typical fan-out; traversals count their `first` too. The planner
also stops a query whose real result grows past `max_result_objects`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
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

from graphtwin.api.roles import Permission


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 12
    """Nested selection sets, the operation's own included: site > building > floor > space >
    equipment > point > current value is 8."""
    max_cost: int = 1_000_000
    max_page: int = 1_000
    """Largest `first` of any list."""
    typical_fan_out: int = 10
    """Assumed size of a list whose `first` is not given."""
    max_result_objects: int = 250_000


class QueryRefusedError(Exception):
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


FieldPermissions = dict[tuple[str, str], Permission]


def analyse(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    limits: QueryLimits,
    permissions: FieldPermissions,
) -> QueryAnalysis:
    """Depth, cost and needed permissions of `operation`; refuses it when over a limit."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise QueryRefusedError(f"this API has no {operation.operation.value}", "BAD_OPERATION")
    analysis = QueryAnalysis()
    _walk(schema, root, operation.selection_set, fragments, variables, limits, permissions,
          analysis, depth=1, multiplier=1, page=None, seen=frozenset())  # fmt: skip
    if analysis.cost > limits.max_cost:
        raise QueryRefusedError(
            f"query cost {analysis.cost} is over the limit of {limits.max_cost}: ask for smaller "
            "pages (`first`) or fewer nested lists",
            "COST_LIMIT",
        )
    return analysis


def _walk(
    schema: GraphQLSchema,
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    limits: QueryLimits,
    permissions: FieldPermissions,
    analysis: QueryAnalysis,
    *,
    depth: int,
    multiplier: int,
    page: int | None,
    seen: frozenset[str],
) -> None:
    """`page`: the `first` of an enclosing page object (NodePage), the size of its list."""
    if depth > limits.max_depth:
        raise QueryRefusedError(
            f"query depth {depth} is over the limit of {limits.max_depth}", "DEPTH_LIMIT"
        )
    analysis.depth = max(analysis.depth, depth)
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen:  # validation refuses cycles; this keeps the walk finite anyway
                continue
            fragment = fragments[name]
            target = schema.get_type(fragment.type_condition.name.value)
            _walk(schema, target if isinstance(target, GraphQLObjectType) else parent,
                  fragment.selection_set, fragments, variables, limits, permissions, analysis,
                  depth=depth, multiplier=multiplier, page=page, seen=seen | {name})  # fmt: skip
            continue
        if isinstance(selection, InlineFragmentNode):
            target = (
                schema.get_type(selection.type_condition.name.value)
                if selection.type_condition
                else parent
            )
            _walk(schema, target if isinstance(target, GraphQLObjectType) else parent,
                  selection.selection_set, fragments, variables, limits, permissions, analysis,
                  depth=depth, multiplier=multiplier, page=page, seen=seen)  # fmt: skip
            continue
        assert isinstance(selection, FieldNode)
        name = selection.name.value
        if name.startswith("__"):
            continue
        definition = parent.fields[name]
        needed = permissions.get((parent.name, name))
        if needed is not None:
            analysis.permissions.add(needed)
        arguments = get_argument_values(definition, selection, variables)
        first = arguments.get("first")
        if first is not None and not 1 <= first <= limits.max_page:
            raise QueryRefusedError(
                f"`first` of {parent.name}.{name} is {first}: it must be 1 to {limits.max_page}",
                "PAGE_LIMIT",
            )
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType) or selection.selection_set is None:
            continue
        if not any(a.name.value == "first" for a in selection.arguments or ()):
            first = None  # the default page is a cap, not an estimate
        is_list = _is_list(definition.type)
        size = multiplier * ((first or page or limits.typical_fan_out) if is_list else 1)
        analysis.cost += size
        _walk(schema, named, selection.selection_set, fragments, variables, limits, permissions,
              analysis, depth=depth + 1, multiplier=size, page=None if is_list else first,
              seen=seen)  # fmt: skip


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)
