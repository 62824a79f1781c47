"""Each behaviour detector finds its planted fault in a small generated building and stays
quiet on the clean one (tests/unit/behaviour_building.py)."""

from __future__ import annotations

import numpy as np
import pytest

from graphtwin.behaviour.detect import detect, fit_relations
from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.residual import detect_residual
from graphtwin.behaviour.stuck import detect_stuck
from graphtwin.behaviour.thresholds import Thresholds
from tests.unit.behaviour_building import Building, at, building


@pytest.fixture(scope="module")
def office() -> Building:
    return building()


def found(episodes: list[Episode]) -> set[tuple[str, str, Cause]]:
    return {(e.point, e.rule, e.cause) for e in episodes}


def test_the_clean_building_gives_no_finding(office: Building):
    assert detect(office.frame, office.relations) == []


def test_a_sensor_stuck_overnight_is_found_as_a_sensor_fault_an_hour_in(office: Building):
    def stick(v: np.ndarray) -> np.ndarray:
        v[:16] = v[0]
        return v

    first = at(1, 1)
    episodes = detect(office.planted("z1.t", first, stick), office.relations)
    [stuck] = [e for e in episodes if e.rule == "behaviour-stuck"]
    assert (stuck.point, stuck.cause) == ("z1.t", Cause.SENSOR)
    assert stuck.opened - office.frame.history == first + Thresholds().stuck_steps - 1
    assert stuck.evidence["flat_steps"] == 16 and set(stuck.compared) == {"z2.t", "z3.t"}
    assert {e.point for e in episodes} == {"z1.t"}


def test_a_flat_run_its_relations_did_not_expect_to_move_is_not_stuck(office: Building):
    fitted = fit_relations(office.frame, office.relations)
    held = {p: f for p, f in fitted.items() if p != "z1.t"}
    frame = office.planted("z1.t", at(1, 1), lambda v: np.full_like(v, v[0]))
    assert [e.point for e in detect_stuck(frame, office.relations, fitted, Thresholds())] == [
        "z1.t"
    ]
    quiet = Thresholds(stuck_expected_change=1e9)
    assert detect_stuck(frame, office.relations, held | {"z1.t": fitted["z1.t"]}, quiet) == []


@pytest.mark.parametrize(
    ("point", "change"),
    [
        ("z2.t", lambda v: v + np.r_[np.full(24, 2.0), np.zeros(v.size - 24)]),
        ("z2.t", lambda v: v + np.r_[np.arange(24) * 0.25, np.zeros(v.size - 24)]),
        ("ahu.sat", lambda v: v + np.r_[np.full(24, 4.0), np.zeros(v.size - 24)]),
    ],
    ids=["offset", "drift", "supply-offset"],
)
def test_an_offset_or_drifting_sensor_leaves_its_relation_and_only_it_is_reported(
    office: Building, point: str, change
):
    episodes = detect(office.planted(point, at(1, 10), change), office.relations)
    assert "behaviour-residual" in {e.rule for e in episodes if e.point == point}
    assert {e.point for e in episodes} == {point}
    assert {e.cause for e in episodes} == {Cause.SENSOR}
    first = min(e.opened for e in episodes) - office.frame.history
    assert at(1, 10) <= first <= at(1, 10) + 8  # within two hours


def test_a_noisy_sensor_is_found_by_its_zigzag(office: Building):
    rng = np.random.default_rng(1)

    def noisy(v: np.ndarray) -> np.ndarray:
        v[:8] += rng.normal(0, 0.8, 8)
        return v

    episodes = detect(office.planted("z3.t", at(1, 10), noisy), office.relations)
    assert ("z3.t", "behaviour-noise", Cause.SENSOR) in found(episodes)


def test_two_swapped_sensors_are_reported_as_a_pair(office: Building):
    values = office.frame.values.copy()
    i, j = office.frame.ids.index("z1.t"), office.frame.ids.index("z3.t")
    lo = office.frame.history + at(1, 10)
    values[lo : lo + 16, [i, j]] = values[lo : lo + 16, [j, i]]
    frame = Frame(office.frame.start, office.frame.step, office.frame.ids, values,
                  office.frame.history, office.frame.utc_offset)  # fmt: skip
    swaps = [e for e in detect(frame, office.relations) if e.rule == "behaviour-swap"]
    assert {(e.point, e.evidence["swapped_with"]) for e in swaps} == {
        ("z1.t", "z3.t"),
        ("z3.t", "z1.t"),
    }
    assert {e.cause for e in swaps} == {Cause.SENSOR}


def test_a_fan_that_stops_in_working_hours_is_a_change_in_behaviour(office: Building):
    def trip(v: np.ndarray) -> np.ndarray:
        v[:16] = 0.0
        return v

    episodes = detect(office.planted("fan.status", at(1, 10), trip), office.relations)
    rules = {e.rule for e in episodes if e.point == "fan.status"}
    assert rules == {"behaviour-profile", "behaviour-command"}
    assert {e.cause for e in episodes} == {Cause.BEHAVIOUR}


def test_a_fan_on_with_no_air_flow_does_not_respond_to_its_command(office: Building):
    def no_flow(v: np.ndarray) -> np.ndarray:
        v[:8] = 0.0
        return v

    episodes = detect(office.planted("ahu.flow", at(1, 10), no_flow), office.relations)
    [command] = [e for e in episodes if e.rule == "behaviour-command"]
    assert command.point == "fan.status" and "ahu.flow" in command.compared
    assert command.evidence["ahu.flow now"] == 0.0


def test_a_setpoint_nobody_used_at_that_hour_is_a_change_in_behaviour(office: Building):
    def changed(v: np.ndarray) -> np.ndarray:
        v[:16] = 17.0
        return v

    episodes = detect(office.planted("z1.hsp", at(1, 10), changed), office.relations)
    assert found(episodes) == {("z1.hsp", "behaviour-profile", Cause.BEHAVIOUR)}


def test_a_zone_temperature_labelled_humidity_behaves_unlike_its_class():
    mislabelled = building(mislabels={"z1.t": {"brick_class": "Zone_Air_Humidity_Sensor"}})
    episodes = detect(mislabelled.frame, mislabelled.relations)
    [wrong] = [e for e in episodes if e.rule == "behaviour-class"]
    assert (wrong.point, wrong.cause) == ("z1.t", Cause.MODEL)
    assert wrong.evidence["behaves_like"] == "zone_temperature"


def test_a_zone_temperature_hung_on_another_zone_is_a_model_error():
    moved = building(mislabels={"z1.t": {"parent": "z2"}})
    episodes = detect(moved.frame, moved.relations)
    assert ("z1.t", "behaviour-parent", Cause.MODEL) in found(episodes)
    assert not [e for e in episodes if e.point == "z2.t"]


def test_residual_detection_without_relations_to_learn_from_finds_nothing(office: Building):
    assert detect_residual(office.frame, office.relations, {}, Thresholds()) == []
