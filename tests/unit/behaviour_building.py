"""A small generated building for the behaviour detectors' tests: one AHU (fan status, supply
flow, supply temperature) feeding three zones (temperature, humidity, heating setpoint and a
terminal flow each), an outdoor temperature; 14 days of history then 7 to judge, 15-minute
steps. Each zone's temperature follows its own load (which its terminal flow also follows), so
the relations the detectors learn are real; `planted` copies it with a fault."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations

START = datetime(2025, 6, 30, 5, tzinfo=UTC)  # a Monday, midnight at UTC-5
OFFSET = timedelta(hours=-5)
PER_DAY = 96
HISTORY_DAYS, DAYS = 14, 21
ZONES = ("z1", "z2", "z3")


@dataclass
class Building:
    relations: Relations
    frame: Frame

    def planted(self, point: str, first: int, change) -> Frame:
        """A copy of the frame with `change(values)` applied to `point` from step `first` (an
        evaluation step counted from the history's end) on; `change` gets and returns the
        slice."""
        values = self.frame.values.copy()
        j = self.frame.ids.index(point)
        lo = self.frame.history + first
        values[lo:, j] = change(values[lo:, j].copy())
        return Frame(self.frame.start, self.frame.step, self.frame.ids, values,
                     self.frame.history, self.frame.utc_offset)  # fmt: skip


def rows(mislabels: dict[str, dict[str, str]] | None = None) -> list[dict[str, object]]:
    """The points as cypher/behaviour/points.cypher gives them (`mislabels`: a point's
    brick_class or parent replaced)."""
    out = [
        {"twin_id": "fan.status", "brick_class": "Fan_Status", "parent": "fan", "group": "ahu"},
        {"twin_id": "ahu.flow", "brick_class": "Supply_Air_Flow_Sensor", "parent": "ahu"},
        {"twin_id": "ahu.sat", "brick_class": "Supply_Air_Temperature_Sensor", "parent": "ahu"},
        {"twin_id": "oat", "brick_class": "Outside_Air_Temperature_Sensor", "parent": "bldg"},
    ]
    for z in ZONES:
        out += [
            {"twin_id": f"{z}.t", "brick_class": "Zone_Air_Temperature_Sensor", "parent": z},
            {"twin_id": f"{z}.rh", "brick_class": "Zone_Air_Humidity_Sensor", "parent": z},
            {"twin_id": f"{z}.hsp", "brick_class": "Zone_Air_Heating_Temperature_Setpoint",
             "parent": z},
            {"twin_id": f"{z}.vav", "brick_class": "Supply_Air_Flow_Sensor", "parent": f"{z}-vav"},
        ]  # fmt: skip
    for r in out:
        r.update((mislabels or {}).get(str(r["twin_id"]), {}))
        parent = str(r["parent"])
        r["parent_kind"] = "Zone" if parent.startswith("z") and "-" not in parent else "Equipment"
        r.setdefault("group", "ahu" if parent != "bldg" else "bldg")
        r["unit"] = None
        r["name"] = r["twin_id"]
    return out


def building(seed: int = 0, mislabels: dict[str, dict[str, str]] | None = None) -> Building:
    rng = np.random.default_rng(seed)
    n = DAYS * PER_DAY
    local = np.arange(n) + 1
    slot = local % PER_DAY
    weekday = ((local - 1) // PER_DAY) % 7 < 5
    hour = slot / 4
    on = (weekday & (hour >= 7) & (hour < 19)).astype(float)
    oat = 24 + 6 * np.sin(2 * np.pi * (slot - 36) / PER_DAY) + _smooth(rng, n, 1.0)
    series = {"fan.status": on, "oat": oat}
    flows = []
    for i, z in enumerate(ZONES):
        load = 0.5 + 0.4 * np.sin(2 * np.pi * (slot - 20 - 6 * i) / PER_DAY) + _smooth(rng, n, 0.3)
        temp = np.empty(n)
        temp[0] = 24.0
        for t in range(1, n):  # held near 23 + load while the fan runs, drifts to outdoor when off
            target = 22.5 + i * 0.7 + load[t] if on[t] else 0.7 * temp[t - 1] + 0.3 * oat[t] - 2
            temp[t] = temp[t - 1] + 0.5 * (target - temp[t - 1])
        vav = on * (0.3 + 0.8 * load)
        flows.append(vav)
        series |= {f"{z}.t": temp + rng.normal(0, 0.02, n), f"{z}.vav": vav,
                   f"{z}.rh": 50 - 1.5 * (temp - 23) + _smooth(rng, n, 0.5),
                   f"{z}.hsp": np.where(on > 0, 21.0, 15.6)}  # fmt: skip
    series["ahu.flow"] = np.sum(flows, axis=0)
    series["ahu.sat"] = np.where(on > 0, 13.0, oat - 1.0) + rng.normal(0, 0.05, n)
    ids = sorted(series)
    values = np.column_stack([series[i] for i in ids])
    frame = Frame(START, timedelta(minutes=15), ids, values, HISTORY_DAYS * PER_DAY, OFFSET)
    return Building(Relations.from_rows(rows(mislabels)), frame)


def at(day: int, hour: float) -> int:
    """The evaluation step (counted from the history's end) of `hour` on evaluation day `day`."""
    return day * PER_DAY + int(hour * 4) - 1


def _smooth(rng: np.random.Generator, n: int, size: float) -> np.ndarray:
    walk = np.convolve(rng.normal(0, 1, n + 31), np.ones(32) / 32, "valid")[:n]
    return size * walk / (walk.std() + 1e-9)
