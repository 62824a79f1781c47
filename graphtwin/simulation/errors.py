"""What a what-if simulation refuses, as typed errors (all `InputError`: exit code 2, nothing is
written).

Each error names the scenario field it is about (`field`, e.g. `trip` or `add_feeds[1]`) and the
entity (`entity`: the node id, or the `a->b` pair of a feed), so the CLI and the API can point at
the exact input to fix:

    >>> str(UnknownNodeError("ahu-9", field="trip[0]"))
    "trip[0]: unknown node 'ahu-9' (not in the building's FEEDS/HAS_PART/SERVES network)"
"""

from __future__ import annotations

from collections.abc import Sequence

from graphtwin.errors import InputError, SchemaViolationError, SourceLocation


class SimulationInputError(InputError):
    """A scenario or simulation input that cannot be run. `field` names the input it is about."""

    def __init__(self, reason: str, *, field: str | None, entity: str | None) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field
        self.entity = entity


class UnknownNodeError(SimulationInputError):
    """An intervention or a query names a node the supply network does not have."""

    def __init__(self, node_id: str, *, field: str | None = None) -> None:
        super().__init__(
            f"unknown node {node_id!r} (not in the building's FEEDS/HAS_PART/SERVES network)",
            field=field,
            entity=node_id,
        )
        self.node_id = node_id


class MissingFeedError(SimulationInputError):
    """A scenario removes a FEEDS relationship that does not exist."""

    def __init__(self, source: str, target: str, *, field: str | None = None) -> None:
        super().__init__(
            f"there is no FEEDS from {source!r} to {target!r} to remove",
            field=field,
            entity=f"{source}->{target}",
        )
        self.source = source
        self.target = target


class CyclicInterventionError(SimulationInputError):
    """A scenario adds a FEEDS that closes a cycle in the supply graph (something would end up
    supplying itself). `cycle` is the loop it would close, from `source` back to `source`, in
    original node ids (a unit of parts and its whole is named by its representative)."""

    def __init__(
        self, source: str, target: str, cycle: Sequence[str], *, field: str | None = None
    ) -> None:
        super().__init__(
            f"adding FEEDS {source!r} -> {target!r} closes a supply cycle: {' -> '.join(cycle)}",
            field=field,
            entity=f"{source}->{target}",
        )
        self.source = source
        self.target = target
        self.cycle = tuple(cycle)


class InvalidTrajectoryError(SimulationInputError):
    """A trajectory handed to the constraint check is malformed (lengths differ, times not
    strictly increasing, a value that is not finite)."""

    def __init__(self, reason: str, *, node: str, field: str | None = None) -> None:
        super().__init__(reason, field=field, entity=node)
        self.node = node


class ConstraintUnitError(SimulationInputError):
    """A trajectory cannot be compared with a node's constraint: its unit cannot be converted to
    the constraint's (a temperature against a limit in m3/s, or an unknown unit)."""

    def __init__(
        self,
        *,
        node: str,
        property: str,
        unit: str | None,
        constraint_unit: str | None,
        constraint_ids: Sequence[str],
        reason: str,
    ) -> None:
        super().__init__(
            f"{property} in {unit!r} cannot be checked against {', '.join(constraint_ids)} "
            f"in {constraint_unit!r}: {reason}",
            field=None,
            entity=node,
        )
        self.node = node
        self.property = property
        self.unit = unit
        self.constraint_unit = constraint_unit
        self.constraint_ids = tuple(constraint_ids)


class ScenarioError(SchemaViolationError):
    """A scenario (a file, or the GraphQL input) that is not one: a missing or misspelt field, a
    horizon over the limit, a step that does not divide the horizon, an intervention that
    contradicts another. `field` is the path of what to fix (`actions[0].interventions[1].until`;
    None: the whole scenario); `location` the file and line, or `input` for the GraphQL input.

    >>> str(ScenarioError("required field is missing", field="interventions[0].target",
    ...                   location=SourceLocation("ahu-trip.yaml", 9)))
    'ahu-trip.yaml:9: interventions[0].target: required field is missing'
    """

    def __init__(
        self,
        reason: str,
        *,
        field: str | None,
        location: SourceLocation | None = None,
        entity: str | None = None,
    ) -> None:
        message = f"{field}: {reason}" if field else reason
        super().__init__(message, location=location, entity=entity)
        self.reason = reason
        self.field = field
