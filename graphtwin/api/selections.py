"""The fields a selection asks for, by response key: fragments expanded, @skip/@include applied.

Shared by the per-level planner (`graphtwin.api.planner`) and the fused statements
(`graphtwin.api.fused_cypher`), so both see the same fields in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLIncludeDirective,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import get_directive_values


def collect_fields(
    selection_sets: Iterable[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> dict[str, list[FieldNode]]:
    """Response key -> its field nodes, in the order the selections ask for them.

    Example: `{ a: name ...f }` with `fragment f on Node { name }` gives
    `{"a": [<name>], "name": [<name>]}`.
    """
    fields: dict[str, list[FieldNode]] = {}

    def visit(selection_set: SelectionSetNode, seen: frozenset[str]) -> None:
        for selection in selection_set.selections:
            if not included(selection, variables):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                visit(selection.selection_set, seen)
            elif selection.name.value not in seen:
                fragment = fragments[selection.name.value]
                visit(fragment.selection_set, seen | {selection.name.value})

    for selection_set in selection_sets:
        visit(selection_set, frozenset())
    return fields


def included(node: Any, variables: dict[str, Any]) -> bool:
    """Whether `@skip`/`@include` keep `node` in the selection."""
    skip = get_directive_values(GraphQLSkipDirective, node, variables)
    if skip and skip.get("if"):
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, variables)
    return not (include and not include.get("if"))
