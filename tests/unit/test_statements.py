"""Every Cypher statement lives in `cypher/`, is used, and takes values as $parameters."""

from __future__ import annotations

import ast
import re

import pytest

from graphtwin.errors import UnknownStatementError
from graphtwin.statements import catalogue, cypher, split_statements
from tests.conftest import ROOT

# Cypher as it looks in a statement (a keyword followed by a pattern or a parameter), so prose
# in docstrings that names a keyword does not count.
CYPHER = re.compile(
    r"\b(MATCH|MERGE|CREATE)\s*\(|\bUNWIND\s+\$|\bDETACH\s+DELETE\b|\bRETURN\s+\w+\s+AS\b"
)
CODE_DIRS = ("graphtwin", "importers", "benchmarks")
GENERATOR = "graphtwin/api/fused_cypher.py"
"""The one module that writes statements: the planner's fused statements, compiled from the
query (issue 21). Its own tests (tests/unit/test_fused_cypher.py) check that every value is a
parameter and every identifier comes from the whitelist."""


def python_files(directories: tuple[str, ...] = CODE_DIRS):
    for directory in directories:
        yield from (ROOT / directory).rglob("*.py")


def test_statements_load_by_name_and_unknown_names_are_an_error():
    assert "MERGE (s:Source" in cypher("load/source_upsert")
    with pytest.raises(UnknownStatementError):
        cypher("load/no_such_statement")
    with pytest.raises(UnknownStatementError):
        cypher("../pyproject")


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        scopes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, scopes) and node.body and isinstance(node.body[0], ast.Expr):
            found.add(id(node.body[0].value))
    return found


def cypher_strings(path) -> list[int]:
    """The lines of the Python strings in `path` that hold Cypher (docstrings aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = docstrings(tree)
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in prose
        and CYPHER.search(node.value)
    ]


def test_no_python_string_contains_cypher_but_in_the_one_generator():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in python_files()
        if path.relative_to(ROOT).as_posix() != GENERATOR
        for line in cypher_strings(path)
    ]
    assert offenders == []
    assert cypher_strings(ROOT / GENERATOR), "the generator writes no statement: admit none"


def test_every_statement_in_the_catalogue_is_used_by_the_code():
    # The suite counts as a user: a test observes the server through the catalogue
    # (admin/running_transactions proves a timed-out query left no Neo4j transaction behind).
    files = python_files((*CODE_DIRS, "tests"))
    source = "\n".join(p.read_text(encoding="utf-8") for p in files)
    used = set(re.findall(r"""cypher\(\s*["']([\w/]+)["']""", source))
    used |= set(re.findall(r"""_run\(\s*["']([\w/]+)["']""", source))
    used |= set(re.findall(r"""[._](?:read|write|write_versioned)\(\s*["']([\w/]+)["']""", source))
    # a name passed as a value: to graphtwin.store.statement_runner (runner.rows(tx, "name")),
    # to a function that runs it (walk_down), or chosen before it runs
    used |= set(re.findall(r"""["']([a-z_]+/[\w/]+)["']""", source))
    unused = [
        name for name in catalogue() if name not in used and not name.startswith("migrations/")
    ]
    assert unused == []


def test_statements_take_values_as_parameters_never_as_text_templates():
    for name in catalogue():
        text = cypher(name)
        # str.format / f-string style placeholders would mean values spliced into the text
        assert not re.search(r"\{[a-z_]+\}", text), name
        assert "%s" not in text, name


def test_migration_scripts_split_into_statements_at_line_ending_semicolons():
    script = (
        "// comment\nCREATE INDEX a;\n\n"
        "CREATE CONSTRAINT b\nFOR (n:X) REQUIRE n.y IS UNIQUE;\n// end\n"
    )
    assert split_statements(script) == [
        "// comment\nCREATE INDEX a",
        "CREATE CONSTRAINT b\nFOR (n:X) REQUIRE n.y IS UNIQUE",
    ]
