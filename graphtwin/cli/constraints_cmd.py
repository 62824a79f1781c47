"""`graphtwin constraints TWIN_ID` and `graphtwin violations SCOPE`: the limits that hold at a
node and why, and everything below a node that breaks them (for facility managers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_json
from graphtwin.config import load_settings
from graphtwin.reasoning.because import describe_chain
from graphtwin.reasoning.capacity import CapacityCheck, range_text
from graphtwin.reasoning.checks import Violation
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.reasoning.constraints import Bound, EffectiveConstraint
from graphtwin.store.connection import open_async_driver, resolve_target
from graphtwin.units import normalise_unit

T = TypeVar("T")


@guarded
def constraints(
    twin_id: Annotated[str, typer.Argument(help="twin_id of the node.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show the constraints that hold at a node: ranges, targets, conflicts, and why each one
    applies (the chain from the regulation down to the node)."""
    effective = _ask(lambda reader: reader.effective_constraints([twin_id]))[twin_id]
    if as_json:
        print_json({"twin_id": twin_id, "constraints": [_effective_json(e) for e in effective]})
        return
    if not effective:
        out.print(f"no constraint reaches [bold]{_escape(twin_id)}[/]")
        return
    table = Table("type", "property", "when", "range (hard)", "target (soft)", "set by", "issues")
    for e in effective:
        table.add_row(
            e.constraint_type,
            e.property,
            e.when or "always",
            _bounds(e.min, e.max, e.unit),
            _bounds(e.target_min, e.target_max, e.unit),
            _setters(e),
            "\n".join(
                ("[red]conflict:[/] " if i.conflicting else "") + _escape(i.message)
                for i in e.issues
            ),
        )
    out.print(table)
    why = Table("constraint", "severity", "limits", "because", title="Why they apply")
    seen = set()
    for e in effective:
        for c in e.contributions:
            if c.constraint_id in seen:
                continue
            seen.add(c.constraint_id)
            limits = f"{range_text(c.min, c.max)} {c.unit}" + (f" when {c.when}" if c.when else "")
            why.add_row(c.constraint_id, c.severity, limits, _escape(c.explain()))
    out.print(why)


@guarded
def violations(
    scope: Annotated[
        str, typer.Argument(help="twin_id of the subtree root to check.", show_default=False)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List every current value below a node (the node included) that breaks a constraint,
    and every capacity limit its children's demand exceeds, with why the limit holds."""
    found = _ask(lambda reader: reader.violations(scope))
    if as_json:
        print_json({"scope": scope, "violations": [_violation_json(v) for v in found]})
        return
    if not found:
        out.print(f"no violations below [bold]{_escape(scope)}[/]")
        return
    table = Table("node", "value", "breaks", "set by", "because", "observed")
    for v in found:
        table.add_row(
            v.node,
            _value(v),
            f"[{'red' if v.severity == 'hard' else 'yellow'}]{v.severity} {v.bound} "
            f"{v.limit:g} {v.limit_unit or ''}[/]" + (f" when {v.when}" if v.when else ""),
            ", ".join(v.constraint_ids),
            _escape(describe_chain(v.because)),
            _escape(_observed(v)),
        )
    out.print(table)
    hard = sum(v.severity == "hard" for v in found)
    out.print(f"{len(found)} violations: {hard} hard, {len(found) - hard} soft")


def _ask(question: Callable[[ConstraintReader], Awaitable[T]]) -> T:
    async def run() -> T:
        target = resolve_target(load_settings())
        driver = await open_async_driver(target)
        try:
            return await question(ConstraintReader(driver, target.database))
        finally:
            await driver.close()

    return asyncio.run(run())


def _bounds(low: Bound | None, high: Bound | None, unit: str | None) -> str:
    if low is None and high is None:
        return "-"
    return f"{range_text(low.value if low else None, high.value if high else None)} {unit or ''}"


def _setters(e: EffectiveConstraint) -> str:
    bounds = (
        ("min", e.min),
        ("max", e.max),
        ("target min", e.target_min),
        ("target max", e.target_max),
    )
    return "\n".join(f"{side}: {', '.join(b.constraint_ids)}" for side, b in bounds if b)


def _value(v: Violation) -> str:
    unit = normalise_unit(v.unit) or v.unit or v.limit_unit or ""
    text = f"{v.property} {v.value:g} {unit}"
    if v.capacity:
        text += f" (sum of {len(v.capacity.demands)} children"
        text += f", {len(v.capacity.missing)} unknown)" if v.capacity.missing else ")"
    return text


def _observed(v: Violation) -> str:
    if v.capacity:
        return _capacity_parts(v.capacity)
    if v.point:
        return describe_chain(v.observed_via) or v.point
    return describe_chain(v.observed_via) or "own property"


def _capacity_parts(check: CapacityCheck) -> str:
    parts = [f"{d.child} {d.value:g}" for d in check.demands]
    parts += [f"{m.child} ? ({m.reason})" for m in check.missing]
    return "; ".join(parts)


def _effective_json(e: EffectiveConstraint) -> dict[str, Any]:
    payload = asdict(e)
    payload["conflict"] = e.conflict
    for data, c in zip(payload["contributions"], e.contributions, strict=True):
        data["explanation"] = c.explain()
    return payload


def _violation_json(v: Violation) -> dict[str, Any]:
    payload = asdict(v)
    payload["explanation"] = describe_chain(v.because)
    payload["message"] = v.describe()
    return payload


def _escape(text: str) -> str:
    return text.replace("[", "\\[")
