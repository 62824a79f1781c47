"""Faults and actions on a real EnergyPlus run: the ASHRAE medium office in Denver, three July
days (Tuesday to Thursday), run by the virtual building's engine three times: clean, with the
equipment faults and actions, with the sensor faults. Each fault is judged against the clean
run over its own window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from statistics import mean

import pytest

pytest.importorskip("pyenergyplus")

from graphtwin.virtual.engine import EnergyPlusEngine, collect
from graphtwin.virtual.faults import (
    FaultsFileError,
    apply_mislabels,
    available_actuators,
    load_faults,
)
from graphtwin.virtual.faults.plan import FaultPlan
from graphtwin.virtual.hooks import FaultHooks
from graphtwin.virtual.runs import PreparedRun, RunRequest, prepare_run
from importers.energyplus import EnergyPlusImporter

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "faults"
M = "eplus:ASHRAE901_OfficeMedium_STD2019_Denver"
BOTTOM_ZONES = ["Core_bottom", *(f"Perimeter_bot_ZN_{i}" for i in range(1, 5))]
MIDDLE_ZONES = ["Core_mid", *(f"Perimeter_mid_ZN_{i}" for i in range(1, 5))]

EQUIPMENT = """graphtwin-faults: 1
faults:
  - {id: trip, type: trip, target: PACU_VAV_bot, start: "07-02 10:00", duration: 4h}
  - {id: coil, type: coil_failure, target: PACU_VAV_mid_CoolC DXCoil, start: "07-02 10:00",
     duration: 4h}
  - {id: worn, type: degradation, target: PACU_VAV_top Fan, start: "07-02 10:00", duration: 4h,
     fraction: 0.5}
  - {id: warm, type: setpoint_change, target: Perimeter_top_ZN_1, start: "07-03 08:00",
     duration: 3h, cooling: 29.0}
  - {id: empty, type: schedule_change, target: BLDG_OCC_SCH_wo_SB, start: "07-03 13:00",
     duration: 4h, value: 0.0}
"""
SENSORS = f"""graphtwin-faults: 1
faults:
  - {{id: stuck, type: stuck, target: zone/Core_mid/air-temperature, start: "07-02 06:00",
     duration: 12h}}
  - {{id: offset, type: offset, target: zone/Perimeter_mid_ZN_1/air-temperature,
     start: "07-02 06:00", duration: 12h, offset: 2.5}}
  - {{id: drift, type: drift, target: {M}/ahu/PACU_VAV_top/supply-air-temperature,
     start: "07-02 06:00", duration: 12h, rate_per_hour: 0.5}}
  - {{id: noise, type: noise, target: building/OfficeMedium/outdoor-air-temperature,
     start: "07-02 06:00", duration: 12h, sigma: 1.0}}
  - {{id: swap, type: swap, targets: [zone/Perimeter_bot_ZN_1/air-temperature,
     zone/Perimeter_bot_ZN_3/air-temperature], start: "07-02 06:00", duration: 12h}}
"""

Samples = list[tuple[datetime, dict[str, float]]]


@pytest.fixture(scope="module")
def prepared() -> PreparedRun:
    return prepare_run(RunRequest("office_medium", "denver", start="07-01", days=3))


@pytest.fixture(scope="module")
def actuators(prepared):
    return available_actuators(prepared.epjson)


@pytest.fixture(scope="module")
def plan_of(prepared, actuators, tmp_path_factory) -> Callable[[str], FaultPlan]:
    def plan(text: str) -> FaultPlan:
        path = tmp_path_factory.mktemp("faults") / "faults.yaml"
        path.write_text(text)
        return load_faults(
            path,
            points=prepared.points,
            epjson=prepared.epjson,
            start=prepared.start,
            end=prepared.end,
            time_zone_h=prepared.time_zone_h,
            available=actuators,
        )

    return plan


def run(prepared: PreparedRun, folder: Path, faults: FaultHooks | None = None) -> Samples:
    samples: Samples = []
    engine = EnergyPlusEngine(
        prepared.files(folder), prepared.points, collect(samples), faults=faults
    )
    engine.run()
    return samples


@pytest.fixture(scope="module")
def clean(prepared, tmp_path_factory) -> Samples:
    return run(prepared, tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="module")
def equipment_plan(plan_of) -> FaultPlan:
    return plan_of(EQUIPMENT)


@pytest.fixture(scope="module")
def equipment(prepared, equipment_plan, tmp_path_factory) -> Samples:
    return run(prepared, tmp_path_factory.mktemp("equipment"), equipment_plan)


@pytest.fixture(scope="module")
def sensors_plan(plan_of) -> FaultPlan:
    return plan_of(SENSORS)


@pytest.fixture(scope="module")
def sensors(prepared, sensors_plan, tmp_path_factory) -> Samples:
    return run(prepared, tmp_path_factory.mktemp("sensors"), sensors_plan)


def window(plan: FaultPlan, fault_id: str) -> tuple[datetime, datetime]:
    fault = next(f for f in plan.faults if f.id == fault_id)
    return fault.start, fault.end


def during(samples: Samples, span: tuple[datetime, datetime], twin_id: str) -> list[float]:
    """The values of `twin_id` in the samples from the second hour of `span` to its end (the
    first hour is the building's response)."""
    first = span[0].timestamp() + 3600
    return [v[twin_id] for t, v in samples if first < t.timestamp() and t <= span[1]]


def test_the_runs_cover_the_same_timesteps(clean, equipment, sensors):
    assert len(clean) == 3 * 24 * 4
    assert [t for t, _ in equipment] == [t for t, _ in clean] == [t for t, _ in sensors]


def test_an_ahu_trip_warms_every_zone_it_serves_and_stops_its_fan(clean, equipment, equipment_plan):
    span = window(equipment_plan, "trip")
    fan = f"{M}/fan/PACU_VAV_bot_Fan"
    assert set(during(equipment, span, f"{fan}/status")) == {0.0}
    assert max(during(equipment, span, f"{fan}/power")) == 0.0
    assert min(during(clean, span, f"{fan}/power")) > 0.0
    # The trip acts on the timesteps that simulate its window, each stamped with its end.
    power = {t: v[f"{fan}/power"] for t, v in equipment}
    step = timedelta(minutes=15)
    assert power[span[0]] > 0.0
    assert power[span[0] + step] == 0.0 == power[span[1]]
    assert power[span[1] + step] > 0.0
    for zone in BOTTOM_ZONES:
        point = f"{M}/zone/{zone}/air-temperature"
        rise = mean(during(equipment, span, point)) - mean(during(clean, span, point))
        assert rise > 0.5, f"{zone} warmed only {rise:.2f} C"


def test_a_failed_dx_coil_stops_cooling_and_its_zones_warm(clean, equipment, equipment_plan):
    span = window(equipment_plan, "coil")
    coil = f"{M}/coil/PACU_VAV_mid_CoolC_DXCoil/cooling-rate"
    assert mean(during(clean, span, coil)) > 5000.0
    assert max(during(equipment, span, coil)) < 1.0
    warmer = [
        mean(during(equipment, span, p)) - mean(during(clean, span, p))
        for p in (f"{M}/zone/{zone}/air-temperature" for zone in MIDDLE_ZONES)
    ]
    assert min(warmer) > 0.3, warmer


def test_a_degraded_fan_draws_power_in_proportion_to_its_lost_efficiency(
    clean, equipment, equipment_plan
):
    span = window(equipment_plan, "worn")
    fan = f"{M}/fan/PACU_VAV_top_Fan/power"
    ratio = mean(during(equipment, span, fan)) / mean(during(clean, span, fan))
    assert 1.7 < ratio < 2.3  # fraction 0.5: twice the power for about the same air


def test_a_setpoint_change_moves_the_zones_thermostat_setpoint(clean, equipment, equipment_plan):
    span = window(equipment_plan, "warm")
    point = f"{M}/zone/Perimeter_top_ZN_1/cooling-setpoint"
    assert set(during(equipment, span, point)) == {29.0}
    assert max(during(clean, span, point)) < 27.0
    other = f"{M}/zone/Perimeter_top_ZN_2/cooling-setpoint"
    assert during(equipment, span, other) == during(clean, span, other)


def test_an_empty_building_needs_less_cooling(clean, equipment, equipment_plan):
    span = window(equipment_plan, "empty")
    coils = [
        f"{M}/coil/PACU_VAV_{floor}_CoolC_DXCoil/cooling-rate" for floor in ("bot", "mid", "top")
    ]
    cooling = {
        name: sum(mean(during(samples, span, coil)) for coil in coils)
        for name, samples in (("clean", clean), ("empty", equipment))
    }
    assert cooling["empty"] < 0.9 * cooling["clean"], cooling


def test_sensor_faults_change_exactly_their_points_as_specified(clean, sensors, sensors_plan):
    span = window(sensors_plan, "stuck")
    stuck = f"{M}/zone/Core_mid/air-temperature"
    offset = f"{M}/zone/Perimeter_mid_ZN_1/air-temperature"
    drift = f"{M}/ahu/PACU_VAV_top/supply-air-temperature"
    noise = f"{M}/building/OfficeMedium/outdoor-air-temperature"
    first, second = (f"{M}/zone/Perimeter_bot_ZN_{i}/air-temperature" for i in (1, 3))
    targeted = {stuck, offset, drift, noise, first, second}
    frozen = None
    noisy = []
    for (now, truth), (_, served) in zip(clean, sensors, strict=True):
        untouched = {k: v for k, v in served.items() if k not in targeted}
        assert untouched == {k: v for k, v in truth.items() if k not in targeted}
        if now == span[0]:
            frozen = truth[stuck]  # stuck from here on
        if not span[0] < now <= span[1]:
            assert served == truth
            continue
        assert served[stuck] == frozen
        assert served[offset] == pytest.approx(truth[offset] + 2.5)
        hours = (now - span[0]).total_seconds() / 3600
        assert served[drift] == pytest.approx(truth[drift] + 0.5 * hours)
        assert (served[first], served[second]) == (truth[second], truth[first])
        noisy.append(served[noise] - truth[noise])
    assert len(noisy) == 12 * 4
    assert len(set(during(clean, span, stuck))) > 1  # the true value did move
    assert 0.5 < (sum(n * n for n in noisy) / len(noisy)) ** 0.5 < 1.5


def test_labels_name_what_each_fault_affects_and_when(equipment_plan, prepared):
    labels = {label["id"]: label for label in equipment_plan.labels()}
    assert set(labels) == {"trip", "coil", "worn", "warm", "empty"}
    for label in labels.values():
        assert set(label) >= {"id", "type", "targets", "affected", "start", "end", "parameters"}
        assert label["start"].endswith("Z") and label["start"] < label["end"]
    trip = labels["trip"]
    assert trip["targets"] == [f"{M}/ahu/PACU_VAV_bot"]
    assert trip["start"] == "2025-07-02T17:00:00Z"  # 10:00 Denver standard time
    zones = {a for a in trip["affected"] if a.startswith(f"{M}/zone/") and a.count("/") == 2}
    assert zones == {f"{M}/zone/{z}" for z in BOTTOM_ZONES}
    terminals = {a for a in trip["affected"] if "/terminal/" in a and a.count("/") == 2}
    assert terminals == {f"{M}/terminal/{z}_VAV_Box_Component" for z in BOTTOM_ZONES}
    points = {p.twin_id for p in prepared.points}
    assert {f"{M}/zone/{z}/air-temperature" for z in BOTTOM_ZONES} <= set(trip["affected"])
    assert set(trip["affected"]) - points <= {
        *zones, *terminals, f"{M}/ahu/PACU_VAV_bot", f"{M}/fan/PACU_VAV_bot_Fan",
        f"{M}/coil/PACU_VAV_bot_CoolC_DXCoil", f"{M}/coil/PACU_VAV_bot_HeatC",
        *(f"{M}/coil/{z}_VAV_Box_Reheat_Coil" for z in BOTTOM_ZONES),
    }  # fmt: skip
    occupied = {  # the zones whose people follow the schedule, read from the model itself
        f"{M}/zone/{people['zone_or_zonelist_or_space_or_spacelist_name']}"
        for people in prepared.epjson["People"].values()
        if people["number_of_people_schedule_name"] == "BLDG_OCC_SCH_wo_SB"
    }
    assert 10 <= len(occupied) < 15  # Perimeter_mid_ZN_2 has a schedule of its own
    zones = {a for a in labels["empty"]["affected"] if "/zone/" in a and a.count("/") == 2}
    assert zones == occupied


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_file_loads_against_the_medium_office(example, prepared, actuators):
    plan = load_faults(  # the examples fit a run of four days from 07-01
        example,
        points=prepared.points,
        epjson=prepared.epjson,
        start=prepared.start,
        end=prepared.start + timedelta(days=4),
        available=actuators,
    )
    assert plan.labels()


def test_mislabels_change_the_imported_medium_office_graph(prepared, actuators, tmp_path):
    plan = load_faults(
        EXAMPLES / "mislabels.yaml",
        points=prepared.points,
        epjson=prepared.epjson,
        start=prepared.start,
        end=prepared.end,
        available=actuators,
    )
    graph = EnergyPlusImporter().parse(prepared.model.path)
    wrong = apply_mislabels(graph, plan)
    core_top = f"{M}/zone/Core_top/air-temperature"
    assert graph.nodes[core_top].properties["brick_class"] == "Zone_Air_Temperature_Sensor"
    assert wrong.nodes[core_top].properties["brick_class"] == "Supply_Air_Temperature_Sensor"
    moved = f"{M}/zone/Perimeter_top_ZN_2/air-temperature"
    assert (f"{M}/zone/Perimeter_top_ZN_4", "HAS_POINT", moved) in wrong.relationships
    assert (f"{M}/zone/Perimeter_top_ZN_2", "HAS_POINT", moved) not in wrong.relationships


def test_a_faults_file_naming_a_reheat_coil_to_fail_names_the_line_and_entry(plan_of):
    text = (
        "graphtwin-faults: 1\nfaults:\n"
        "  - {type: trip, target: PACU_VAV_top, start: '07-02 10:00', duration: 1h}\n"
        "  - id: reheat\n    type: coil_failure\n    target: Core_bottom VAV Box Reheat Coil\n"
        "    start: '07-02 10:00'\n    duration: 1h\n"
    )
    with pytest.raises(FaultsFileError) as caught:
        plan_of(text)
    assert (caught.value.line, caught.value.entity) == (6, "fault reheat")
    assert "load-controlled" in caught.value.reason
