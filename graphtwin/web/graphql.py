"""The pages' one way to the twin: a GraphQL document of `queries/`, run in-process.

`await graphql(request, "inbox", scope="campus", first=50)` executes `queries/inbox.graphql`
with those variables against the API's own schema (`app.state.schema`), with an `ApiContext`
for the signed-in key: the API's permission checks, limits, time limit and error rules apply as
they do to `/graphql`. An error is never an empty page: it raises `WebActionError` naming the
document and the API's message, with 403 for a permission, 400 for bad input, 404 for a twin id
that does not exist, 504 past the time limit, 500/503 for the server's own failures.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from graphql import GraphQLError

from graphtwin.api.context import ApiContext
from graphtwin.errors import (
    GraphTwinError,
    InputError,
    StatementRefusedError,
    StoreUnavailableError,
    TwinNotFoundError,
)
from graphtwin.web.errors import NotSignedInError, WebActionError
from graphtwin.web.session import services_of

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_STATUS_OF_CODE = {
    "FORBIDDEN": 403,
    "UNAUTHENTICATED": 401,
    "BAD_INPUT": 400,
    "BAD_REQUEST": 400,
    "TIME_LIMIT": 504,
    "STORE_ERROR": 500,
    "INTERNAL_ERROR": 500,
}


@cache
def document(name: str) -> str:
    """The text of `queries/<name>.graphql` (read once). A name that is not a document of the
    package is a bug of the page: `WebActionError` 500."""
    if not _NAME.fullmatch(name):
        raise WebActionError(name, "not a GraphQL document name", status=500)
    path = resources.files("graphtwin.web").joinpath(f"queries/{name}.graphql")
    if not path.is_file():
        raise WebActionError(name, f"no document graphtwin/web/queries/{name}.graphql", status=500)
    return path.read_text("utf-8")


async def graphql(request: Request, name: str, **variables: Any) -> dict[str, Any]:
    """The `data` of document `name` run with `variables` as the signed-in key (the page must
    depend on `SignedIn` or `CsrfChecked`); `WebActionError` on any GraphQL error."""
    session = getattr(request.state, "session", None)
    if session is None:
        raise NotSignedInError(f"{name}: a page ran a GraphQL document without a session")
    context = ApiContext(services_of(request), session.principal)
    context.request = request
    result = await request.app.state.schema.execute(
        document(name), variable_values=variables, context_value=context
    )
    if result.errors:
        raise WebActionError(
            name, "; ".join(e.message for e in result.errors), status=status_of(result.errors)
        )
    return result.data or {}


def status_of(errors: list[GraphQLError]) -> int:
    """The HTTP status for a GraphQL answer's errors: the most serious one decides (a server
    failure before a refusal, a refusal before bad input)."""
    return max(_status(error) for error in errors)


def _status(error: GraphQLError) -> int:
    code = (error.extensions or {}).get("code")
    if code in _STATUS_OF_CODE:
        return _STATUS_OF_CODE[code]
    cause = error.original_error
    if isinstance(cause, TwinNotFoundError):
        return 404
    if isinstance(cause, InputError):
        return 400
    if isinstance(cause, StoreUnavailableError):
        return 503
    if isinstance(cause, StatementRefusedError):
        return 500  # graphtwin's own statement was refused: our fault, not the input's
    if isinstance(cause, GraphTwinError):
        return 400
    if cause is None:
        return 400  # the document or its variables did not validate: the input was wrong
    return 500
