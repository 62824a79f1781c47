"""Imports flow one way, downward: no module imports from a layer above its own, and no two
packages import each other. The layers are the table of docs/architecture.md, read from there."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

from tests.support.source_modules import ROOT, SourceModule, source_modules

DOC = ROOT / "docs" / "architecture.md"

EXCEPTIONS: dict[tuple[str, str], str] = {}
"""(module, imported module or name) -> why that import from a layer above stays for now."""

_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([\w.]+)`\s*\|")


def documented_layers(text: str) -> dict[str, int]:
    """Package -> layer, from the rows of the doc's table (`| 2 | \\`graphtwin.drift\\` | ...`)."""
    return {m[2]: int(m[1]) for line in text.splitlines() if (m := _ROW.match(line))}


def package_of(module: str, layers: dict[str, int]) -> str | None:
    """The longest documented package `module` is in (`graphtwin.store.loader` ->
    `graphtwin.store`; `graphtwin` itself only for the package's own `__init__`)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in layers and (name != "graphtwin" or module == "graphtwin"):
            return name
    return None


def imports_of(module: SourceModule) -> list[tuple[int, str]]:
    """(line, imported module) for every import of `module`, inside functions too; `from X
    import Y` counts as X.Y (Y may be a module), relative imports resolved."""
    found = []
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def check(
    modules: Iterable[SourceModule], layers: dict[str, int]
) -> tuple[list[str], list[str], set[tuple[str, str]]]:
    """(modules in no documented package, imports from a layer above or loops between two
    packages, the EXCEPTIONS that were met)."""
    unplaced, upward, excused = [], [], set()
    uses: dict[tuple[str, str], str] = {}
    for source in modules:
        module, path = source.name, source.path
        own = package_of(module, layers)
        if own is None:
            unplaced.append(module)
            continue
        for line, imported in imports_of(source):
            other = package_of(imported, layers)
            if other is None or other == own:
                continue
            excuse = next(
                (k for k in EXCEPTIONS if k[0] == module and _within(imported, k[1])), None
            )
            if excuse is not None:
                excused.add(excuse)
                continue
            where = f"{path}:{line}"
            uses.setdefault((own, other), where)
            if layers[other] > layers[own]:
                upward.append(
                    f"{where}: {module} (layer {layers[own]}, {own}) imports {imported} "
                    f"(layer {layers[other]}, {other})"
                )
    loops = [
        f"{a} and {b} import each other ({uses[(a, b)]}; {uses[(b, a)]})"
        for (a, b) in uses
        if a < b and (b, a) in uses
    ]
    return unplaced, upward + loops, excused


def _within(imported: str, name: str) -> bool:
    return imported == name or imported.startswith(name + ".")


def test_no_module_imports_from_a_layer_above_its_own():
    layers = documented_layers(DOC.read_text(encoding="utf-8"))
    assert layers["graphtwin.errors"] == 0 and layers["graphtwin.cli"] == max(layers.values())
    unplaced, wrong, excused = check(source_modules(), layers)
    assert unplaced == [], "give these a row in docs/architecture.md's table"
    assert wrong == []
    assert excused == set(EXCEPTIONS), "an exception no longer needed: remove it"


def _module(name: str, path: str, source: str) -> SourceModule:
    return SourceModule(name, Path(path), ast.parse(source))


def test_an_import_from_above_and_a_loop_are_named_with_module_line_and_import():
    layers = {"graphtwin.errors": 0, "graphtwin.store": 1, "graphtwin.audit": 1, "graphtwin.cli": 2}
    modules = [
        _module("graphtwin.errors", "graphtwin/errors.py", "import os\n"),
        _module(
            "graphtwin.store.loader",
            "graphtwin/store/loader.py",
            "from graphtwin.errors import InputError\n"
            "def later():\n    from graphtwin.cli.main import app\n"
            "from . import reader\nfrom graphtwin import audit\n",
        ),
        _module("graphtwin.audit.log", "graphtwin/audit/log.py", "import graphtwin.store\n"),
        _module("graphtwin.web", "graphtwin/web.py", ""),
    ]
    unplaced, wrong, _ = check(modules, layers)
    assert unplaced == ["graphtwin.web"]
    assert wrong == [
        "graphtwin/store/loader.py:3: graphtwin.store.loader (layer 1, graphtwin.store) imports "
        "graphtwin.cli.main.app (layer 2, graphtwin.cli)",
        "graphtwin.audit and graphtwin.store import each other "
        "(graphtwin/audit/log.py:1; graphtwin/store/loader.py:5)",
    ]
