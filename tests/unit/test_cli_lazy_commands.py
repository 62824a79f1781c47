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


def test_the_cli_loads_the_driver_without_pandas_and_pandas_still_imports_after():
    probe = (
        "import graphtwin.cli.main, graphtwin.cli.guard, sys, neo4j\n"
        "print('pandas' in sys.modules, 'pyarrow' in sys.modules, neo4j._optional_deps.pd)\n"
        "import pandas, pyarrow\n"
        "print(pandas.Timestamp('2026-01-01').year, pyarrow.array([1]).to_pylist())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split("\n")[:2] == ["False False None", "2026 [1]"]


def test_a_driver_imported_after_pandas_keeps_its_dataframe_support():
    probe = "import pandas, graphtwin.cli.main, neo4j\nprint(neo4j._optional_deps.pd is pandas)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "True"


def test_detection_by_rules_alone_loads_no_torch():
    loaded = _loaded_after(
        "import graphtwin.cli.ml_cmd, graphtwin.ml.workflow, graphtwin.ml.detection"
    )
    assert "graphtwin.ml.workflow" in loaded
    assert not {"torch", "torch_geometric"} & loaded
