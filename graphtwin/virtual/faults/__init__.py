"""Faults and actions for virtual buildings, from a YAML faults file.

Equipment faults and actions (trip, coil_failure, setpoint_change, schedule_change,
degradation) act on the running EnergyPlus through its actuators; sensor faults (stuck, offset,
drift, noise, swap) act on what is served; mislabels act on the imported twin graph. The file's
format is `spec.FaultsFile` (docs/faults.schema.json, `graphtwin schema faults`); docs/faults.md
says what each type does.

>>> plan = load_faults(Path("faults.yaml"), points=points, epjson=epjson,
...                    start=run_start, end=run_end)  # doctest: +SKIP
>>> engine.run(..., faults=plan)  # a FaultHooks  # doctest: +SKIP
>>> json.dumps(plan.labels())  # the ground truth  # doctest: +SKIP
"""

from graphtwin.virtual.faults.errors import FaultsFileError
from graphtwin.virtual.faults.generate import (
    fault_types_for,
    faults_yaml,
    generate_faults,
    write_faults,
)
from graphtwin.virtual.faults.loading import load_faults
from graphtwin.virtual.faults.mislabel import apply_mislabels
from graphtwin.virtual.faults.plan import FaultPlan, Mislabeling, PlannedFault
from graphtwin.virtual.faults.probe import available_actuators
from graphtwin.virtual.faults.spec import FAULT_TYPES, faults_json_schema

__all__ = [
    "FAULT_TYPES",
    "FaultPlan",
    "FaultsFileError",
    "Mislabeling",
    "PlannedFault",
    "apply_mislabels",
    "available_actuators",
    "fault_types_for",
    "faults_json_schema",
    "faults_yaml",
    "generate_faults",
    "load_faults",
    "write_faults",
]
