"""One GraphQL operation: parse (cached), validate, check limits and permissions, execute.

`TwinSchema.execute` is what the HTTP layer calls. Queries the planner supports run through
it; everything else (mutations, introspection) runs through strawberry after the same checks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from neo4j.exceptions import DriverError, Neo4jError
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType

from graphtwin.api.context import ApiContext
from graphtwin.api.limits import FieldPermissions, QueryRefusedError, analyse
from graphtwin.api.metrics import OPERATION_SECONDS, OPERATIONS
from graphtwin.api.planner import Planner
from graphtwin.api.roles import Permission
from graphtwin.errors import InputError

log = logging.getLogger(__name__)

_PARSE_CACHE = 512


class TwinSchema(strawberry.Schema):
    """The strawberry schema, executed with graphtwin's checks and its planner."""

    def __init__(self, *args: Any, field_permissions: FieldPermissions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_permissions = field_permissions
        # One planner per set of limits (QueryLimits is frozen, hence a cache key).
        self._planner = cache(lambda limits: Planner(self._schema, limits))
        self._document = lru_cache(maxsize=_PARSE_CACHE)(self._parse_and_validate)

    def _parse_and_validate(self, query: str) -> DocumentNode | list[GraphQLError]:
        try:
            document = parse(query)
        except GraphQLError as error:
            return [error]
        errors = validate(self._schema, document)
        return errors or document

    def planner(self, context: ApiContext) -> Planner:
        return self._planner(context.services.limits)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[StrawberryOperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        started = time.perf_counter()
        kind, outcome = "unknown", "error"
        try:
            if not query:
                return _refused("no GraphQL query in the request", "BAD_REQUEST")
            document = self._document(query)
            if isinstance(document, list):
                outcome = "invalid"
                return ExecutionResult(data=None, errors=document)
            operation, fragments = _operation(document, operation_name)
            kind = operation.operation.value
            allowed = {t.value for t in allowed_operation_types or StrawberryOperationType}
            if kind not in allowed:
                outcome = "refused"
                # strawberry's view answers this with 400 (e.g. a mutation sent with GET)
                raise InvalidOperationTypeError(StrawberryOperationType(kind))
            variables = get_variable_values(
                self._schema, operation.variable_definitions or (), variable_values or {}
            )
            if isinstance(variables, list):
                outcome = "invalid"
                return ExecutionResult(data=None, errors=variables)
            assert isinstance(context_value, ApiContext)
            analysis = analyse(self._schema, operation, fragments, variables,
                               context_value.services.limits, self.field_permissions)  # fmt: skip
            missing = _missing(context_value, analysis.permissions)
            if missing:
                outcome = "forbidden"
                if context_value.response is not None:
                    context_value.response.status_code = 403
                return _refused(
                    f"role {context_value.principal.role.value!r} may not "
                    f"{', '.join(sorted(p.value for p in missing))}: ask for a key with a role "
                    "that may",
                    "FORBIDDEN",
                )
            planner = self.planner(context_value)
            if planner.supports(operation, fragments):
                data = await planner.execute(context_value, operation, fragments, variables)
                outcome = "ok"
                return ExecutionResult(data=data, errors=None)
            result = await super().execute(
                query,
                variable_values=variable_values,
                context_value=context_value,
                root_value=root_value,
                operation_name=operation_name,
                allowed_operation_types=allowed_operation_types,
                operation_extensions=operation_extensions,
            )
            outcome = "ok" if not result.errors else "error"
            return result
        except QueryRefusedError as refused:
            outcome = "refused"
            return _refused(str(refused), refused.code)
        except InputError as error:
            outcome = "invalid"
            return _refused(str(error), "BAD_INPUT")
        except (Neo4jError, DriverError) as error:
            log.exception("GraphQL operation failed in Neo4j")
            return _refused(f"the twin database failed: {error}", "STORE_ERROR")
        finally:
            OPERATIONS.labels(kind, outcome).inc()
            OPERATION_SECONDS.labels(kind).observe(time.perf_counter() - started)


def _operation(
    document: DocumentNode, name: str | None
) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        operations = [o for o in operations if o.name and o.name.value == name]
    if len(operations) != 1:
        raise QueryRefusedError(
            "name the operation to run (operationName)"
            if name is None
            else f"no operation named {name!r}",
            "BAD_REQUEST",
        )
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return operations[0], fragments


def _missing(context: ApiContext, needed: set[Permission]) -> set[Permission]:
    principal = context.principal
    if principal is None:
        return needed | {Permission.READ}
    return {p for p in needed | {Permission.READ} if not principal.may(p)}


def _refused(message: str, code: str) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])
