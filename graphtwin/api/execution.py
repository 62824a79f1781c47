"""One GraphQL operation: parse (cached), validate, check limits and permissions, execute.

`TwinSchema.execute` is what the HTTP layer calls. Queries the planner supports run through
it; everything else (mutations, introspection) runs through strawberry after the same checks.
A query runs under the time limit (`QueryLimits.timeout_s`), cancelled with its Neo4j
transactions when it runs past it. An error the client did not cause (the database failed, a
bug) is never shown: it is logged with the request's id, and the answer names only that id.
"""

from __future__ import annotations

import asyncio
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

from graphtwin.api.context import ApiContext, _hashable
from graphtwin.api.limits import (
    FieldPermissions,
    FieldWorks,
    QueryAnalysis,
    QueryLimits,
    QueryRefusedError,
    analyse,
)
from graphtwin.api.metrics import OPERATION_SECONDS, OPERATIONS
from graphtwin.api.planner import Planner
from graphtwin.api.roles import Permission
from graphtwin.errors import GraphTwinError, InputError, StatementRefusedError

log = logging.getLogger(__name__)

_PARSE_CACHE = 512


class TwinSchema(strawberry.Schema):
    """The strawberry schema, executed with graphtwin's checks and its planner."""

    def __init__(self, *args: Any, field_permissions: FieldPermissions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_permissions = field_permissions
        self.field_work: FieldWorks = {}
        """What costly fields cost beyond their objects (`@batched(work=...)`)."""
        # One planner per set of limits (QueryLimits is frozen, hence a cache key) and fusion.
        self._planner = cache(lambda limits, fuse: Planner(self._schema, limits, fuse=fuse))
        self._document = lru_cache(maxsize=_PARSE_CACHE)(self._parse_and_validate)
        # A client that sends the same refused query again and again is refused from here.
        self._analysis = lru_cache(maxsize=_PARSE_CACHE)(self._analyse)

    def _parse_and_validate(self, query: str, max_tokens: int) -> DocumentNode | list[GraphQLError]:
        try:
            document = parse(query, max_tokens=max_tokens)
        except GraphQLError as error:
            return [error]
        errors = validate(self._schema, document)
        return errors or document

    def _analyse(
        self,
        query: str,
        operation_name: str | None,
        variables: Any,
        limits: QueryLimits,
        parsed: _Same,
    ) -> QueryAnalysis | QueryRefusedError:
        """The analysis of one (query, operation, variables) for `limits`, or its refusal.
        `parsed` (operation, fragments, coerced variables) follows from the rest: no key."""
        operation, fragments, values = parsed.value
        try:
            return analyse(self._schema, operation, fragments, values, limits,
                           self.field_permissions, self.field_work)  # fmt: skip
        except QueryRefusedError as refused:
            return refused

    def _cached_analysis(
        self,
        query: str,
        operation_name: str | None,
        raw_variables: dict[str, Any] | None,
        limits: QueryLimits,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        values: dict[str, Any],
    ) -> QueryAnalysis:
        parsed = _Same((operation, fragments, values))
        try:
            key = _hashable(raw_variables or {})
            hash(key)
        except TypeError:  # a variable value that cannot be a key: analysed every time
            result = self._analyse(query, operation_name, None, limits, parsed)
        else:
            result = self._analysis(query, operation_name, key, limits, parsed)
        if isinstance(result, QueryRefusedError):  # a new one: a raise extends a traceback
            raise QueryRefusedError(str(result), result.code)
        return result

    def planner(self, context: ApiContext) -> Planner:
        services = context.services
        return self._planner(services.limits, services.settings.api_fusion)

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
        clock: asyncio.Timeout | None = None
        try:
            if not query:
                return _refused("no GraphQL query in the request", "BAD_REQUEST")
            assert isinstance(context_value, ApiContext)
            limits = context_value.services.limits
            document = self._document(query, limits.max_tokens)
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
            analysis = self._cached_analysis(query, operation_name, variable_values, limits,
                                             operation, fragments, variables)  # fmt: skip
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
            # Mutations are not cut off midway: an import is bounded by its own limits.
            time_limit = limits.timeout_s if kind == "query" else None
            if time_limit is not None:
                context_value.deadline = time.monotonic() + time_limit
            planner = self.planner(context_value)
            async with asyncio.timeout(time_limit) as clock:
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
            return _hide_internal_errors(result, context_value)
        except TimeoutError as error:
            if clock is None or not clock.expired():  # not the time limit: another wait's
                return _internal(error, context_value)
            outcome = "timeout"
            return _refusal(_too_slow(context_value.services.limits.timeout_s))
        except QueryRefusedError as refused:
            outcome = "refused"
            return _refused(str(refused), refused.code)
        except InputError as error:
            outcome = "invalid"
            return _refused(str(error), "BAD_INPUT")
        except (Neo4jError, DriverError) as error:
            if _timed_out(error):
                outcome = "timeout"
                return _refusal(_too_slow(context_value.services.limits.timeout_s))
            return _internal(error, context_value)
        except InvalidOperationTypeError:
            raise
        except Exception as error:  # a bug: logged with its traceback, the client gets the id
            return _internal(error, context_value)
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


class _Same:
    """A value passed through the analysis cache that is not part of its key (it follows from
    the key): every `_Same` is equal to every other."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same)

    def __hash__(self) -> int:
        return 0


def _refused(message: str, code: str) -> ExecutionResult:
    return _refusal(GraphQLError(message, extensions={"code": code}))


def _refusal(error: GraphQLError) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[error])


def _too_slow(limit_s: float, path: Any = None) -> GraphQLError:
    return GraphQLError(
        f"the query ran past the time limit of {limit_s:g} s and was stopped: ask for less "
        "(smaller pages, fewer nested lists or aliases, a smaller scope)",
        path=path,
        extensions={"code": "TIME_LIMIT"},
    )


def _timed_out(error: Exception) -> bool:
    """Whether Neo4j stopped a transaction because it ran past its timeout."""
    code = getattr(error, "code", None) or ""
    return code.startswith("Neo.ClientError.Transaction.TransactionTimedOut")


def _internal_error(error: BaseException, context: Any, path: Any = None) -> GraphQLError:
    """The error a client sees for `error`, which it did not cause: only the request's id.
    The error itself, with its traceback, goes to the server's log under that id."""
    request_id = context.request_id if isinstance(context, ApiContext) else "unknown"
    store = isinstance(error, Neo4jError | DriverError | StatementRefusedError)
    log.error(
        "request %s: %s: %s",
        request_id,
        "the twin database failed" if store else "internal error",
        type(error).__name__,
        exc_info=error,
    )
    what = "the twin database could not answer" if store else "the server failed"
    return GraphQLError(
        f"{what}; the server's log has the details under request id {request_id}",
        path=path,
        extensions={"code": "STORE_ERROR" if store else "INTERNAL_ERROR", "requestId": request_id},
    )


def _internal(error: BaseException, context: Any) -> ExecutionResult:
    return _refusal(_internal_error(error, context))


def _hide_internal_errors(result: ExecutionResult, context: ApiContext) -> ExecutionResult:
    """strawberry's result with every error the client did not cause replaced by its id: what
    a client did wrong (a `GraphTwinError`, a refusal, a GraphQL error) stays as it is; a
    statement Neo4j refused is graphtwin's own bug, hidden like the database's errors."""
    if not result.errors:
        return result
    errors = []
    for error in result.errors:
        cause = error.original_error
        if cause is None or (
            isinstance(cause, GraphTwinError | GraphQLError)
            and not isinstance(cause, StatementRefusedError)
        ):
            errors.append(error)
        elif isinstance(cause, Neo4jError | DriverError) and _timed_out(cause):
            errors.append(_too_slow(context.services.limits.timeout_s, error.path))
        else:
            errors.append(_internal_error(cause, context, error.path))
    return ExecutionResult(data=result.data, errors=errors, extensions=result.extensions)
