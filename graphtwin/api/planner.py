"""Executes query operations level by level: one fetch per field per level, for all parents.

graphql-core resolves and completes every field of every object one at a time; for a building
with 10,000 points that is 60,000 calls and most of a second in Python. The planner walks the
validated selection set breadth-first instead: each batched field runs its fetcher once for all
the objects of its level (no N+1), plain fields are read straight off the records,
and sibling fields run concurrently. It reads the same field declarations as strawberry
(`graphtwin.api.fields`), so the two agree; a test runs queries both ways and compares. What it
does not know (introspection, mutations, a resolver it has no plan for) strawberry executes.

Where a field and everything asked under it is a chain of hierarchy fields with node-view
fields only (`node { children { children { points { current { value } } } } }`), the planner
runs the one statement `graphtwin.api.fused_cypher` compiles for it instead of a statement per
level; the answer is the same JSON (a test compares them), the result limit counts its objects
the same way, and the fields under parents read as of a past time always go level by level.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values
from strawberry.utils.str_converters import to_camel_case

from graphtwin.api.as_of import as_of_of
from graphtwin.api.context import ApiContext, _hashable
from graphtwin.api.fields import FETCHER
from graphtwin.api.fused_cypher import FusedCypher, FusedStatement
from graphtwin.api.limits import QueryLimits, QueryRefusedError
from graphtwin.api.selections import collect_fields
from graphtwin.gc_pause import gc_paused

_DEFINITION = "strawberry-definition"


@dataclass(frozen=True, slots=True)
class FieldPlan:
    how: str
    """"key" (read the record) or "batched" (a fetcher)."""
    python_name: str
    function: Callable[..., Any] | None
    arguments: dict[str, str]
    """GraphQL argument name -> Python parameter name."""
    definition: GraphQLField
    object_type: GraphQLObjectType | None
    """The object type of the value, None for a leaf (scalar, enum)."""
    is_list: bool


def _plan_field(definition: GraphQLField) -> FieldPlan | None:
    field = (definition.extensions or {}).get(_DEFINITION)
    if field is None:
        return None
    resolver = field.base_resolver
    arguments = {a.graphql_name or to_camel_case(a.python_name): a.python_name
                 for a in field.arguments}  # fmt: skip
    named = get_named_type(definition.type)
    object_type = named if isinstance(named, GraphQLObjectType) else None
    type_ = definition.type
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    is_list = isinstance(type_, GraphQLList)
    if resolver is None:
        return FieldPlan("key", field.python_name, None, {}, definition, object_type, is_list)
    function = resolver.wrapped_func
    if getattr(function, FETCHER, None) is not None:
        fetcher = getattr(function, FETCHER)
        return FieldPlan("batched", field.python_name, fetcher, arguments, definition,
                         object_type, is_list)  # fmt: skip
    return None


class Planner:
    def __init__(self, schema: GraphQLSchema, limits: QueryLimits, *, fuse: bool = True) -> None:
        """`fuse`: answer chains of hierarchy fields with one statement each (`FusedCypher`);
        without it, every field and level reads on its own (the general path)."""
        self._schema = schema
        self._limits = limits
        self._plan = cache(self._plan_uncached)
        self._fusion = FusedCypher(schema) if fuse else None

    def _plan_uncached(self, type_name: str, field_name: str) -> FieldPlan | None:
        parent = self._schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        return _plan_field(parent.fields[field_name])

    def supports(
        self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
    ) -> bool:
        """Whether every field of a query operation has a plan (else strawberry runs it)."""
        if operation.operation is not OperationType.QUERY:
            return False
        root = self._schema.query_type
        assert root is not None
        return self._supports(root, operation.selection_set, fragments, set())

    def _supports(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fragments: dict[str, FragmentDefinitionNode],
        seen: set[str],
    ) -> bool:
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                if selection.name.value in seen:
                    continue
                seen.add(selection.name.value)
                fragment = fragments[selection.name.value]
                if not self._supports(parent, fragment.selection_set, fragments, seen):
                    return False
            elif isinstance(selection, InlineFragmentNode):
                if not self._supports(parent, selection.selection_set, fragments, seen):
                    return False
            else:
                name = selection.name.value
                if name == "__typename":
                    continue
                if name.startswith("__"):
                    return False
                plan = self._plan(parent.name, name)
                if plan is None:
                    return False
                nested = plan.object_type is not None and selection.selection_set is not None
                if nested and not self._supports(
                    plan.object_type, selection.selection_set, fragments, seen
                ):
                    return False
        return True

    async def execute(
        self,
        context: ApiContext,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> dict[str, Any]:
        run = _Run(self, context, fragments, variables)
        root = self._schema.query_type
        assert root is not None
        # A large answer is tens of thousands of small dicts that live until it is sent: the
        # cyclic collector would scan them again and again for nothing.
        with gc_paused():
            [data] = await run.level(root, [None], [operation.selection_set])
        return data


class _Run:
    """One execution: its context, fragments, variables and the objects returned so far."""

    def __init__(
        self,
        planner: Planner,
        context: ApiContext,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.planner = planner
        self.context = context
        self.fragments = fragments
        self.variables = variables
        self.objects = 0
        self._fetches: dict[tuple[int, Any, Any], tuple[list[Any], asyncio.Future[list[Any]]]] = {}
        """Fetches under way or done, by parents, fetcher and arguments: aliases of one field
        with the same arguments (1,000 `violations(scope: "x")`) share one fetch."""

    async def level(
        self,
        type_: GraphQLObjectType,
        parents: list[Any],
        selection_sets: list[SelectionSetNode],
    ) -> list[dict[str, Any]]:
        """The output objects of `parents` (all of type `type_`) for the merged selections."""
        self._count(len(parents))
        fields = collect_fields(selection_sets, self.fragments, self.variables)
        values = await asyncio.gather(
            *(self._field(type_, parents, nodes) for nodes in fields.values())
        )
        outputs: list[dict[str, Any]] = [{} for _ in parents]
        for key, column in zip(fields, values, strict=True):
            for output, value in zip(outputs, column, strict=True):
                output[key] = value
        return outputs

    async def _field(
        self, type_: GraphQLObjectType, parents: list[Any], nodes: list[FieldNode]
    ) -> list[Any]:
        name = nodes[0].name.value
        if name == "__typename":
            return [type_.name] * len(parents)
        plan = self.planner._plan(type_.name, name)
        assert plan is not None  # `supports` said so
        args = get_argument_values(plan.definition, nodes[0], self.variables)
        kwargs = {plan.arguments[k]: v for k, v in args.items()}
        fused = self._fused(type_, parents, nodes) if plan.how == "batched" else None
        if fused is not None:
            rows = await self.context.read_compiled(fused.text, fused.parameters)
            values, objects = fused.answer(rows, parents)
            self._count(objects)
            return values
        if plan.how == "key":
            key = plan.python_name
            values = [p.get(key) for p in parents]
        else:
            assert plan.function is not None
            values = await self._fetch(plan.function, parents, kwargs)
        if plan.object_type is None:
            return values
        selections = [n.selection_set for n in nodes if n.selection_set is not None]
        if plan.is_list:
            flat = [item for items in values if items for item in items]
            done = iter(await self.level(plan.object_type, flat, selections))
            return [None if items is None else [next(done) for _ in items] for items in values]
        present = [v for v in values if v is not None]
        done = iter(await self.level(plan.object_type, present, selections))
        return [None if v is None else next(done) for v in values]

    def _count(self, objects: int) -> None:
        """Count `objects` more in the answer; refused past `max_result_objects`."""
        self.objects += objects
        limit = self.planner._limits.max_result_objects
        if self.objects > limit:
            raise QueryRefusedError(
                f"the result has more than {limit} objects: ask for smaller pages", "RESULT_LIMIT"
            )

    def _fused(
        self, type_: GraphQLObjectType, parents: list[Any], nodes: list[FieldNode]
    ) -> FusedStatement | None:
        """The one statement that answers the field `nodes` and everything under it, where
        there is one (never for parents read as of a past time: the planner reads those)."""
        fusion = self.planner._fusion
        if fusion is None or as_of_of(parents) is not None:
            return None
        ids = [p["twin_id"] for p in parents] if type_.name == "Node" else []
        return fusion.compile(type_.name, nodes, self.fragments, self.variables, ids)

    def _fetch(
        self, function: Callable[..., Any], parents: list[Any], kwargs: dict[str, Any]
    ) -> asyncio.Future[list[Any]]:
        key = (id(parents), function, _hashable(kwargs))
        found = self._fetches.get(key)
        if found is None:  # the parents are kept with it: their id is not reused meanwhile
            found = parents, asyncio.ensure_future(function(self.context, parents, **kwargs))
            self._fetches[key] = found
        return found[1]
