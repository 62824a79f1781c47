"""EnergyPlus importer: a building model (.idf or .epJSON) as a twin graph.

EnergyPlus converts and validates the model itself (the `graphtwin[energyplus]` extra); the
importer reads the epJSON and maps the building, storeys, zones, AHUs with their fans, coils and
outdoor-air systems, terminals, zone units, plant loops, thermostats, internal loads and the
points a building management system would show, as `ontologies/energyplus_mapping.yaml` says.
docs/energyplus.md explains the mapping. `pyenergyplus` is only imported when a model is read.

>>> office = Path("ASHRAE901_OfficeMedium_STD2019_Denver.idf")
>>> graph = EnergyPlusImporter().parse(office)  # doctest: +SKIP
>>> graph.annotations["eplus_counts"]["zone"]  # doctest: +SKIP
18
"""

from __future__ import annotations

from pathlib import Path

from graphtwin.model import TwinGraph
from importers.base import describe_file
from importers.energyplus.extract import build_plan
from importers.energyplus.graph import counts, to_graph
from importers.energyplus.ids import model_prefix
from importers.energyplus.loading import load_model
from importers.energyplus.mapping import energyplus_mapping
from importers.energyplus.points import observed_points, points_of


class EnergyPlusImporter:
    format = "energyplus"
    description = "EnergyPlus models (.idf or .epJSON; needs the energyplus extra)"

    def parse(self, path: Path, *, source_id: str | None = None) -> TwinGraph:
        source = describe_file(path, format=self.format, source_id=source_id)
        model = load_model(path)
        plan = build_plan(model, energyplus_mapping(), prefix=model_prefix(path))
        points = points_of(plan)
        graph = to_graph(plan, points, source)
        graph.warnings.extend(plan.warnings)
        versions = model.objects("Version")
        graph.annotations.update(
            {
                "eplus_version": versions[0].text("version_identifier") if versions else None,
                "eplus_counts": counts(plan, points),
                "eplus_left_out": dict(sorted(plan.left_out.items())),
            }
        )
        return graph


__all__ = ["EnergyPlusImporter", "observed_points"]
