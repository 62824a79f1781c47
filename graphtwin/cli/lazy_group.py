"""Commands that load when they run: `graphtwin db status` imports the database commands, not the
API, the simulation and the importers of every other command.

A `LazyGroup` is the click group behind a Typer app that also knows commands by name only, as
`"module:attribute"`: the attribute is a Typer app (a command group) or a function (one
command). Each loads the first time click asks for it (when it runs, or when `--help` lists the
commands).

    app = typer.Typer(cls=lazy_group({"db": "graphtwin.cli.db_cmd:app"}))
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import typer
from typer.core import TyperGroup


def _load(name: str, target: str) -> Any:
    """The click command (typer's vendored click) of the command or group at `target`."""
    module_name, _, attribute = target.partition(":")
    found = getattr(importlib.import_module(module_name), attribute)
    if isinstance(found, typer.Typer):
        command = typer.main.get_group(found)
    else:
        single = typer.Typer()
        single.command(name=name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


def lazy_group(commands: Mapping[str, str]) -> type[TyperGroup]:
    """A TyperGroup class that adds `commands` (name -> "module:attribute"), loaded on use."""
    lazy = dict(commands)

    class LazyGroup(TyperGroup):
        def list_commands(self, ctx: typer.Context) -> list[str]:
            return [*lazy, *(n for n in super().list_commands(ctx) if n not in lazy)]

        def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
            if cmd_name not in self.commands and cmd_name in lazy:
                self.add_command(_load(cmd_name, lazy[cmd_name]), cmd_name)
            return super().get_command(ctx, cmd_name)

    return LazyGroup
