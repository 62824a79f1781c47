"""Twin ids for EnergyPlus objects, shared by the importer, the virtual building and faults.

Every id is `eplus:<model>/<kind>/<name>`: the model is the file's stem, the kind says what the
object is in the twin (`zone`, `ahu`, `terminal`, ...) and the name is EnergyPlus's own. Points
hang below their parent: `<parent id>/<point kind>`. Characters outside `[A-Za-z0-9_.:/-]` (the
bindings file's id pattern) become `_`, and a `/` inside a name does too, so an id is always a
valid binding target and splits back into its parts.

>>> object_id(model_prefix(Path("ASHRAE901_OfficeMedium.idf")), "zone", "Core_bottom")
'eplus:ASHRAE901_OfficeMedium/zone/Core_bottom'
>>> point_id("eplus:m/zone/Core_bottom", "air-temperature")
'eplus:m/zone/Core_bottom/air-temperature'
"""

from __future__ import annotations

import re
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")


def slug(text: str) -> str:
    """`text` with every character outside `[A-Za-z0-9_.:-]` replaced by `_`."""
    return _UNSAFE.sub("_", text.strip())


def model_prefix(path: Path) -> str:
    """`eplus:<file stem>`, the id prefix of every node imported from or run as `path`."""
    return f"eplus:{slug(path.stem)}"


def object_id(prefix: str, kind: str, name: str) -> str:
    """The twin id of the EnergyPlus object `name` of twin kind `kind`."""
    return f"{prefix}/{kind}/{slug(name)}"


def point_id(parent_id: str, point_kind: str) -> str:
    """The twin id of a point (`air-temperature`, `supply-air-flow`, ...) of `parent_id`."""
    return f"{parent_id}/{slug(point_kind)}"
