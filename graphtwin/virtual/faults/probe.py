"""The actuators a model really offers, asked of EnergyPlus itself.

EnergyPlus lists its actuators (`api.exchange.get_api_data`) only once a run has read the model,
so this starts a run of the model's sizing periods (no weather file needed) and stops it at the
first system timestep. About a second for the ASHRAE medium office.

>>> refs = available_actuators(convert_to_epjson(Path("office.idf")))  # doctest: +SKIP
>>> ActuatorRef("Fan", "Fan Air Mass Flow Rate", "PACU_VAV_BOT FAN") in refs  # doctest: +SKIP
True
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

from graphtwin.errors import InputError, SourceLocation
from graphtwin.virtual.hooks import ActuatorRef
from importers.energyplus.runtime import (
    EnergyPlusRejectedError,
    convert_to_epjson,
    energyplus_api,
    severe_lines,
)


def available_actuators(model: dict[str, Any] | Path) -> frozenset[ActuatorRef]:
    """Every actuator EnergyPlus offers for `model` (an epJSON dictionary or a model file), with
    its fields in upper case (EnergyPlus compares them case-insensitively; so does
    `has_actuator`). A model EnergyPlus rejects raises EnergyPlusRejectedError."""
    epjson = convert_to_epjson(model) if isinstance(model, Path) else model
    probe = copy.deepcopy(epjson)
    control = next(iter((probe.get("SimulationControl") or {}).values()), {})
    control.update(
        run_simulation_for_sizing_periods="Yes", run_simulation_for_weather_file_run_periods="No"
    )
    probe["SimulationControl"] = {"SimulationControl 1": control}
    api = energyplus_api()
    found: list[ActuatorRef] = []
    with tempfile.TemporaryDirectory(prefix="graphtwin-actuators-") as tmp:
        path = Path(tmp) / "probe.epJSON"
        path.write_text(json.dumps(probe), encoding="utf-8")
        state = api.state_manager.new_state()

        def listed(state_now: Any) -> None:
            if found or not api.exchange.api_data_fully_ready(state_now):
                return
            found.extend(
                ActuatorRef(item.name.upper(), item.type.upper(), item.key.upper())
                for item in api.exchange.get_api_data(state_now)
                if item.what == "Actuator"
            )
            api.runtime.stop_simulation(state_now)

        try:
            api.runtime.set_console_output_status(state, False)
            api.runtime.callback_begin_system_timestep_before_predictor(state, listed)
            code = api.runtime.run_energyplus(state, ["-d", tmp, str(path)])
        finally:
            api.state_manager.delete_state(state)
        if code != 0 and not found:
            raise EnergyPlusRejectedError(path, severe_lines(Path(tmp) / "eplusout.err"))
    if not found:
        raise InputError(
            "EnergyPlus ran no system timestep to list the model's actuators from (the model "
            "has no sizing period: add a SizingPeriod:DesignDay)",
            location=SourceLocation(str(model) if isinstance(model, Path) else "<epJSON>"),
        )
    return frozenset(found)


def has_actuator(available: frozenset[ActuatorRef], ref: ActuatorRef) -> bool:
    """Whether `ref` is among `available`, in any case."""
    return (
        ActuatorRef(ref.component_type.upper(), ref.control_type.upper(), ref.key.upper())
        in available
    )
