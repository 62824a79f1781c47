"""The EnergyPlus importer against EnergyPlus's own listing of every bundled model
(`python -m benchmarks energyplus-import`).

The test suite runs this check on a representative subset (`SUBSET` in
benchmarks/energyplus_listing.py); this runs it on all 32 models (about a minute of CPU in two
processes), reports per model what was compared and any difference, and names the traits of the
32 (object types, Brick classes, relationships, variables, zone traits, load kinds) that the
subset misses, if any. It fails (exit 2) on a difference or a missed trait.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.energyplus_listing import MODELS, SUBSET, differences, list_models, uncovered
from benchmarks.harness import markdown_table


@dataclass(frozen=True)
class EnergyPlusImportOptions:
    models: tuple[str, ...] = tuple(MODELS)
    workers: int = 2


@dataclass
class EnergyPlusImportResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    uncovered: list[str] | None = None
    """Traits the test subset misses; None when not all of the subset was run."""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.uncovered and all(not row["differences"] for row in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "seconds": round(self.seconds, 1),
            "models": self.rows,
            "uncovered_by_test_subset": self.uncovered,
        }

    def report(self) -> str:
        table = markdown_table(
            ["model", "in tests", "zones", "air loops", "plant rows", "points", "differences"],
            [
                [
                    r["model"],
                    "yes" if r["in_tests"] else "",
                    r["zones"],
                    r["air_loops"],
                    r["plant"],
                    r["points"],
                    "; ".join(r["differences"]) or "none",
                ]
                for r in self.rows
            ],
        )
        verdict = "PASSED" if self.passed else "FAILED"
        missed = (
            "not checked (run all of the subset for that)"
            if self.uncovered is None
            else ", ".join(self.uncovered) or "none"
        )
        return (
            "## EnergyPlus import against EnergyPlus's listing\n\n"
            f"{table}\n\n{len(self.rows)} models in {self.seconds:.0f} s: {verdict}. "
            f"Traits of these models that the test subset misses: {missed}."
        )


def run_energyplus_import(options: EnergyPlusImportOptions) -> EnergyPlusImportResult:
    """Import and list every model of `options`, and compare."""
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="graphtwin-eplus-listing-") as out:
        listed = list_models(options.models, Path(out), workers=options.workers)
    result = EnergyPlusImportResult(seconds=time.perf_counter() - began)
    for label in sorted(listed):
        graph, listing = listed[label]
        result.rows.append(
            {
                "model": label,
                "in_tests": label in SUBSET,
                "zones": len(listing.zones),
                "air_loops": len(listing.air_loops),
                "plant": len(listing.plant),
                "points": sum(1 for n in graph.nodes.values() if n.kind == "Point"),
                "differences": differences(graph, listing),
            }
        )
    if set(SUBSET) <= set(listed):
        result.uncovered = sorted(" ".join(trait) for trait in uncovered(listed))
    return result
