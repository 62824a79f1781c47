"""What a building management system would show of an EnergyPlus model: the observed points.

This is the contract between the importer and the virtual building. The importer turns each
`ObservedPoint` into a `Point` node (twin_id, brick_class, unit, the EnergyPlus variable and key
as properties); `graphtwin virtual-building` requests the same variables from the running
EnergyPlus, serves them under the same twin ids, and writes bindings that point at them. Both
sides take the list from `observed_points`, so a model imported and a model run always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Transform = Literal["none", "on_off"]
"""How a served value derives from the variable: as it is, or 1.0 when the variable is above
zero and 0.0 otherwise (fan status from the fan's air mass flow)."""


@dataclass(frozen=True, slots=True)
class ObservedPoint:
    twin_id: str
    """The Point node's id (matches the bindings file's id pattern: `[A-Za-z0-9_.:/-]+`)."""
    name: str
    parent: str
    """twin_id of the node the point belongs to (HAS_POINT): a zone, an AHU, a fan, a terminal,
    a coil, the building."""
    brick_class: str
    unit: str
    """The unit as EnergyPlus reports it (C, %, kg/s, W, J, ...)."""
    variable: str
    """An EnergyPlus output variable ("Zone Air Temperature") or, when `meter` is true, a meter
    name ("Electricity:Facility")."""
    key: str
    """The variable's key (a zone, node or component name; "Environment" for site variables);
    empty for a meter."""
    meter: bool = False
    transform: Transform = "none"
