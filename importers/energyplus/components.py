"""HVAC components as nodes: fans, coils, boilers, ... and what wraps them.

`part_ids` is how every extractor turns an object it meets on a branch or in a unit into twin
nodes: plumbing is counted and skipped, a wrapper (a unitary system, a DX coil system) stands for
its parts, anything else is one node, made once however often it is met. A type the mapping
does not know becomes generic Equipment, and the import warns with its type and name.
"""

from __future__ import annotations

from importers.energyplus.mapping import PartRef
from importers.energyplus.objects import EpObject
from importers.energyplus.plan import Plan


def part_ids(plan: Plan, obj: EpObject, *, within: EpObject | None = None) -> list[str]:
    """Twin ids that stand for `obj` as a part of something: none for plumbing, the parts of a
    wrapper (recursively), else the object's own node."""
    eplus_type = obj.type.upper()
    if eplus_type in plan.mapping.left_out:
        plan.left_out[obj.type] += 1
        return []
    wrapped = plan.mapping.wrappers.get(eplus_type)
    if wrapped is not None:
        found: list[str] = []
        for child in resolve_parts(plan, obj, wrapped):
            found.extend(part_ids(plan, child, within=obj))
        return found
    return [component_id(plan, obj, within=within)]


def component_id(plan: Plan, obj: EpObject, *, within: EpObject | None = None) -> str:
    """The node of a component, made on first use. A part inside a wrapper records it."""
    existing = plan.node_of(obj)
    if existing is not None:
        return existing.twin_id
    rule = plan.mapping.component(obj.type)
    parent = {"eplus_parent_type": within.type, "eplus_parent_name": within.name} if within else {}
    if rule is None:
        plan.unknown_object(obj)
        return plan.add("equipment", obj, properties=parent).twin_id
    brick_class = rule.brick_class
    if rule.brick_field:
        brick_class = rule.brick_class_for(obj.text(rule.brick_field))
    node = plan.add(rule.role, obj, brick_class=brick_class, properties=parent, flags=rule.flags)
    return node.twin_id


def resolve_parts(plan: Plan, owner: EpObject, refs: tuple[PartRef, ...]) -> list[EpObject]:
    """The objects `owner` names as its parts; a part field left empty names none."""
    parts = []
    for ref in refs:
        name = owner.text(ref.name_field)
        if name is None:
            continue
        if ref.type_field:
            eplus_type = owner.text(ref.type_field)
            if eplus_type is None:
                raise plan.model.error(
                    f"{ref.name_field} is set but {ref.type_field} is not", owner
                )
            parts.append(plan.model.require(eplus_type, name, named_by=owner, field=ref.name_field))
            continue
        found = plan.model.find(ref.types, name)
        if found is None:
            raise plan.model.error(
                f"{ref.name_field} names '{name}', which the model defines as none of "
                f"{', '.join(ref.types)}",
                owner,
            )
        parts.append(found)
    return parts


def branch_components(plan: Plan, branch_list_name: str | None, owner: EpObject) -> list[EpObject]:
    """The components on the branches of a BranchList, in order."""
    if branch_list_name is None:
        raise plan.model.error("names no branch list", owner)
    model = plan.model
    branch_list = model.require("BranchList", branch_list_name, named_by=owner, field="branches")
    found = []
    for item in branch_list.items("branches"):
        branch = model.require(
            "Branch", str(item.get("branch_name", "")), named_by=branch_list, field="branch_name"
        )
        for component in branch.items("components"):
            eplus_type = str(component.get("component_object_type", ""))
            name = str(component.get("component_name", ""))
            found.append(model.require(eplus_type, name, named_by=branch, field="components"))
    return found
