"""What a client sees of an error the server did not expect: a statement Neo4j refused is
graphtwin's own bug, so the client gets only a request id (STORE_ERROR), as for the database's
own errors, while an error the client caused keeps its message."""

from __future__ import annotations

from graphql import ExecutionResult, GraphQLError

from graphtwin.api.execution import _hide_internal_errors
from graphtwin.errors import InputError, StatementRefusedError


def _seen(cause: Exception) -> GraphQLError:
    error = GraphQLError(str(cause), original_error=cause)
    [shown] = _hide_internal_errors(ExecutionResult(data=None, errors=[error]), None).errors  # type: ignore[arg-type]
    return shown


def test_a_refused_statement_reaches_the_client_only_as_a_store_error():
    refused = StatementRefusedError("read/node", "Neo.ClientError.Statement.SyntaxError", "oops")
    shown = _seen(refused)
    assert shown.extensions is not None and shown.extensions["code"] == "STORE_ERROR"
    assert "read/node" not in shown.message and "oops" not in shown.message


def test_an_error_the_client_caused_keeps_its_message():
    shown = _seen(InputError("no such twin entity", entity="ahu-9"))
    assert shown.message == "ahu-9: no such twin entity"
