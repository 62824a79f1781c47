"""BatchML master, control and executed control recipes -> a tree of Procedure nodes.

A recipe is `isa95:master-recipe:<ID>` (or `control-recipe`, or `executed-control-recipe`: the
control recipe as a batch ran it, in a batch production record); each recipe element inside it
(procedure, unit procedure, operation, phase; a RuntimeRecipeElement when executed) is a
Procedure named by its path of IDs below the recipe,
`isa95:master-recipe:<ID>/<element ID>/<element ID>`, and is HAS_PART of the element it is
nested in. Recipe element IDs are only unique within their recipe, so the path keeps two
recipes that reuse an ID apart, and a re-import of the same recipe lands on the same nodes.

The Begin and End elements only mark where a procedure's logic starts and stops, and the
ProcedureLogic (steps, transitions, links: the order of the elements) has no relationship type
in the twin's vocabulary yet: both are left out and counted. Parameters (formula and element
parameters) become `param__<name>` properties, named by their description (`param__QUANTITY_1`),
typed by their DataType, with their unit; OtherInformation (what an executed element recorded:
actual values, results) becomes `info__<ID>` properties, typed the same way; header facts
(product, batch size, approval) and simple fields (BatchID, CompletionTime, Performer,
InstanceCount ...) become properties of the recipe or element. The equipment an element ran on
(ActualEquipmentID) becomes APPLIES_TO when the document defines it, and stays a property
(`actual_equipment_id`) either way.
"""

from __future__ import annotations

from graphtwin.model import Properties
from importers.isa95.builder import GraphBuilder
from importers.isa95.document import Element, clean, local
from importers.isa95.equipment import EquipmentIndex
from importers.isa95.values import (
    as_property,
    description_property,
    identifier,
    leaf_fields,
    read_properties,
)

_READ_HERE = frozenset({"ID", "Description", "RecipeElementType"})
_READ_ELSEWHERE = frozenset(
    {
        "Header",
        "Parameter",
        "Formula",
        "ProcedureLogic",
        "RecipeElement",
        "RuntimeRecipeElement",
        "EquipmentRequirement",
        "OtherInformation",
    }
)


def extract_recipes(b: GraphBuilder, equipment: EquipmentIndex) -> None:
    for element in b.doc.iter(b.mapping.recipes):
        _recipe(b, equipment, element)


def _recipe(b: GraphBuilder, equipment: EquipmentIndex, element: Element) -> None:
    name = local(element)
    recipe_id = b.required_id(element)
    twin_id = f"isa95:{b.mapping.recipes[name]}:{recipe_id}"
    props = _element_properties(b, element)
    formula = b.doc.child(element, "Formula")
    if formula is not None:
        props.update(_parameters(b, b.doc.children(formula, "Parameter")))
        b.consume(formula)
    header = b.doc.child(element, "Header")
    b.add_node(
        element,
        twin_id,
        "Procedure",
        _name(b, element, recipe_id, header),
        props,
        isa95_type=name,
        isa95_id=recipe_id,
    )
    _children(b, equipment, element, twin_id)


def _children(b: GraphBuilder, equipment: EquipmentIndex, element: Element, twin_id: str) -> None:
    logic = b.doc.child(element, "ProcedureLogic")
    if logic is not None and len(logic):
        b.leave_out(logic, "ProcedureLogic (step order)")
    for child in b.doc.children(element, b.mapping.recipe_elements):
        element_type = b.doc.text(child, "RecipeElementType") or ""
        if element_type in b.mapping.recipe_markers:
            b.leave_out(child, "RecipeElement Begin/End marker")
            continue
        child_id = b.required_id(child)
        child_twin_id = f"{twin_id}/{child_id}"
        props = _element_properties(b, child)
        props.update(_parameters(b, b.doc.children(child, "Parameter")))
        b.add_node(
            child,
            child_twin_id,
            "Procedure",
            _name(b, child, child_id, None),
            props,
            isa95_type=local(child),
            isa95_id=child_id,
        )
        b.link(twin_id, "HAS_PART", child_twin_id, child)
        for actual in b.doc.texts(child, "ActualEquipmentID"):
            if actual in equipment.by_id:
                b.link_if_defined(child_twin_id, "APPLIES_TO", equipment.by_id[actual], child)
        _children(b, equipment, child, child_twin_id)


def _name(b: GraphBuilder, element: Element, fallback: str, header: Element | None) -> str:
    """The first description that says more than the element's own name (a master recipe
    described as "MasterRecipe" is named by its product), else the ID."""
    for text in b.doc.texts(element, "Description"):
        if text.casefold() != local(element).casefold():
            return text
    product = b.doc.text(header, "ProductName") if header is not None else None
    return product or fallback


def _element_properties(b: GraphBuilder, element: Element) -> Properties:
    doc = b.doc
    props: Properties = {}
    texts = doc.texts(element, "Description")
    description = description_property(texts)
    if description is not None:
        props["description"] = description
    element_type = doc.text(element, "RecipeElementType")
    if element_type:
        props["recipe_element_type"] = element_type
    props.update(leaf_fields(doc, element, exclude=_READ_HERE | _READ_ELSEWHERE))
    header = doc.child(element, "Header")
    if header is not None:
        props.update(_header(b, header))
        b.consume(header)
    for requirement in doc.children(element, "EquipmentRequirement"):
        b.consume(requirement)
    information = doc.children(element, "OtherInformation")
    props.update(read_properties(doc, b.values, information, prefix="info"))
    b.consume(*information)
    return props


def _header(b: GraphBuilder, header: Element) -> Properties:
    doc = b.doc
    props: Properties = leaf_fields(doc, header, exclude=frozenset())
    size = doc.child(header, "BatchSize")
    if size is not None:
        for key, value in leaf_fields(doc, size, exclude=frozenset({"UnitOfMeasure"})).items():
            props[f"batch_size_{key}"] = _number(value)
        unit = doc.text(size, "UnitOfMeasure")
        if unit and unit.casefold() not in b.mapping.no_unit:
            props["batch_size__unit"] = unit
    approval = doc.child(header, "ApprovalHistory")
    if approval is not None:
        final = doc.text(approval, "FinalApprovalDate")
        if final:
            props["final_approval_date"] = final
        approvers = [
            name
            for individual in doc.children(approval, "IndividualApproval")
            if (name := doc.text(individual, "ApprovedBy"))
        ]
        if approvers:
            props["approved_by"] = as_property(list(dict.fromkeys(approvers)))  # type: ignore[assignment]
    return props


def _number(value: object) -> object:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value


def _parameters(b: GraphBuilder, parameters: list[Element]) -> Properties:
    """Recipe parameters, named by their description (their IDs are often just 1, 2, 3)."""
    doc = b.doc
    props: Properties = {}
    for parameter in parameters:
        b.consume(parameter)
        label = doc.text(parameter, "Description") or doc.text(parameter, "ID")
        if label is None:
            continue
        key = f"param__{identifier(label)}"
        if key in props:
            key = f"{key}_{identifier(doc.text(parameter, 'ID') or str(len(props)))}"
        typed = b.values.read(doc.children(parameter, "Value"))
        value = as_property([_clean_text(v) for v in typed.values])
        if value is None:
            continue
        props[key] = value
        units = list(dict.fromkeys(typed.units))
        if len(units) == 1:
            props[f"{key}__unit"] = units[0]
        parameter_type = doc.text(parameter, "ParameterType")
        if parameter_type:
            props[f"{key}__type"] = parameter_type
    return props


def _clean_text(value: object) -> object:
    """Recipe tools wrap long values over lines: `guaifenesin\\n\\t\\t` is `guaifenesin`."""
    return clean(value) if isinstance(value, str) else value
