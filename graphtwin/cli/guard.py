"""Turn graphtwin and Neo4j errors into a message on stderr and the right exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from neo4j.exceptions import DriverError, Neo4jError

from graphtwin.cli.output import fail, fail_store
from graphtwin.errors import GraphTwinError

P = ParamSpec("P")
R = TypeVar("R")


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Exit 2 for invalid input, 1 for any other known failure; a clear message either way."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except GraphTwinError as exc:
            raise typer.Exit(fail(exc)) from exc
        except (Neo4jError, DriverError) as exc:
            raise typer.Exit(fail_store(exc)) from exc

    return run
