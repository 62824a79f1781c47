"""A fault plan as the engine drives it: when actuators are held and released, and what sensor
faults do to the served values, without EnergyPlus (the model is test_faults_model.py's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graphtwin.virtual.hooks import ActuatorRef
from tests.unit.test_faults_file import entry, load
from tests.unit.test_faults_model import PREFIX

FAN_FLOW = ActuatorRef("Fan", "Fan Air Mass Flow Rate", "AHU-1 Fan")
FAN_EFFICIENCY = ActuatorRef("Fan", "Fan Total Efficiency", "AHU-1 Fan")
Z1 = f"{PREFIX}/zone/Z1/air-temperature"
Z2 = f"{PREFIX}/zone/Z2/air-temperature"
SAT = f"{PREFIX}/ahu/AHU-1/supply-air-temperature"
OAT = f"{PREFIX}/building/tiny/outdoor-air-temperature"
STEP = timedelta(minutes=15)


def at(text: str) -> datetime:
    """07-02 10:00 Denver standard time (UTC-7) as the engine's aware UTC `now`."""
    return datetime.fromisoformat(f"2025-{text.replace(' ', 'T')}:00-07:00").astimezone(UTC)


def test_an_equipment_fault_holds_its_actuators_while_active_and_releases_them_once(tmp_path):
    plan = load(
        tmp_path, entry("  - {type: trip, target: AHU-1, start: '07-02 10:00', duration: 1h}")
    )
    assert plan.actuators() == [FAN_FLOW]
    # `now` stamps a timestep with its end: 10:00 ends the timestep before the fault.
    assert plan.actuations(at("07-02 10:00")) == []
    assert plan.actuations(at("07-02 10:15")) == [(FAN_FLOW, 0.0)]
    # The engine sets them again after the HVAC managers: the same values, nothing released.
    assert plan.actuations(at("07-02 10:15")) == [(FAN_FLOW, 0.0)]
    assert plan.actuations(at("07-02 11:00")) == [(FAN_FLOW, 0.0)]  # 10:45 to 11:00
    assert plan.actuations(at("07-02 11:15")) == [(FAN_FLOW, None)]
    assert plan.actuations(at("07-02 11:15")) == []
    assert plan.actuations(at("07-02 11:30")) == []


def test_two_faults_on_one_actuator_release_it_when_the_last_one_ends(tmp_path):
    plan = load(
        tmp_path,
        entry(
            "  - {type: trip, target: AHU-1 Fan, start: '07-02 10:00', duration: 2h}\n"
            "  - {type: degradation, target: AHU-1 Fan, start: '07-02 11:00', duration: 2h,"
            " fraction: 0.5}\n"
        ),
    )
    assert plan.actuations(at("07-02 10:15")) == [(FAN_FLOW, 0.0)]
    assert plan.actuations(at("07-02 11:15")) == [(FAN_FLOW, 0.0), (FAN_EFFICIENCY, 0.3)]
    assert plan.actuations(at("07-02 12:15")) == [(FAN_EFFICIENCY, 0.3), (FAN_FLOW, None)]
    assert plan.actuations(at("07-02 13:15")) == [(FAN_EFFICIENCY, None)]


def test_a_later_entry_wins_on_an_actuator_two_active_faults_set(tmp_path):
    plan = load(
        tmp_path,
        entry(
            "  - {type: setpoint_change, target: Z1, start: '07-02 10:00', duration: 2h,"
            " cooling: 28}\n"
            "  - {type: setpoint_change, target: Z1, start: '07-02 11:00', duration: 2h,"
            " cooling: 30}\n"
        ),
    )
    cooling = ActuatorRef("Zone Temperature Control", "Cooling Setpoint", "Z1")
    assert plan.actuations(at("07-02 10:30")) == [(cooling, 28.0)]
    assert plan.actuations(at("07-02 11:30")) == [(cooling, 30.0)]
    assert plan.actuations(at("07-02 12:30")) == [(cooling, 30.0)]
    assert plan.actuations(at("07-02 13:15")) == [(cooling, None)]


def samples(start: str, count: int, base: dict[str, float]) -> list[tuple[datetime, dict]]:
    """`count` timesteps from `start`, every value rising 0.1 a step (a building that moves)."""
    first = at(start)
    return [(first + i * STEP, {k: v + 0.1 * i for k, v in base.items()}) for i in range(count)]


BASE = {Z1: 22.0, Z2: 23.0, SAT: 13.0, OAT: 30.0}


def serve(plan, run):
    return [(now, values, plan.served(now, values)) for now, values in run]


def test_a_stuck_sensor_keeps_its_value_from_the_start_and_only_while_active(tmp_path):
    plan = load(tmp_path, entry("  - {type: stuck, target: zone/Z1/air-temperature, "
                                "start: '07-02 10:00', duration: 1h}"))  # fmt: skip
    served = serve(plan, samples("07-02 09:30", 12, BASE))
    frozen = served[2][1][Z1]  # the true value at 10:00, when it got stuck
    for now, truth, out in served:
        if at("07-02 10:00") < now <= at("07-02 11:00"):
            assert out[Z1] == frozen
        else:
            assert out[Z1] == truth[Z1]
        assert {k: v for k, v in out.items() if k != Z1} == {
            k: v for k, v in truth.items() if k != Z1
        }
    assert len({out[Z1] for now, _, out in served if now <= at("07-02 11:00")}) == 3


def test_a_stuck_sensor_may_be_stuck_at_a_given_value(tmp_path):
    plan = load(tmp_path, entry("  - {type: stuck, target: zone/Z1/air-temperature, "
                                "start: '07-02 10:00', duration: 1h, value: -5}"))  # fmt: skip
    assert plan.served(at("07-02 10:15"), BASE)[Z1] == -5.0


def test_offset_drift_noise_and_swap_change_exactly_their_points(tmp_path):
    plan = load(
        tmp_path,
        entry(
            "  - {type: offset, target: zone/Z1/air-temperature, start: '07-02 10:00',"
            " duration: 2h, offset: 2.5}\n"
            f"  - {{type: drift, target: {SAT}, start: '07-02 10:00', duration: 2h,"
            " rate_per_hour: 0.5}\n"
            "  - {type: noise, target: building/tiny/outdoor-air-temperature,"
            " start: '07-02 10:00', duration: 2h, sigma: 1.0}\n"
        ),
    )
    served = serve(plan, samples("07-02 10:15", 8, BASE))
    noise = []
    for now, truth, out in served:
        hours = (now - at("07-02 10:00")).total_seconds() / 3600
        assert out[Z1] == pytest.approx(truth[Z1] + 2.5)
        assert out[SAT] == pytest.approx(truth[SAT] + 0.5 * hours)
        assert out[Z2] == truth[Z2]
        noise.append(out[OAT] - truth[OAT])
    assert all(n != 0 for n in noise)
    assert len(set(noise)) == len(noise)
    assert 0.2 < (sum(n * n for n in noise) / len(noise)) ** 0.5 < 3.0  # sigma 1


def test_noise_repeats_exactly_with_the_same_seed_and_differs_with_another(tmp_path):
    text = entry("  - {type: noise, target: zone/Z1/air-temperature, start: '07-02 10:00',"
                 " duration: 2h, sigma: 1.0}")  # fmt: skip
    run = samples("07-02 10:00", 6, BASE)

    def noise(seed):
        plan = load(tmp_path, text, seed=seed)
        return [plan.served(now, values)[Z1] for now, values in run]

    assert noise(1) == noise(1)
    assert noise(1) != noise(2)


def test_a_swap_exchanges_two_points_and_nothing_else(tmp_path):
    plan = load(tmp_path, entry("  - {type: swap, targets: [zone/Z1/air-temperature, "
                                f"{Z2}], start: '07-02 10:00', duration: 1h}}"))  # fmt: skip
    out = plan.served(at("07-02 10:15"), BASE)
    assert out == {**BASE, Z1: BASE[Z2], Z2: BASE[Z1]}
    assert plan.served(at("07-02 11:15"), BASE) == BASE
    assert plan.served(at("07-02 10:00"), BASE) == BASE


def test_sensor_faults_leave_the_values_passed_in_untouched(tmp_path):
    plan = load(tmp_path, entry("  - {type: offset, target: zone/Z1/air-temperature, "
                                "start: '07-02 10:00', duration: 1h, offset: 1}"))  # fmt: skip
    values = dict(BASE)
    plan.served(at("07-02 10:15"), values)
    assert values == BASE
    assert plan.actuators() == []


def test_labels_name_every_fault_with_its_times_targets_and_parameters(tmp_path):
    plan = load(
        tmp_path,
        entry(
            "  - {id: hot, type: setpoint_change, target: Z1 Thermostat, start: '07-02 10:00',"
            " duration: 90m, cooling: 28, note: tenant request}\n"
            "  - {type: offset, target: zone/Z1/air-temperature, start: '07-02 10:00',"
            " duration: 1h, offset: 1}\n"
            "  - {type: mislabel, target: zone/Z2/air-temperature, parent: Z1}\n"
        ),
    )
    hot, offset, mislabel = plan.labels()
    assert hot == {
        "id": "hot",
        "type": "setpoint_change",
        "acts_on": "energyplus",
        "targets": [f"{PREFIX}/thermostat/Z1_Thermostat"],
        "affected": [
            f"{PREFIX}/zone/Z1", f"{PREFIX}/thermostat/Z1_Thermostat", Z1,
            f"{PREFIX}/zone/Z1/cooling-setpoint",
        ],
        "start": "2025-07-02T17:00:00Z",
        "end": "2025-07-02T18:30:00Z",
        "parameters": {"cooling": 28.0},
        "actuators": [{"component_type": "Zone Temperature Control",
                       "control_type": "Cooling Setpoint", "key": "Z1", "value": 28.0}],
        "note": "tenant request",
    }  # fmt: skip
    assert (offset["acts_on"], offset["targets"], offset["affected"]) == ("served", [Z1], [Z1])
    assert offset["parameters"] == {"offset": 1.0}
    assert mislabel["acts_on"] == "twin"
    assert (mislabel["start"], mislabel["end"]) == ("2025-07-01T07:00:00Z", "2025-07-04T07:00:00Z")
    assert mislabel["parameters"] == {
        "parent": f"{PREFIX}/zone/Z1",
        "truth": {
            Z2: {"brick_class": "Zone_Air_Temperature_Sensor", "parent": f"{PREFIX}/zone/Z2"}
        },
    }
