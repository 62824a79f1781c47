"""Reading an EnergyPlus model: EnergyPlus itself converts and validates it, we read the epJSON.

An IDF is never parsed here: `runtime.convert_to_epjson` runs EnergyPlus with `--convert-only`,
which checks every object against EnergyPlus's schema and writes the epJSON (a model it rejects
raises `EnergyPlusRejectedError` quoting its severe lines). An epJSON goes through the same check.

>>> model = load_model(Path("ASHRAE901_OfficeMedium_STD2019_Denver.idf"))  # doctest: +SKIP
>>> len(model.objects("Zone"))  # doctest: +SKIP
18
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphtwin.errors import InputError, SourceLocation
from importers.energyplus.objects import EpModel
from importers.energyplus.runtime import convert_to_epjson

MODEL_SUFFIXES = (".idf", ".epjson")


def load_epjson(path: Path) -> dict[str, Any]:
    """The epJSON document of an `.idf` or `.epJSON` file (suffix in any case), as EnergyPlus
    converts it."""
    if path.suffix.lower() not in MODEL_SUFFIXES:
        raise InputError(
            f"not an EnergyPlus model: the file name must end in .idf or .epJSON, not "
            f"{path.suffix or '(no suffix)'!r}",
            location=SourceLocation(str(path)),
        )
    return convert_to_epjson(path)


def load_model(path: Path) -> EpModel:
    """`load_epjson`, indexed for lookups."""
    return EpModel(load_epjson(path), file=str(path))
