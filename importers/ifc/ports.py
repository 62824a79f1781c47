"""Which element each port belongs to, read both ways IFC attaches ports, in every schema.

IFC4 and IFC4X3 nest a port in its element (IfcRelNests); IFC2X3 attaches it with
IfcRelConnectsPortToElement, which IFC4 still allows and real IFC4 models still use. Both are
read whatever the file's schema (ifcopenshell's `get_port_element` reads only the one it expects
for the schema, so an IFC4 model with IFC2X3-style port links lost all its flows). A port
attached to two different elements has no owner: which one is meant cannot be told.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ifcopenshell

from importers.ifc.relations import Relations


@dataclass(slots=True)
class PortOwners:
    owners: dict[int, ifcopenshell.entity_instance] = field(default_factory=dict)
    """Port id -> the element it belongs to."""
    ambiguous: set[int] = field(default_factory=set)
    """Ports attached to two different elements."""

    def owner(self, port: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
        return self.owners.get(port.id())

    def attach(
        self, port: ifcopenshell.entity_instance, element: ifcopenshell.entity_instance
    ) -> None:
        if port.id() in self.ambiguous:
            return
        known = self.owners.get(port.id())
        if known is None:
            self.owners[port.id()] = element
        elif known.id() != element.id():
            del self.owners[port.id()]
            self.ambiguous.add(port.id())


def port_owners(relations: Relations) -> PortOwners:
    found = PortOwners()
    for element, parts in relations.ends("IfcRelNests", "RelatingObject", "RelatedObjects"):
        for part in parts:
            if part.is_a("IfcPort"):
                found.attach(part, element)
    for port, elements in relations.ends(
        "IfcRelConnectsPortToElement", "RelatingPort", "RelatedElement"
    ):
        found.attach(port, elements[0])
    return found
