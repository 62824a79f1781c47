"""A small plant with bound points, and its bindings file, for telemetry tests."""

from __future__ import annotations

from pathlib import Path

from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import BindingsFile, read_bindings
from importers import IMPORTERS

PLANT = """
graphtwin: 1
source: plant
nodes:
  - id: ahu-1
    kind: Equipment
    name: AHU-1
    brick_class: Air_Handling_Unit
    links: {HAS_POINT: [ahu-1.sat, ahu-1.oat, ahu-1.fan]}
  - {id: ahu-1.sat, kind: Point, name: AHU-1 Supply Air Temperature,
     brick_class: Supply_Air_Temperature_Sensor, properties: {unit: degC, timeseries_id: ahu1/sat}}
  - {id: ahu-1.oat, kind: Point, name: AHU-1 Outside Air Temperature,
     brick_class: Outside_Air_Temperature_Sensor, properties: {unit: degC}}
  - {id: ahu-1.fan, kind: Point, name: AHU-1 Fan Status, brick_class: Fan_Status}
"""


def load_plant(store: TwinStore, tmp_path: Path) -> None:
    path = tmp_path / "plant.yaml"
    path.write_text(PLANT)
    store.load([IMPORTERS["twin"].parse(path)])


def bindings(tmp_path: Path, extra: str = "") -> BindingsFile:
    """An http source bound to the three points; `extra` adds rules or sources (YAML)."""
    text = f"""
graphtwin-bindings: 1
history: {{dir: {tmp_path / "history"}}}
audit_log: {tmp_path / "audit.jsonl"}
pipeline: {{flush_interval_s: 0.05}}
sources:
  - {{id: push, type: http}}
rules:
  default: {{}}
  supply:
    deadband: 0.05
    thresholds: {{warning: {{low: 10, high: 20}}, critical: {{high: 30}}, hysteresis: 1.0}}
    reconcile: alert
  outside: {{staleness_s: 0.4, reconcile: investigate}}
bindings:
  - {{source: push, point: {{ref: ahu1/sat}}, rule: supply}}
  - {{source: push, point: {{twin_id: ahu-1.oat}}, rule: outside}}
  - {{source: push, point: {{twin_id: ahu-1.fan}}}}
{extra}"""
    path = tmp_path / "bindings.yaml"
    path.write_text(text)
    return read_bindings(path)
