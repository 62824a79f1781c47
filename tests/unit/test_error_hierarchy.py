"""Every exception class of graphtwin/ and importers/ derives from GraphTwinError.

Read from the source (ast), without importing the modules: a class's bases are followed through
the module's imports (re-exports included) to their definitions; a base outside the project
(a builtin, the standard library's or a library's exception) is judged without importing the
library.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
from dataclasses import dataclass, field

from tests.support.source_modules import source_modules

GRAPHTWIN_ERROR = "graphtwin.errors.GraphTwinError"

ALLOWED: dict[str, str] = {}
"""Exception classes that may stand outside the hierarchy, each with its reason (none today)."""


@dataclass
class Module:
    name: str
    path: str
    imports: dict[str, str] = field(default_factory=dict)
    """Local name -> the dotted name it was imported as."""
    classes: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    """Class name -> (line, its bases as written, dotted)."""


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    if isinstance(node, ast.Subscript):  # Generic[T], a parametrised base
        return _dotted(node.value)
    return None


def read_module(name: str, tree: ast.Module, path: str = "<source>") -> Module:
    module = Module(name, path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.partition(".")[0]
                module.imports[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                module.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.ClassDef):
            bases = [_dotted(b) for b in node.bases]
            module.classes[node.name] = (node.lineno, [b for b in bases if b])
    return module


def project_modules() -> dict[str, Module]:
    return {m.name: read_module(m.name, m.tree, str(m.path)) for m in source_modules()}


class Hierarchy:
    """Answers, for a class of the project, whether it is an exception and whether it derives
    from GraphTwinError."""

    def __init__(self, modules: dict[str, Module]) -> None:
        self.modules = modules
        self._memo: dict[str, tuple[bool, bool]] = {}

    def _resolve(self, module: Module, written: str) -> str:
        head, _, rest = written.partition(".")
        if head in module.classes and not rest:
            return f"{module.name}.{head}"
        if head in module.imports:
            target = module.imports[head]
            return f"{target}.{rest}" if rest else target
        if hasattr(builtins, head) and not rest:
            return f"builtins.{head}"
        return written

    def _definition(self, dotted: str, depth: int = 0) -> tuple[Module, str] | None:
        """The project module and class name that `dotted` names, through re-exports."""
        owner, _, name = dotted.rpartition(".")
        module = self.modules.get(owner)
        if module is None or depth > 20:
            return None
        if name in module.classes:
            return module, name
        if name in module.imports:
            return self._definition(module.imports[name], depth + 1)
        return None

    def kind(self, dotted: str) -> tuple[bool, bool]:
        """(is an exception, derives from GraphTwinError)."""
        if dotted == GRAPHTWIN_ERROR:
            return True, True
        if dotted in self._memo:
            return self._memo[dotted]
        self._memo[dotted] = (False, False)  # a cycle answers "not an exception"
        found = self._definition(dotted)
        if found is not None:
            module, name = found
            answers = [self.kind(self._resolve(module, b)) for b in module.classes[name][1]]
            answer = (any(a[0] for a in answers), any(a[1] for a in answers))
        else:
            answer = (_outside_is_exception(dotted), False)
        self._memo[dotted] = answer
        return answer

    def offenders(self) -> list[str]:
        found = []
        for module in self.modules.values():
            for name, (line, _) in module.classes.items():
                exception, rooted = self.kind(f"{module.name}.{name}")
                if exception and not rooted and f"{module.name}.{name}" not in ALLOWED:
                    found.append(f"{module.path}:{line}: {name}")
        return found


def _outside_is_exception(dotted: str) -> bool:
    """A builtin or standard library base is looked up; a library's is judged by its name, as
    PEP 8 names exceptions (importing torch or strawberry only to ask would take seconds)."""
    owner, _, name = dotted.rpartition(".")
    if owner.partition(".")[0] in {"builtins", *sys.stdlib_module_names}:
        try:
            value = getattr(importlib.import_module(owner), name)
        except (ImportError, AttributeError):
            return False
        return isinstance(value, type) and issubclass(value, BaseException)
    return name.endswith(("Error", "Exception"))


def test_every_exception_class_of_graphtwin_and_importers_derives_from_graphtwin_error():
    hierarchy = Hierarchy(project_modules())
    assert hierarchy.offenders() == []
    # The walk reaches the classes it should: a direct, an indirect and a re-exported base.
    assert hierarchy.kind("graphtwin.api.limits.QueryRefusedError") == (True, True)
    assert hierarchy.kind("graphtwin.errors.MalformedFileError") == (True, True)
    assert hierarchy.kind("graphtwin.store.TwinStore") == (False, False)


def test_the_walk_names_a_class_outside_the_hierarchy_with_its_file_and_line():
    modules = {
        "graphtwin.errors": read_module(
            "graphtwin.errors",
            ast.parse("class GraphTwinError(Exception): ...\n"),
            "graphtwin/errors.py",
        ),
        "graphtwin.x": read_module(
            "graphtwin.x",
            ast.parse(
                "import json\nimport neo4j\nfrom graphtwin.errors import GraphTwinError as Root\n"
                "class Fine(Root, ValueError): ...\n"
                "class Stray(ValueError): ...\n"
                "class Decoding(json.JSONDecodeError): ...\n"
                "class Refused(neo4j.exceptions.ClientError): ...\n"
                "class NotAnError(dict): ...\n"
            ),
            "graphtwin/x.py",
        ),
    }
    assert Hierarchy(modules).offenders() == [
        "graphtwin/x.py:5: Stray",
        "graphtwin/x.py:6: Decoding",
        "graphtwin/x.py:7: Refused",
    ]
