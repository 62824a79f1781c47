"""How a GraphQL field gets its value, declared once for both ways of executing a query.

- a plain attribute (no resolver) is the record's key of the same name;
- `@batched(fetcher)` fields load for many parents at once with `fetcher`.

Strawberry runs them field by field (a DataLoader gathers the parents of a batched field); the
planner reads the same declarations and runs each batched field once per query level.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from graphtwin.api.as_of import guarded
from graphtwin.api.context import Fetcher
from graphtwin.api.limits import FieldWork
from graphtwin.api.roles import Permission

FETCHER = "__graphtwin_fetcher__"
PERMISSION = "__graphtwin_permission__"
WORK = "__graphtwin_work__"


def record_value(record: Any, name: str) -> Any:
    """strawberry's default resolver for records (dicts): a missing key is null."""
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


def batched(
    fetcher: Fetcher,
    *,
    description: str,
    permission: Permission | None = None,
    work: FieldWork | None = None,
) -> Callable[[Callable[..., Any]], Any]:
    """A field loaded by `fetcher`; the decorated function only declares arguments and type.

    `work`: what the field costs beyond its objects, for the cost limit (`graphtwin.api.limits`).
    Under a root field asked `asOf` a past time, the field refuses to answer unless `fetcher`
    is `as_of_aware` (`graphtwin.api.as_of`).
    """

    def declare(declaration: Callable[..., Any]) -> Any:
        type_name, _, name = declaration.__qualname__.rpartition(".")
        fetch = guarded(fetcher, f"{type_name}.{to_camel_case(name)}")
        signature = inspect.signature(declaration)
        self_param, *arguments = signature.parameters.values()
        info = inspect.Parameter(
            "info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation="strawberry.Info"
        )

        async def resolve(self: Any, info: strawberry.Info, **kwargs: Any) -> Any:
            return await info.context.batch(fetch, kwargs).load(self)

        resolve.__name__ = declaration.__name__
        resolve.__qualname__ = declaration.__qualname__
        resolve.__module__ = declaration.__module__
        resolve.__doc__ = declaration.__doc__
        resolve.__signature__ = signature.replace(parameters=[self_param, info, *arguments])  # type: ignore[attr-defined]
        resolve.__annotations__ = {**declaration.__annotations__, "info": "strawberry.Info"}
        setattr(resolve, FETCHER, fetch)
        setattr(resolve, PERMISSION, permission)
        setattr(resolve, WORK, work)
        return strawberry.field(resolver=resolve, description=description)

    return declare
