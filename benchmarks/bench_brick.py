"""Brick import benchmark: the importer against rdflib parsing the same file, same run.

Variants, rotated every round:
- rdflib parse: `rdflib.Graph().parse(file)`, the baseline;
- parse + map: `BrickImporter().parse(file)` (rdflib parse, class table, TwinGraph);
- import into Neo4j: parse + map + `TwinStore.load` on an empty twin;
- re-import (unchanged): the same again on top of it (reads, writes nothing);
- parse + infer + map: `BrickImporter(infer=True)`, whose extra cost is reported apart.
The importer pauses Python's cyclic garbage collector while it parses (graphtwin.gc_pause); the
baseline is rdflib as a user calls it, collector on. Every variant starts after a full collection.
Then peak memory of a ~50 MB model (copies of the file under other namespaces), each in a fresh
Python process: rdflib alone vs the importer.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib

from benchmarks.harness import (
    Samples,
    markdown_table,
    note,
    paired_ratio,
    ratio,
    rotated,
    samples_table,
    timed,
)
from benchmarks.neo4j_server import BenchServer
from graphtwin.gc_pause import gc_paused
from graphtwin.store import TwinStore
from importers.brick import BrickImporter

DEFAULT_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "brick" / "groundtruth_gtc_brick.ttl"
)
TARGET_RATIO = 2.0

RDFLIB = "rdflib parse"
RDFLIB_NO_GC = "rdflib parse, collector paused"
MAP = "parse + map"
NEO4J = "import into Neo4j"
REIMPORT = "re-import (unchanged)"
INFER = "parse + infer + map"

_PEAK_SCRIPT = """
import resource, sys
from pathlib import Path
if sys.argv[1] == "rdflib":
    import rdflib
    rdflib.Graph().parse(sys.argv[2], format="turtle")
else:
    from importers.brick import BrickImporter
    BrickImporter().parse(Path(sys.argv[2]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@dataclass(frozen=True, slots=True)
class BrickOptions:
    file: Path = DEFAULT_FILE
    repeat: int = 3
    warmup: int = 1
    memory_mb: int = 50


@dataclass(slots=True)
class BrickResult:
    options: BrickOptions
    triples: int = 0
    nodes: int = 0
    relationships: int = 0
    samples: dict[str, Samples] = field(default_factory=dict)
    memory: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.options.file),
            "triples": self.triples,
            "nodes": self.nodes,
            "relationships": self.relationships,
            "repeat": self.options.repeat,
            "warmup": self.options.warmup,
            "samples": {name: s.to_json() for name, s in self.samples.items()},
            "ratios": self.ratios(),
            "memory": self.memory,
        }

    def ratios(self) -> dict[str, float]:
        s = self.samples
        return {
            "parse + map / rdflib parse": round(ratio(s[MAP], s[RDFLIB]), 3),
            "parse + map / rdflib parse, median of per-round ratios": round(
                paired_ratio(s[MAP], s[RDFLIB]), 3
            ),
            "parse + map / rdflib parse with the collector paused too": round(
                ratio(s[MAP], s[RDFLIB_NO_GC]), 3
            ),
            "import into Neo4j / rdflib parse": round(ratio(s[NEO4J], s[RDFLIB]), 3),
            "re-import / rdflib parse": round(ratio(s[REIMPORT], s[RDFLIB]), 3),
            "parse + infer + map / parse + map": round(ratio(s[INFER], s[MAP]), 3),
        }

    def report(self) -> str:
        s = self.samples
        ratios = self.ratios()
        added = s[INFER].median - s[MAP].median
        lines = [
            f"### Brick import: {self.options.file.name}",
            "",
            f"{self.triples:,} triples -> {self.nodes:,} nodes and {self.relationships:,} "
            f"relationships; {self.options.repeat} measured rounds after "
            f"{self.options.warmup} warm-up round(s).",
            "",
            samples_table(list(s.values()), reference=s[RDFLIB]),
            "",
            markdown_table(
                ["ratio of medians", "value"], [[k, f"{v:.2f}x"] for k, v in ratios.items()]
            ),
            "",
            markdown_table(
                ["target", "measured", "met"],
                [
                    [
                        f"parse + map <= {TARGET_RATIO:.0f}x rdflib parse",
                        f"{ratios['parse + map / rdflib parse']:.2f}x",
                        "yes" if ratios["parse + map / rdflib parse"] <= TARGET_RATIO else "NO",
                    ],
                    [
                        f"import into Neo4j <= {TARGET_RATIO:.0f}x rdflib parse",
                        f"{ratios['import into Neo4j / rdflib parse']:.2f}x",
                        "yes"
                        if ratios["import into Neo4j / rdflib parse"] <= TARGET_RATIO
                        else "NO",
                    ],
                ],
            ),
            "",
            f"`--infer` adds {added:.2f} s (median) to parse + map: the Brick ontology (62k "
            "triples) is loaded and OWL-RL inference runs over it and the model.",
        ]
        if self.memory:
            m = self.memory
            lines += [
                "",
                f"Peak memory, a {m['file_mb']:.0f} MB model ({m['triples']:,} triples; "
                f"{m['copies']} copies of the file under other namespaces), each in a fresh "
                "process:",
                "",
                markdown_table(
                    ["process", "peak RSS MiB", "seconds"],
                    [
                        [
                            "rdflib parse alone",
                            f"{m['rdflib_peak_mib']:.0f}",
                            f"{m['rdflib_s']:.1f}",
                        ],
                        [
                            "Brick importer (parse + map)",
                            f"{m['import_peak_mib']:.0f}",
                            f"{m['import_s']:.1f}",
                        ],
                    ],
                ),
            ]
        return "\n".join(lines)


def run_brick(options: BrickOptions, server: BenchServer) -> BrickResult:
    rdf = rdflib.Graph()
    rdf.parse(options.file, format="turtle")
    result = BrickResult(options, triples=len(rdf))
    samples = {name: Samples(name) for name in (RDFLIB, RDFLIB_NO_GC, MAP, NEO4J, REIMPORT, INFER)}
    result.samples = samples
    with TwinStore.open(server.settings) as store:

        def import_into_neo4j() -> None:
            store.load([BrickImporter().parse(options.file)])

        def rdflib_without_gc() -> None:
            with gc_paused():
                rdflib.Graph().parse(options.file, format="turtle")

        variants = {
            RDFLIB: lambda: rdflib.Graph().parse(options.file, format="turtle"),
            RDFLIB_NO_GC: rdflib_without_gc,
            MAP: lambda: BrickImporter().parse(options.file),
            NEO4J: import_into_neo4j,
            INFER: lambda: BrickImporter(infer=True).parse(options.file),
        }
        for round_no in range(options.warmup + options.repeat):
            measured = round_no >= options.warmup
            note(f"brick round {round_no + 1}/{options.warmup + options.repeat}")
            for name in rotated(list(variants), round_no):
                if name == NEO4J:
                    store.reset()
                gc.collect()  # every variant starts from the same heap
                seconds, _ = timed(variants[name])
                samples[name].add(seconds, measured=measured)
                if name == NEO4J:
                    seconds, reports = timed(
                        lambda: store.load([BrickImporter().parse(options.file)])
                    )
                    if reports[0].nodes_created or reports[0].nodes_updated:
                        raise RuntimeError(f"re-import changed the twin: {reports[0]}")
                    samples[REIMPORT].add(seconds, measured=measured)
        counts = store.counts()
        result.nodes, result.relationships = counts.nodes, counts.relationships
        store.reset()
    if options.memory_mb:
        result.memory = _peak_memory(options.file, options.memory_mb)
    return result


def _peak_memory(file: Path, target_mb: int) -> dict[str, Any]:
    """Peak RSS of parsing a model of about `target_mb`, built from copies of `file`."""
    text = file.read_text(encoding="utf-8")
    namespaces = sorted(set(re.findall(r"@prefix\s+[\w-]*:\s*<([^>]+)>", text)))
    copies = max(1, round(target_mb * 2**20 / len(text.encode())))
    with tempfile.TemporaryDirectory(prefix="graphtwin-bench-brick-") as tmp:
        big = Path(tmp) / "big.ttl"
        with big.open("w", encoding="utf-8") as out:
            for k in range(copies):
                copy = text
                for ns in namespaces:  # every copy describes other entities
                    if "brickschema.org/schema/" in ns and "building_example" not in ns:
                        continue
                    copy = copy.replace(ns, ns.rstrip("#/") + f"-copy{k}" + ns[-1])
                out.write(copy + "\n")
        note(f"peak memory of a {big.stat().st_size / 2**20:.0f} MB model ({copies} copies) ...")
        triples = len(rdflib.Graph().parse(big, format="turtle"))
        measurements = {}
        for what in ("rdflib", "import"):
            seconds, done = timed(
                lambda what=what: subprocess.run(
                    [sys.executable, "-c", _PEAK_SCRIPT, what, str(big)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
            )
            measurements[f"{what}_peak_mib"] = int(done.stdout.strip()) / 1024
            measurements[f"{what}_s"] = round(seconds, 2)
        return {
            "file_mb": big.stat().st_size / 2**20,
            "copies": copies,
            "triples": triples,
            **measurements,
        }
