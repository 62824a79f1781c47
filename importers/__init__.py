"""One importer per source format. Each parses a file into a `TwinGraph` (pure, no database);
the store loads it. `IMPORTERS` maps the format name used on the command line to its importer.
"""

from __future__ import annotations

from importers.base import Importer
from importers.brick import BrickImporter
from importers.energyplus import EnergyPlusImporter
from importers.governance import GovernanceImporter
from importers.ifc import IfcImporter
from importers.isa95 import Isa95Importer
from importers.twinfile import TwinFileImporter

IMPORTERS: dict[str, Importer] = {
    importer.format: importer
    for importer in (
        TwinFileImporter(),
        BrickImporter(),
        IfcImporter(),
        GovernanceImporter(),
        Isa95Importer(),
        EnergyPlusImporter(),
    )
}

__all__ = ["IMPORTERS", "Importer"]
