"""IFC import benchmark: the importer against the minimal read any converter must do, same run.

Minimal read: `ifcopenshell.open` + iterate every IfcProduct + `get_psets` for each. Variants,
rotated every round after a full garbage collection:
- minimal read (the baseline);
- parse + map: `IfcImporter().parse(file)`;
- import into Neo4j: parse + map + `TwinStore.load` on an empty twin;
- re-import (unchanged).
Then a generated model of at least 100k elements (benchmarks/ifc_generator.py) is imported by
the real `graphtwin import ifc` in a fresh process, with its wall time and peak memory, and the
minimal read of the same file in another fresh process for comparison.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.util.element as ifc_elements

from benchmarks.harness import Samples, markdown_table, note, ratio, rotated, samples_table, timed
from benchmarks.ifc_generator import generate_ifc
from benchmarks.neo4j_server import BenchServer
from graphtwin.store import TwinStore
from importers.ifc import IfcImporter

DEFAULT_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "ifc" / "webifc_Office_A_20110811.ifc"
)
TARGET_RATIO = 2.0
TARGET_LARGE_S = 300.0
SETTLE_S = 2.0
"""Pause after emptying the twin, so Neo4j's clean-up of the last round is not timed in this one."""

MINIMAL = "minimal read"
MAP = "parse + map"
NEO4J = "import into Neo4j"
REIMPORT = "re-import (unchanged)"

_PEAK_WRAPPER = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"stdout": done.stdout, "peak_kib": peak}))
"""
"""Runs one command and reports its own peak RSS: the wrapper's only child is that command."""

_MINIMAL_SCRIPT = """
import resource, sys
import ifcopenshell, ifcopenshell.util.element as e
model = ifcopenshell.open(sys.argv[1])
for product in model.by_type("IfcProduct"):
    e.get_psets(product)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@dataclass(frozen=True, slots=True)
class IfcOptions:
    file: Path = DEFAULT_FILE
    repeat: int = 3
    warmup: int = 1
    large_elements: int = 100_000


@dataclass(slots=True)
class IfcResult:
    options: IfcOptions
    products: int = 0
    nodes: int = 0
    relationships: int = 0
    samples: dict[str, Samples] = field(default_factory=dict)
    large: dict[str, Any] = field(default_factory=dict)

    def ratios(self) -> dict[str, float]:
        s = self.samples
        return {
            "parse + map / minimal read": round(ratio(s[MAP], s[MINIMAL]), 3),
            "import into Neo4j / minimal read": round(ratio(s[NEO4J], s[MINIMAL]), 3),
            "re-import / minimal read": round(ratio(s[REIMPORT], s[MINIMAL]), 3),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.options.file),
            "products": self.products,
            "nodes": self.nodes,
            "relationships": self.relationships,
            "samples": {name: s.to_json() for name, s in self.samples.items()},
            "ratios": self.ratios(),
            "large": self.large,
        }

    def report(self) -> str:
        s = self.samples
        ratios = self.ratios()
        lines = [
            f"### IFC import: {self.options.file.name}",
            "",
            f"{self.products:,} products -> {self.nodes:,} nodes and {self.relationships:,} "
            f"relationships; {self.options.repeat} measured rounds after {self.options.warmup} "
            "warm-up round(s).",
            "",
            samples_table(list(s.values()), reference=s[MINIMAL]),
            "",
            markdown_table(
                ["ratio of medians", "value"], [[k, f"{v:.2f}x"] for k, v in ratios.items()]
            ),
            "",
            markdown_table(
                ["target", "measured", "met"],
                [
                    [
                        f"import into Neo4j <= {TARGET_RATIO:.0f}x minimal read",
                        f"{ratios['import into Neo4j / minimal read']:.2f}x",
                        "yes"
                        if ratios["import into Neo4j / minimal read"] <= TARGET_RATIO
                        else "NO",
                    ]
                ],
            ),
        ]
        if self.large:
            m = self.large
            met = "yes" if m["import_s"] < TARGET_LARGE_S else "NO"
            lines += [
                "",
                f"Generated model: {m['elements']:,} elements in {m['spaces']:,} spaces on "
                f"{m['storeys']} storeys ({m['file_mb']:.0f} MB, generated in "
                f"{m['generate_s']:.0f} s, not timed), each step in a fresh process:",
                "",
                markdown_table(
                    ["process", "seconds", "peak RSS MiB"],
                    [
                        [
                            "minimal read (open + products + get_psets)",
                            f"{m['minimal_s']:.1f}",
                            f"{m['minimal_peak_mib']:.0f}",
                        ],
                        [
                            "`graphtwin import ifc` into Neo4j",
                            f"{m['import_s']:.1f}",
                            f"{m['import_peak_mib']:.0f}",
                        ],
                    ],
                ),
                "",
                f"It wrote {m['nodes_created']:,} nodes and {m['rels_created']:,} relationships; "
                f"target < {TARGET_LARGE_S:.0f} s: {met}.",
            ]
        return "\n".join(lines)


def minimal_read(path: Path) -> int:
    model = ifcopenshell.open(str(path))
    products = 0
    for product in model.by_type("IfcProduct"):
        ifc_elements.get_psets(product)
        products += 1
    return products


def run_ifc(options: IfcOptions, server: BenchServer) -> IfcResult:
    result = IfcResult(options)
    samples = {name: Samples(name) for name in (MINIMAL, MAP, NEO4J, REIMPORT)}
    result.samples = samples
    with TwinStore.open(server.settings) as store:

        def import_into_neo4j() -> None:
            store.load([IfcImporter().parse(options.file)])

        variants = {
            MINIMAL: lambda: minimal_read(options.file),
            MAP: lambda: IfcImporter().parse(options.file),
            NEO4J: import_into_neo4j,
        }
        for round_no in range(options.warmup + options.repeat):
            measured = round_no >= options.warmup
            note(f"ifc round {round_no + 1}/{options.warmup + options.repeat}")
            for name in rotated(list(variants), round_no):
                if name == NEO4J:
                    store.reset()
                    time.sleep(SETTLE_S)
                gc.collect()
                seconds, value = timed(variants[name])
                samples[name].add(seconds, measured=measured)
                if name == MINIMAL:
                    result.products = value
                if name == NEO4J:
                    gc.collect()
                    seconds, reports = timed(
                        lambda: store.load([IfcImporter().parse(options.file)])
                    )
                    if reports[0].nodes_created or reports[0].nodes_updated:
                        raise RuntimeError(f"re-import changed the twin: {reports[0]}")
                    samples[REIMPORT].add(seconds, measured=measured)
        counts = store.counts()
        result.nodes, result.relationships = counts.nodes, counts.relationships
        store.reset()
        if options.large_elements:
            result.large = _large(options.large_elements, server)
            store.reset()
    return result


def _large(elements: int, server: BenchServer) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="graphtwin-bench-ifc-") as tmp:
        path = Path(tmp) / "large.ifc"
        note(f"generating an IFC model of at least {elements:,} elements ...")
        generate_s, counts = timed(lambda: generate_ifc(path, elements=elements))
        note(f"  {counts['elements']:,} elements, {path.stat().st_size / 2**20:.0f} MB")
        minimal_s, minimal_peak = _child([sys.executable, "-c", _MINIMAL_SCRIPT, str(path)])
        env = {**os.environ, "GRAPHTWIN_INSTANCE_DIR": str(server.settings.local_instance_dir)}
        if server.settings.uses_external_server:
            env.pop("GRAPHTWIN_INSTANCE_DIR")
        graphtwin = Path(sys.executable).with_name("graphtwin")
        note("  importing it with graphtwin import ifc ...")
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _PEAK_WRAPPER,
                str(graphtwin),
                "import",
                "ifc",
                str(path),
                "--json",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        import_s = time.perf_counter() - started
        wrapped = json.loads(done.stdout)
        report = json.loads(wrapped["stdout"])
        return {
            **counts,
            "file_mb": path.stat().st_size / 2**20,
            "generate_s": round(generate_s, 1),
            "minimal_s": round(minimal_s, 2),
            "minimal_peak_mib": minimal_peak,
            "import_s": round(import_s, 2),
            "import_peak_mib": wrapped["peak_kib"] / 1024,
            "nodes_created": report["nodes_created"],
            "rels_created": report["rels_created"],
        }


def _child(command: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MiB, as the child reports it) of a fresh Python process."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, int(done.stdout.strip()) / 1024
