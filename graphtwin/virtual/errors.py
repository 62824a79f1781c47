"""What can go wrong with a virtual building, as typed errors the CLI maps to exit codes.

An input that cannot run (an unknown model, weather or point) is an `InputError` (exit 2,
nothing written); EnergyPlus failing in the middle of a run is `VirtualBuildingCrashedError`
(exit 1), which quotes EnergyPlus's own severe lines; what was served before it stays served.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from graphtwin.errors import GraphTwinError, InputError, SourceLocation


class UnknownVariableError(InputError):
    """An observed point names a variable or meter the running model does not have (EnergyPlus
    gave no handle for it). Names every such point, its variable and key."""

    def __init__(self, model: Path, missing: Sequence[tuple[str, str, str]]) -> None:
        shown = "; ".join(
            f"{twin_id} ({variable}, key {key!r})" if key else f"{twin_id} (meter {variable})"
            for twin_id, variable, key in missing[:5]
        )
        more = f"; and {len(missing) - 5} more" if len(missing) > 5 else ""
        super().__init__(
            f"EnergyPlus has no such variable for {len(missing)} point(s): {shown}{more}",
            location=SourceLocation(str(model)),
            entity=missing[0][0],
        )
        self.missing = list(missing)


class UnknownActuatorError(InputError):
    """A fault asks for an EnergyPlus actuator the running model does not have."""

    def __init__(self, model: Path, missing: Sequence[str]) -> None:
        super().__init__(
            f"EnergyPlus has no such actuator: {'; '.join(missing[:5])}",
            location=SourceLocation(str(model)),
            entity=missing[0],
        )
        self.missing = list(missing)


class VirtualBuildingCrashedError(GraphTwinError):
    """EnergyPlus stopped with an error in the middle of a run. The message quotes its severe and
    fatal lines from `eplusout.err`; samples delivered before the crash stay delivered."""

    def __init__(self, err_file: Path, lines: Sequence[str], *, timesteps: int) -> None:
        quoted = " | ".join(lines) if lines else f"no severe lines in {err_file}"
        super().__init__(
            f"EnergyPlus stopped with an error after {timesteps} served timestep(s): {quoted}"
        )
        self.err_file = err_file
        self.severe_lines = list(lines)
        self.timesteps = timesteps


class FaultsUnavailableError(GraphTwinError):
    """`--faults` was given but this installation has no fault plans
    (`graphtwin.virtual.faults`)."""

    def __init__(self) -> None:
        super().__init__(
            "--faults needs graphtwin.virtual.faults, which this installation does not have"
        )


class OutputFolderNotEmptyError(InputError):
    """`record --out DIR` would mix two runs in one folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            "the output folder exists and is not empty (or is not a folder); give a new or "
            "empty folder for each recorded run",
            location=SourceLocation(str(folder)),
        )


class OpcUaPortInUseError(GraphTwinError):
    """The OPC UA server's port is taken by another process."""

    def __init__(self, port: int) -> None:
        super().__init__(
            f"port 127.0.0.1:{port} is already in use; choose another with --port "
            "(0 picks a free one)"
        )
        self.port = port


class BacnetPortInUseError(GraphTwinError):
    """The virtual BACnet device's UDP port is taken by another process."""

    def __init__(self, address: str, why: object) -> None:
        super().__init__(f"cannot serve BACnet on {address}: {why}; choose another port")
        self.address = address


class UnsupportedBacnetObjectError(InputError):
    """A virtual BACnet device serves analog-value and analog-input objects only."""
