"""The modules of graphtwin/ and importers/ read from their source (ast), once per test run:
tests of how the code is built (layers, the error hierarchy) share one parse."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("graphtwin", "importers")


@dataclass(frozen=True)
class SourceModule:
    name: str
    """Dotted, as imported: `graphtwin.store.loader`; a package by its own name."""
    path: Path
    """Relative to the repository root."""
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


@cache
def source_modules() -> tuple[SourceModule, ...]:
    modules = []
    for top in PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            modules.append(SourceModule(name, path.relative_to(ROOT), tree))
    return tuple(modules)
