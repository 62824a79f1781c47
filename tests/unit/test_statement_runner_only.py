"""Every Cypher statement of graphtwin runs through `graphtwin.store.statement_runner` (issue 21):
no other module calls `.run(` on a transaction or session, nor `execute_query(` on a driver.

The check reads the code (AST), as the layer and error-hierarchy tests do: a call `X.run(...)`
counts when X is named like a transaction or session (`tx`, `self._tx`, `session`, ...) or when
its first argument is `cypher(...)`; every `.execute_query(...)` counts.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

RUNNER = "graphtwin/store/statement_runner.py"
ALLOWED = {
    RUNNER: "the runner itself",
    "graphtwin/neo4j_local/server.py": "the local server's manager probes its own server",
}
_SESSION_LIKE = re.compile(r"(?i)(^|_)(tx|session|transaction)s?$")


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _runs_a_statement(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    if call.func.attr == "execute_query":
        return True
    if call.func.attr != "run":
        return False
    first = call.args[0] if call.args else None
    named_cypher = (
        isinstance(first, ast.Call)
        and isinstance(first.func, ast.Name)
        and first.func.id == "cypher"
    )
    return named_cypher or bool(_SESSION_LIKE.search(_receiver(call.func.value)))


def statement_calls(tree: ast.AST) -> list[tuple[int, str]]:
    return [
        (node.lineno, ast.unparse(node.func))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _runs_a_statement(node)
    ]


def test_the_check_sees_every_way_a_statement_was_run_and_nothing_else():
    source = (
        "tx.run(cypher('a/b'), x=1)\n"
        "self._tx.run(text).single()\n"
        "await session.run(q)\n"
        "records, _, _ = await driver.execute_query(q, database_=db)\n"
        "anything.run(cypher('a/b'))\n"
        "asyncio.run(main())\n"
        "subprocess.run(['ls'])\n"
        "runner.run(tx, 'a/b')\n"
        "sync.run(duration_s=1)\n"
    )
    found = sorted(line for line, _ in statement_calls(ast.parse(source)))
    assert found == [1, 2, 3, 4, 5]


def test_no_module_runs_a_statement_but_through_the_runner():
    offenders = []
    for path in sorted((ROOT / "graphtwin").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        offenders += [f"{relative}:{line}: {call}" for line, call in statement_calls(tree)]
    assert offenders == [], "run these through graphtwin.store.statement_runner"


def test_every_allowed_module_still_runs_its_own_statements():
    # an entry left behind after its module moved onto the runner would hide a new offender
    for relative in ALLOWED:
        path = Path(ROOT / relative)
        assert statement_calls(ast.parse(path.read_text(encoding="utf-8"))), relative
