"""Constraint propagation for the API: `graphtwin.reasoning` results as records.

The reasoning runs a fixed number of statements for any number of nodes, so these fetchers are
batched like the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphtwin.api.context import ApiContext
from graphtwin.api.records import Record, plain
from graphtwin.reasoning.because import Step, describe_chain
from graphtwin.reasoning.capacity import CapacityCheck
from graphtwin.reasoning.checks import Violation
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.reasoning.constraints import Bound, Contribution, EffectiveConstraint


def _reader(ctx: ApiContext) -> ConstraintReader:
    """A reader whose transactions end by the request's deadline (Neo4j's own timeout)."""
    return ConstraintReader(ctx.services.driver, ctx.services.database, timeout_s=ctx.remaining_s())


def _steps(steps: Sequence[Step]) -> list[Record]:
    return [
        {
            "from_id": s.from_id,
            "relation": s.relation,
            "to_id": s.to_id,
            "reverse": s.reverse,
            "from_name": s.from_name,
            "to_name": s.to_name,
            "selector": s.selector,
            "sources": list(s.sources),
            "text": s.describe(),
        }
        for s in steps
    ]


def _contribution(c: Contribution) -> Record:
    return {
        "constraint_id": c.constraint_id,
        "name": c.name,
        "property": c.property,
        "min": c.min,
        "max": c.max,
        "unit": c.unit,
        "severity": c.severity,
        "constraint_type": c.constraint_type,
        "when": c.when,
        "regulation": c.regulation,
        "reaches_by": "regulation" if c.via_regulation else "inherited" if c.inherited else "own",
        "because": _steps(c.because),
        "explanation": describe_chain(c.because),
    }


def _bound(b: Bound | None) -> Record | None:
    if b is None:
        return None
    return {"value": b.value, "constraint_ids": list(b.constraint_ids), "severity": b.severity}


def _effective(e: EffectiveConstraint) -> Record:
    return {
        "property": e.property,
        "constraint_type": e.constraint_type,
        "when": e.when,
        "unit": e.unit,
        "min": _bound(e.min),
        "max": _bound(e.max),
        "target_min": _bound(e.target_min),
        "target_max": _bound(e.target_max),
        "conflict": e.conflict,
        "issues": [
            {
                "kind": i.kind,
                "constraint_ids": list(i.constraint_ids),
                "message": i.message,
                "conflicting": i.conflicting,
            }
            for i in e.issues
        ],
        "contributions": [_contribution(c) for c in e.contributions],
    }


def _capacity(c: CapacityCheck) -> Record:
    return {
        "twin_id": c.node,
        "constraint": _contribution(c.constraint),
        "property": c.property,
        "unit": c.unit,
        "min": c.min,
        "max": c.max,
        "total": c.total,
        "violated": c.violated,
        "complete": c.complete,
        "demands": [
            {"child": d.child, "value": d.value, "through": list(d.through)} for d in c.demands
        ],
        "missing": [
            {"child": m.child, "reason": m.reason, "through": list(m.through)} for m in c.missing
        ],
        "description": c.describe(),
    }


def _violation(v: Violation) -> Record:
    return {
        "kind": v.kind,
        "twin_id": v.node,
        "property": v.property,
        "value": v.value,
        "unit": v.unit,
        "bound": v.bound,
        "limit": v.limit,
        "limit_unit": v.limit_unit,
        "severity": v.severity,
        "when": v.when,
        "point": v.point,
        "point_class": v.point_class,
        "at": plain(v.at.isoformat()) if v.at else None,
        "constraints": [_contribution(c) for c in v.constraints],
        "because": _steps(v.because),
        "observed_via": _steps(v.observed_via),
        "capacity": _capacity(v.capacity) if v.capacity else None,
        "description": v.describe(),
    }


async def node_constraints(ctx: ApiContext, parents: Sequence[Record]) -> list[Any]:
    live = list(dict.fromkeys(p["twin_id"] for p in parents if not p["retired"]))
    if not live:
        return [[] for _ in parents]
    async with ctx.neo4j_slot(expensive=True):
        found = await _reader(ctx).effective_constraints(live)
    return [[_effective(e) for e in found.get(p["twin_id"], [])] for p in parents]


async def effective_constraints(
    ctx: ApiContext, parents: Sequence[Any], *, twin_id: str
) -> list[Any]:
    async with ctx.neo4j_slot(expensive=True):
        found = await _reader(ctx).effective_constraints([twin_id])
    records = [_effective(e) for e in found.get(twin_id, [])]
    return [records for _ in parents]


async def violations(ctx: ApiContext, parents: Sequence[Any], *, scope: str) -> list[Any]:
    async with ctx.neo4j_slot(expensive=True):
        found = await _reader(ctx).violations(scope)
    records = [_violation(v) for v in found]
    return [records for _ in parents]


async def capacity_checks(ctx: ApiContext, parents: Sequence[Any], *, scope: str) -> list[Any]:
    async with ctx.neo4j_slot(expensive=True):
        found = await _reader(ctx).capacity_checks(scope)
    records = [_capacity(c) for c in found]
    return [records for _ in parents]
