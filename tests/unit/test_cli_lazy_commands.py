"""The CLI loads a command's module only when that command runs."""

from __future__ import annotations

import subprocess
import sys

import typer
from typer.core import TyperGroup

from graphtwin.cli.main import COMMANDS, app

HEAVY = {
    "torch", "torch_geometric", "strawberry", "fastapi", "ifcopenshell", "brickschema",
    "rdflib", "asyncua", "pymodbus", "pandas", "pyarrow", "numpy", "pyenergyplus",
}  # fmt: skip
"""Libraries only the commands that use them may load (issue 21: a CLI that starts at once)."""


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split())


def test_importing_the_cli_loads_no_command_module_nor_the_driver():
    loaded = _loaded_after("import graphtwin.cli.main")
    assert "graphtwin.cli.main" in loaded
    assert not {"neo4j", "graphtwin.api.schema", "graphtwin.simulation", *HEAVY} & loaded
    assert not {t.partition(":")[0] for t in COMMANDS.values()} & loaded


def test_every_registered_command_loads_under_its_name_with_its_help():
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    context = typer.Context(group)
    listed = group.list_commands(context)
    assert listed[: len(COMMANDS)] == list(COMMANDS)
    for name in COMMANDS:
        command = group.get_command(context, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(), name
    assert group.get_command(context, "no-such-command") is None
