"""The Brick class hierarchy the project ships: what is above a class, what is below it."""

from __future__ import annotations

from graphtwin.brick_hierarchy import (
    brick_ancestors,
    brick_class_and_subclasses,
    brick_class_filter,
)


def test_a_rooftop_unit_is_an_air_handling_unit():
    assert "Air_Handling_Unit" in brick_ancestors()["Rooftop_Unit"]
    assert "Rooftop_Unit" in brick_class_and_subclasses("Air_Handling_Unit")


def test_a_class_comes_with_its_aliases_and_an_alias_answers_as_its_class():
    ahus = brick_class_and_subclasses("Air_Handling_Unit")
    assert {"Air_Handling_Unit", "AHU", "RTU", "Makeup_Air_Unit"} <= set(ahus)
    assert brick_class_and_subclasses("AHU") == ahus


def test_classes_beside_or_above_are_not_subclasses():
    ahus = set(brick_class_and_subclasses("Air_Handling_Unit"))
    assert "HVAC_Equipment" not in ahus  # above
    assert "Variable_Air_Volume_Box" not in ahus  # beside
    assert brick_class_and_subclasses("Rooftop_Unit") == ["RTU", "Rooftop_Unit"]


def test_a_class_the_table_does_not_know_is_only_itself():
    assert brick_class_and_subclasses("Not_A_Brick_Class") == ["Not_A_Brick_Class"]


def test_a_filter_is_the_class_with_its_subclasses_unless_exact():
    assert brick_class_filter(None) is None
    assert brick_class_filter("Rooftop_Unit", exact=True) == ["Rooftop_Unit"]
    assert brick_class_filter("Rooftop_Unit") == ["RTU", "Rooftop_Unit"]
