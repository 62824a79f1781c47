"""Constraint reasoning as pure code: units, combining, capacity checks, violations."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from graphtwin.errors import IncompatibleUnitsError
from graphtwin.reasoning.because import Step, describe_chain
from graphtwin.reasoning.capacity import FeedNode, Reached, build_network, check_capacity
from graphtwin.reasoning.checks import capacity_violation, find_violations, unique_violations
from graphtwin.reasoning.constraints import Contribution, combine, nearest
from graphtwin.reasoning.observations import (
    Observation,
    measured_properties,
    point_observations,
    point_role,
)
from graphtwin.units import compatible, convert, normalise_unit

# --- helpers -------------------------------------------------------------------------------------

ROOM = "room-101"


def chain(*hops: str, node: str = ROOM, regulation: str = "reg") -> tuple[Step, ...]:
    """reg HAS_PART c -> c APPLIES_TO hops[0] -> hops[0] CONTAINS hops[1] ... -> node."""
    path = [*hops, node]
    return (
        Step(regulation, "HAS_PART", "c"),
        Step("c", "APPLIES_TO", path[0], sources=("rules",)),
        *(Step(a, "CONTAINS", b) for a, b in itertools.pairwise(path)),
    )


def rule(
    cid: str,
    low: float | None = None,
    high: float | None = None,
    unit: str = "degC",
    *,
    prop: str = "zone_air_temperature",
    severity: str = "hard",
    when: str | None = None,
    ctype: str = "range",
    because: tuple[Step, ...] | None = None,
    node: str = ROOM,
) -> Contribution:
    return Contribution(
        constraint_id=cid,
        name=cid,
        property=prop,
        min=low,
        max=high,
        unit=unit,
        severity=severity,
        constraint_type=ctype,
        when=when,
        regulation="reg",
        node=node,
        because=tuple(named(s, cid) for s in (chain(node=node) if because is None else because)),
    )


def named(step: Step, cid: str) -> Step:
    """The helper chains say "c" for the constraint: make it `cid`."""
    rename = {"c": cid}
    return replace(
        step,
        from_id=rename.get(step.from_id, step.from_id),
        to_id=rename.get(step.to_id, step.to_id),
    )


def reading(
    value: float,
    unit: str | None = "degC",
    *,
    prop: str = "zone_air_temperature",
    node: str = ROOM,
    point: str | None = "zat",
    route: str = "served",
    at: datetime | None = None,
) -> Observation:
    return Observation(
        node=node,
        property=prop,
        value=value,
        unit=unit,
        route=route,  # type: ignore[arg-type]
        holder=point or node,
        point=point,
        at=at,
    )


def only(effective, when=None):
    [group] = [e for e in effective if e.when == when]
    return group


# --- units ---------------------------------------------------------------------------------------


def test_units_in_qudt_graphtwin_and_everyday_spellings_normalise_to_one_symbol():
    assert {normalise_unit(u) for u in ("DEG_C", "degC", "°C", "unit:DEG_C")} == {"degC"}
    assert normalise_unit("http://qudt.org/vocab/unit/DEG_F") == "degF"
    assert [normalise_unit(u) for u in ("PERCENT", "percent", "%")] == ["%"] * 3
    assert [normalise_unit(u) for u in ("M3-PER-SEC", "L-PER-SEC", "L/s", "M3-PER-HR")] == [
        "m3/s",
        "l/s",
        "l/s",
        "m3/h",
    ]
    assert [normalise_unit(u) for u in ("PA", "KiloPA", "kPa", "PPM")] == [
        "Pa",
        "kPa",
        "kPa",
        "ppm",
    ]
    assert normalise_unit("furlongs") is None
    assert normalise_unit(None) is None
    assert normalise_unit("k") is None  # a lone k is not kelvin


def test_temperatures_convert_with_their_offsets_and_flows_and_pressures_by_scale():
    assert convert(20.0, "degC", "K") == 293.15
    assert convert(293.15, "K", "DEG_C") == 20.0  # round trip without float noise
    assert convert(68.0, "degF", "degC") == 20.0
    assert convert(2.4, "m3/s", "L-PER-SEC") == 2400.0
    assert convert(8640.0, "m3/h", "m3/s") == 2.4
    assert convert(1.2, "kPa", "Pa") == 1200.0
    assert compatible("DEG_C", "K")
    assert not compatible("degC", "m3/s")


def test_incompatible_or_unknown_units_raise_a_typed_error():
    with pytest.raises(IncompatibleUnitsError, match="temperature") as exc:
        convert(20.0, "degC", "m3/s")
    assert (exc.value.from_unit, exc.value.to_unit) == ("degC", "m3/s")
    with pytest.raises(IncompatibleUnitsError, match="unknown unit 'furlongs'"):
        convert(1.0, "furlongs", "m3/s")


# --- combining -----------------------------------------------------------------------------------


def test_hard_ranges_intersect_and_the_tightest_bound_names_the_constraint_that_set_it():
    building = rule("building", 18.0, 26.0, because=chain("bldg", "floor"))
    room = rule("room", 20.0, 28.0)
    [effective] = combine([building, room])
    assert (effective.min.value, effective.max.value) == (20.0, 26.0)
    assert effective.min.constraint_ids == ("room",)
    assert effective.max.constraint_ids == ("building",)
    assert effective.setting(effective.max)[0].because[-1] == Step("floor", "CONTAINS", ROOM)
    assert not effective.conflict
    assert [c.constraint_id for c in effective.contributions] == ["room", "building"]  # nearest


def test_bounds_in_different_units_are_compared_in_one_unit_and_ties_name_every_setter():
    celsius = rule("celsius", 20.0, 26.0)
    kelvin = rule("kelvin", 293.15, 298.15, "K", because=chain("floor"))
    fahrenheit = rule("fahrenheit", None, 80.6, "DEG_F", because=chain("bldg", "floor"))
    [effective] = combine([celsius, kelvin, fahrenheit])
    assert effective.unit == "degC"  # the nearest constraint's unit
    assert effective.min.value == 20.0
    assert effective.min.constraint_ids == ("celsius", "kelvin")
    assert effective.max.value == 25.0
    assert effective.max.constraint_ids == ("kelvin",)


def test_an_empty_hard_intersection_is_a_conflict_naming_both_sides():
    [effective] = combine([rule("cold-lab", 16.0, 19.0), rule("office", 20.0, 26.0)])
    assert effective.conflict
    [issue] = effective.issues
    assert issue.kind == "empty_range"
    assert set(issue.constraint_ids) == {"cold-lab", "office"}
    assert "min 20 degC (office) is above max 19 degC (cold-lab)" in issue.message
    assert (effective.target_min, effective.target_max) == (None, None)


def test_a_constraint_in_a_unit_that_cannot_be_converted_is_a_conflict_and_left_out():
    [effective] = combine([rule("temp", 20.0, 26.0), rule("typo", 0.0, 2.0, "m3/s")])
    assert effective.conflict
    [issue] = effective.issues
    assert (issue.kind, issue.constraint_ids) == ("unit", ("typo",))
    assert "cannot be compared" in issue.message
    assert (effective.min.value, effective.max.value) == (20.0, 26.0)


def test_soft_bounds_are_targets_within_the_hard_range_and_one_outside_it_is_reported():
    hard = rule("hard", 20.0, 26.0)
    comfort = rule("comfort", 21.0, 24.0, severity="soft")
    loose = rule("loose", None, 28.0, severity="soft", because=chain("bldg"))
    [effective] = combine([hard, comfort, loose])
    assert (effective.min.value, effective.max.value) == (20.0, 26.0)
    assert (effective.target_min.value, effective.target_max.value) == (21.0, 24.0)
    assert effective.target_max.constraint_ids == ("comfort",)
    assert effective.target_max.severity == "soft"
    [issue] = effective.issues
    assert issue.kind == "soft_outside_hard"
    assert issue.constraint_ids == ("loose", "hard")
    assert "above the hard max 26 degC" in issue.message
    assert not effective.conflict  # a soft bound never makes a conflict


def test_a_soft_target_beyond_the_opposite_hard_bound_cannot_be_met_and_says_so():
    [effective] = combine([rule("hard", 20.0, 26.0), rule("warm", 27.0, None, severity="soft")])
    assert (effective.target_min, effective.target_max) == (None, None)
    [issue] = effective.issues
    assert issue.kind == "soft_outside_hard"
    assert "cannot be met" in issue.message


def test_a_soft_target_looser_than_the_hard_range_is_clamped_to_the_hard_bound():
    [effective] = combine([rule("hard", 20.0, 26.0), rule("soft", 18.0, 25.0, severity="soft")])
    assert effective.target_min.value == 20.0
    assert (effective.target_min.severity, effective.target_min.constraint_ids) == (
        "hard",
        ("hard",),
    )
    assert effective.target_max.value == 25.0


def test_unconditional_constraints_join_every_condition_of_their_property():
    always = rule("always", 18.0, 28.0, because=chain("bldg"))
    occupied = rule("occupied", 20.0, 26.0, when="occupied")
    unoccupied = rule("unoccupied", 16.0, 30.0, when="unoccupied")
    co2 = rule("co2", None, 1000.0, "ppm", prop="co2_concentration")
    effective = combine([always, occupied, unoccupied, co2])
    keys = [(e.property, e.when) for e in effective]
    assert keys == [
        ("co2_concentration", None),
        ("zone_air_temperature", None),
        ("zone_air_temperature", "occupied"),
        ("zone_air_temperature", "unoccupied"),
    ]
    temperature = [e for e in effective if e.property == "zone_air_temperature"]
    assert (only(temperature).min.value, only(temperature).max.value) == (18.0, 28.0)
    busy = only(temperature, "occupied")
    assert (busy.min.constraint_ids, busy.max.constraint_ids) == (("occupied",), ("occupied",))
    assert {c.constraint_id for c in busy.contributions} == {"always", "occupied"}
    night = only(temperature, "unoccupied")  # the unconditional range is tighter
    assert (night.min.value, night.max.value) == (18.0, 28.0)
    assert night.min.constraint_ids == ("always",)


def test_a_constraint_reaching_a_node_twice_counts_once_by_its_shortest_chain():
    far = rule("rule", 20.0, 26.0, because=chain("bldg", "floor"))
    near = rule("rule", 20.0, 26.0)
    [kept] = nearest([far, near])
    assert kept.because == near.because
    assert not kept.inherited
    assert far.inherited


def test_capacity_constraints_count_only_where_the_constraint_itself_applies():
    direct = rule("cap", None, 2.4, "m3/s", prop="supply_air_flow", ctype="capacity")
    inherited = rule(
        "cap2", None, 1.0, "m3/s", prop="supply_air_flow", ctype="capacity", because=chain("ahu")
    )
    via_regulation = rule(
        "cap3",
        None,
        1.0,
        "m3/s",
        prop="supply_air_flow",
        ctype="capacity",
        because=(Step("reg", "HAS_PART", "cap3"), Step("reg", "APPLIES_TO", ROOM)),
    )
    assert via_regulation.via_regulation
    [effective] = combine([direct, inherited, via_regulation])
    assert effective.constraint_type == "capacity"
    assert [c.constraint_id for c in effective.contributions] == ["cap"]


# --- which points measure what -------------------------------------------------------------------


def test_a_point_measures_its_measures_property_or_what_its_brick_class_names():
    assert measured_properties(None, "Zone_Air_Temperature_Sensor") == {"zone_air_temperature"}
    assert measured_properties(None, "Zone_Air_Temperature_Setpoint") == {"zone_air_temperature"}
    assert measured_properties(None, "Supply_Air_Flow_Sensor") == {"supply_air_flow"}
    assert measured_properties("co2_concentration", "CO2_Sensor") == {
        "co2_concentration",
        "co2",
    }
    assert measured_properties(None, None) == frozenset()
    assert point_role("Zone_Air_Temperature_Setpoint") == "setpoint"
    assert point_role("Outside_Air_Temperature") is None


def test_only_numeric_point_values_of_wanted_properties_become_observations():
    found = point_observations(
        ROOM,
        {"zone_air_temperature"},
        point="zat",
        measures=None,
        brick_class="Zone_Air_Temperature_Sensor",
        value=23,
        unit="DEG_C",
        route="served",
    )
    assert [(o.property, o.value, o.unit) for o in found] == [
        ("zone_air_temperature", 23.0, "DEG_C")
    ]
    for value in ("23", True, float("nan"), None):
        kwargs = {"measures": None, "brick_class": "Zone_Air_Temperature_Sensor", "unit": None}
        assert (
            point_observations(
                ROOM, {"zone_air_temperature"}, point="zat", value=value, route="point", **kwargs
            )
            == []
        )
    assert (
        point_observations(
            ROOM,
            {"co2_concentration"},
            point="zat",
            measures=None,
            brick_class="Zone_Air_Temperature_Sensor",
            value=23,
            unit=None,
            route="point",
        )
        == []
    )


# --- violations ----------------------------------------------------------------------------------


def test_values_outside_the_effective_range_are_violations_with_the_constraints_that_set_it():
    effective = combine(
        [
            rule("hard", 20.0, 26.0, because=chain("bldg", "floor")),
            rule("comfort", None, 25.0, severity="soft"),
        ]
    )
    values = [
        reading(27.0, point="hot"),
        reading(25.5, point="warm"),
        reading(300.0, "K", point="kelvin"),  # 26.85 degC
        reading(19.0, None, point="cold", route="point"),  # no unit: taken as degC
        reading(22.0, point="fine"),
        reading(0.5, "m3/s", point="wrong-quantity"),  # cannot be compared: not checked
    ]
    found = {v.point: v for v in find_violations(effective, values)}
    assert set(found) == {"hot", "warm", "kelvin", "cold"}
    hot = found["hot"]
    assert (hot.bound, hot.limit, hot.severity, hot.constraint_ids) == (
        "max",
        26.0,
        "hard",
        ("hard",),
    )
    assert hot.because[-1] == Step("floor", "CONTAINS", ROOM)
    assert "above the hard max 26 degC set by hard" in hot.describe()
    assert (found["warm"].severity, found["warm"].constraint_ids) == ("soft", ("comfort",))
    assert (found["kelvin"].compared, found["kelvin"].unit) == (26.85, "K")
    assert (found["cold"].bound, found["cold"].unit_assumed) == ("min", True)


def test_a_conditional_violation_says_when_the_broken_bound_holds():
    effective = combine([rule("always", 18.0, 28.0), rule("occupied", 20.0, 26.0, when="occupied")])
    found = find_violations(effective, [reading(27.0), reading(29.0, point="zat2")])
    # 27 only breaks the occupied max; 29 breaks the max that always holds, which says more
    # than also reporting the stricter occupied one
    assert {(v.point, v.when, v.constraint_ids) for v in found} == {
        ("zat", "occupied", ("occupied",)),
        ("zat2", None, ("always",)),
    }


def test_a_value_seen_from_the_room_and_from_its_point_is_reported_once_at_the_room():
    at_room = combine([rule("r", 20.0, 26.0)])
    at_point = combine(
        [
            rule(
                "r",
                20.0,
                26.0,
                node="zat",
                because=(*chain(), Step(ROOM, "LOCATED_IN", "zat", reverse=True)),
            )
        ]
    )
    found = find_violations(at_room, [reading(27.0, route="located")]) + find_violations(
        at_point, [reading(27.0, node="zat", route="point")]
    )
    assert len(found) == 2
    [kept] = unique_violations(found)
    assert kept.node == ROOM


# --- capacity ------------------------------------------------------------------------------------


def capacity(high: float | None = 1.5, low: float | None = None) -> Contribution:
    return rule(
        "ahu-cap",
        low,
        high,
        "m3/s",
        prop="supply_air_flow",
        ctype="capacity",
        node="ahu",
        because=chain(node="ahu"),
    )


def flow(child: str, value: float, unit: str | None, **kwargs: object) -> Observation:
    return reading(value, unit, prop="supply_air_flow", node=child, **kwargs)  # type: ignore[arg-type]


def network(feeds: dict[str, list[str]], readings: dict[str, tuple[Observation, ...]]):
    """A flow network keyed by twin_id: who FEEDS whom, and the readings of each node."""
    keys = set(feeds) | {k for targets in feeds.values() for k in targets} | set(readings)
    return {k: FeedNode(k, None, (k,), tuple(feeds.get(k, ())), readings.get(k, ())) for k in keys}


def test_a_capacity_check_sums_known_demands_in_its_unit_and_lists_the_missing_ones():
    readings = {
        "vav-1": (flow("vav-1", 0.9, None, point=None, route="own"),),
        "vav-2": (flow("vav-2", 800.0, "L-PER-SEC", point="saf", route="point"),),
    }
    feeds = {"ahu": ["vav-1", "vav-2", "vav-3"], "vav-3": ["room-3"]}
    check = check_capacity(capacity(1.5), "ahu", network(feeds, readings))
    assert check.total == 1.7
    assert [(d.child, d.value) for d in check.demands] == [("vav-1", 0.9), ("vav-2", 0.8)]
    # the VAV is missing, not the room it feeds: nothing below it is known either
    assert [m.child for m in check.missing] == ["vav-3"]
    assert check.violated and check.bound == "max" and not check.complete
    violation = capacity_violation(check)
    assert (violation.kind, violation.value, violation.limit) == ("capacity", 1.7, 1.5)
    # within capacity so far: not violated, but not complete either
    assert not check_capacity(capacity(2.0), "ahu", network(feeds, readings)).violated
    # a minimum cannot be judged while a demand is missing
    assert not check_capacity(capacity(None, 5.0), "ahu", network(feeds, readings)).violated
    complete = {"ahu": ["vav-1", "vav-2"]}
    assert check_capacity(capacity(None, 5.0), "ahu", network(complete, readings)).bound == "min"


def test_a_duct_without_a_demand_is_looked_through_and_a_measured_one_covers_its_branch():
    # Brick: the AHU feeds the boxes; IFC: the AHU feeds a riser that feeds the same boxes
    feeds = {"ahu": ["vav-1", "vav-2", "riser"], "riser": ["vav-1", "vav-2"]}
    readings = {
        "vav-1": (flow("vav-1", 0.9, "m3/s", route="point"),),
        "vav-2": (flow("vav-2", 0.8, "m3/s", route="point"),),
    }
    check = check_capacity(capacity(), "ahu", network(feeds, readings))
    assert [(d.child, d.value) for d in check.demands] == [("vav-1", 0.9), ("vav-2", 0.8)]
    assert (check.total, check.missing) == (1.7, ())
    # a flow sensor on the riser measures its whole branch: the boxes are not counted twice
    metered = {**readings, "riser": (flow("riser", 1.6, "m3/s", point="riser-saf", route="point"),)}
    check = check_capacity(capacity(), "ahu", network(feeds, metered))
    assert [(d.child, d.value) for d in check.demands] == [("riser", 1.6)]
    # nothing known anywhere: the boxes are missing, not the riser they sit behind
    check = check_capacity(capacity(), "ahu", network(feeds, {}))
    assert [m.child for m in check.missing] == ["vav-1", "vav-2"]
    # a box reached only through the riser says so
    only_ifc = {"ahu": ["riser"], "riser": ["vav-1", "vav-2"]}
    check = check_capacity(capacity(), "ahu", network(only_ifc, readings))
    assert [d.through for d in check.demands] == [("riser",), ("riser",)]


def test_a_loop_in_the_flow_network_is_not_a_child():
    feeds = {"ahu": ["vav-1"], "vav-1": ["room"], "room": ["ahu"]}  # return air back to the AHU
    check = check_capacity(capacity(), "ahu", network(feeds, {}))
    assert [m.child for m in check.missing] == ["vav-1"]


def test_same_as_twins_are_one_node_of_the_flow_network_named_by_the_parents_own_model():
    reached = [
        Reached("ahu", "AHU-2", ("ahu", "ifc-ahu"), ("vav-1",)),
        Reached("ifc-ahu", "AHU-02", ("ahu", "ifc-ahu"), ("ifc-riser",)),
        Reached("ifc-riser", "SA riser", ("ifc-riser",), ("ifc-vav-1",)),
        Reached("ifc-vav-1", "VAV (BIM)", ("ifc-vav-1", "vav-1"), ()),
        Reached("vav-1", "VAV-1", ("ifc-vav-1", "vav-1"), ()),
    ]
    built = build_network("ahu", reached)
    assert set(built) == {"ahu", "ifc-riser", "vav-1"}
    assert built["ahu"].feeds == ("ifc-riser", "vav-1")
    assert built["ifc-riser"].feeds == ("vav-1",)
    assert built["vav-1"].members == ("ifc-vav-1", "vav-1")


def test_a_demand_is_the_childs_own_value_else_its_freshest_point_never_a_served_value():
    old = datetime(2024, 1, 1, tzinfo=UTC)
    new = datetime(2024, 6, 1, tzinfo=UTC)
    readings = (
        flow("vav", 0.5, "m3/s", point="old", route="point", at=old),
        flow("vav", 0.7, "m3/s", point="new", route="point", at=new),
        flow("vav", 9.0, "m3/s", point="ahu-saf", route="served", at=new),
    )
    feeds = {"ahu": ["vav"]}
    check = check_capacity(capacity(), "ahu", network(feeds, {"vav": readings}))
    assert [d.observed.point for d in check.demands] == ["new"]
    own = (*readings, flow("vav", 0.6, None, point=None, route="own"))
    check = check_capacity(capacity(), "ahu", network(feeds, {"vav": own}))
    assert check.demands[0].observed.route == "own"
    bad = (flow("vav", 20.0, "degC", point="t", route="point"),)
    check = check_capacity(capacity(), "ahu", network(feeds, {"vav": bad}))
    assert check.missing[0].reason.startswith("cannot convert")


# --- because chains ------------------------------------------------------------------------------


def test_a_because_chain_reads_from_the_regulation_down_to_the_node():
    steps = (
        Step("reg", "HAS_PART", "c", from_name="EN 16798-1 cat. II", to_name="Office temperature"),
        Step("c", "APPLIES_TO", "bldg", to_name="Building A", selector="c"),
        Step("bldg", "CONTAINS", "floor"),
        Step("floor", "LOCATED_IN", "zat", reverse=True),
    )
    assert describe_chain(steps) == (
        "EN 16798-1 cat. II -> has part Office temperature -> applies to (selector) Building A "
        "-> contains floor -> houses zat"
    )
    regulation_level = (
        Step("reg", "HAS_PART", "c"),
        Step("reg", "APPLIES_TO", "bldg", sources=("s",)),
    )
    assert (
        describe_chain(regulation_level) == "reg -> has part c; reg -> applies to (explicit) bldg"
    )
    assert describe_chain(()) == ""
