"""The EnergyPlus engine behind the `graphtwin[energyplus]` extra, reached only through here.

`pyenergyplus` is imported lazily, so everything else in graphtwin works without the extra; a
command that needs it and finds it missing gets `EnergyPlusMissingError` saying what to install.
The importer converts models with `convert_to_epjson`; the virtual building runs them with a
fresh state from `new_state` (EnergyPlus keeps global state, so one state serves one run).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from graphtwin.errors import GraphTwinError, InputError, SourceLocation

SEVERE_MARKERS = ("** Severe  **", "**  Fatal  **")


class EnergyPlusMissingError(GraphTwinError):
    """The `graphtwin[energyplus]` extra is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "EnergyPlus is not installed: pip install 'graphtwin[energyplus]' "
            "(make demo and make test install it)"
        )


class EnergyPlusRejectedError(InputError):
    """EnergyPlus refused a model; the message quotes its own severe and fatal lines."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        quoted = " | ".join(lines) if lines else "no severe lines in eplusout.err"
        super().__init__(
            f"EnergyPlus rejected the model: {quoted}",
            location=SourceLocation(str(path)),
        )
        self.severe_lines = lines


def energyplus_api() -> Any:
    """A new `pyenergyplus.api.EnergyPlusAPI`, or `EnergyPlusMissingError`."""
    try:
        from pyenergyplus.api import EnergyPlusAPI
    except ImportError as exc:
        raise EnergyPlusMissingError() from exc
    return EnergyPlusAPI()


def datasets() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The bundled (ashrae_models, ref_models, weather_files) name -> path tables."""
    try:
        from pyenergyplus.dataset import ashrae_models, ref_models, weather_files
    except ImportError as exc:
        raise EnergyPlusMissingError() from exc
    return dict(ashrae_models), dict(ref_models), dict(weather_files)


def severe_lines(err_file: Path, *, limit: int = 8) -> list[str]:
    """EnergyPlus's severe and fatal lines from an `eplusout.err`, stripped, at most `limit`."""
    if not err_file.is_file():
        return []
    found = [
        line.strip()
        for line in err_file.read_text(encoding="utf-8", errors="replace").splitlines()
        if any(marker in line for marker in SEVERE_MARKERS)
    ]
    return found[:limit]


def convert_to_epjson(path: Path) -> dict[str, Any]:
    """`path` (IDF or epJSON) as EnergyPlus reads it: converted and validated by EnergyPlus
    itself (`--convert-only`), returned as the epJSON dictionary. A model EnergyPlus rejects
    raises `EnergyPlusRejectedError` quoting its severe lines.

    >>> model = convert_to_epjson(Path("office.idf"))  # doctest: +SKIP
    >>> sorted(model["Zone"])[:1]  # doctest: +SKIP
    ['Core_bottom']
    """
    api = energyplus_api()
    with tempfile.TemporaryDirectory(prefix="graphtwin-eplus-") as tmp:
        out = Path(tmp)
        state = api.state_manager.new_state()
        try:
            api.runtime.set_console_output_status(state, False)
            code = api.runtime.run_energyplus(state, ["--convert-only", "-d", str(out), str(path)])
        finally:
            api.state_manager.delete_state(state)
        if code != 0:
            raise EnergyPlusRejectedError(path, severe_lines(out / "eplusout.err"))
        if path.suffix.lower() == ".epjson":
            # Converting an epJSON writes an IDF; the epJSON itself passed EnergyPlus's schema.
            text = path.read_text(encoding="utf-8")
        else:
            converted = out / f"{path.stem}.epJSON"
            text = converted.read_text(encoding="utf-8")
    model: dict[str, Any] = json.loads(text)
    return model
