"""CLI start benchmark: how long a user waits for `graphtwin --version` and for a small import.

Each round runs, as separate processes, the way a user types them:

- `python -c pass`: the interpreter alone, the floor any Python command pays (the baseline);
- `graphtwin --version`: the console script, the command table and nothing else;
- `graphtwin import twin FILE` of a 30-node twin file (a building, floors, rooms, an AHU and its
  points), end to end, into an empty twin (the twin is emptied before each round, untimed).

Issue 21's targets: `--version` <= 0.3 s and the 30-node import <= 1.5 s, on an idle machine.
The report gives the minimum and the median of each (the minimum is what the code costs, the
median what a user sees on this machine).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.harness import Samples, markdown_table, note, ratio, samples_table, timed
from benchmarks.neo4j_server import BenchServer
from graphtwin.store import TwinStore

PYTHON = "python -c pass (interpreter only)"
VERSION = "graphtwin --version"
IMPORT = "graphtwin import twin (30 nodes)"
MEASUREMENTS = (PYTHON, VERSION, IMPORT)
TARGETS_S = {VERSION: 0.3, IMPORT: 1.5}


@dataclass(frozen=True, slots=True)
class CliStartOptions:
    repeat: int = 10
    warmup: int = 2


@dataclass(slots=True)
class CliStartResults:
    options: CliStartOptions
    samples: dict[str, Samples]

    def report(self) -> str:
        python = self.samples[PYTHON]
        rows = [
            [name, f"{target:.1f}", f"{self.samples[name].min:.3f}",
             f"{self.samples[name].median:.3f}",
             "yes" if self.samples[name].median <= target else "NO"]
            for name, target in TARGETS_S.items()
        ]  # fmt: skip
        return "\n".join(
            [
                "## CLI start",
                "",
                f"{self.options.repeat} measured round(s) after {self.options.warmup} warm-up "
                "round(s); each command a fresh process.",
                "",
                samples_table([self.samples[n] for n in MEASUREMENTS], reference=python),
                "",
                markdown_table(["target (s, median)", "limit", "min", "median", "met"], rows),
                "",
                "`--version` over the bare interpreter: "
                f"{ratio(self.samples[VERSION], python):.2f}x",
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "repeat": self.options.repeat,
            "warmup": self.options.warmup,
            "samples": {name: s.to_json() for name, s in self.samples.items()},
            "targets_s": TARGETS_S,
            "targets_met": {n: self.samples[n].median <= t for n, t in TARGETS_S.items()},
        }


def run_cli_start(options: CliStartOptions, server: BenchServer) -> CliStartResults:
    graphtwin = str(Path(sys.executable).with_name("graphtwin"))
    samples = {name: Samples(name) for name in MEASUREMENTS}
    with tempfile.TemporaryDirectory(prefix="graphtwin-bench-cli-") as tmp:
        env = _environment(server, Path(tmp))
        twin_file = Path(tmp) / "small-building.yaml"
        twin_file.write_text(yaml.safe_dump(small_twin()), encoding="utf-8")
        commands = {
            PYTHON: [sys.executable, "-c", "pass"],
            VERSION: [graphtwin, "--version"],
            IMPORT: [graphtwin, "import", "twin", str(twin_file)],
        }
        for round_no in range(options.warmup + options.repeat):
            measured = round_no >= options.warmup
            with TwinStore.open(server.settings) as store:
                store.reset()
            for name, command in commands.items():
                seconds, done = timed(lambda c=command: _run(c, env))
                if done.returncode != 0:
                    raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr[-2000:]}")
                samples[name].add(seconds, measured=measured)
            taken = [(samples[n].values if measured else samples[n].warmup)[-1] for n in commands]
            note(f"round {round_no + 1}: " + ", ".join(f"{t:.3f} s" for t in taken))
    return CliStartResults(options, samples)


def small_twin(rooms: int = 20) -> dict[str, Any]:
    """A twin file of 30 nodes: a building, 2 floors, `rooms` rooms, an AHU and 6 points."""
    floors = [f"l{f}" for f in range(2)]
    nodes: list[dict[str, Any]] = [
        {"id": "bldg", "kind": "Building", "name": "Small Building",
         "links": {"CONTAINS": floors}},
        {"id": "ahu-1", "kind": "Equipment", "name": "AHU-1", "brick_class": "Air_Handling_Unit",
         "links": {"LOCATED_IN": ["l0"], "HAS_POINT": [f"ahu-1.p{i}" for i in range(6)]}},
    ]  # fmt: skip
    for f, floor in enumerate(floors):
        mine = [f"{floor}.r{r}" for r in range(rooms) if r % len(floors) == f]
        nodes.append({"id": floor, "kind": "Floor", "name": f"Level {f}",
                      "links": {"CONTAINS": mine}})  # fmt: skip
        nodes += [{"id": r, "kind": "Space", "name": f"Room {r}", "brick_class": "Room"}
                  for r in mine]  # fmt: skip
    nodes += [
        {"id": f"ahu-1.p{i}", "kind": "Point", "name": f"AHU-1 point {i}",
         "brick_class": "Supply_Air_Temperature_Sensor", "properties": {"unit": "degC"}}
        for i in range(6)
    ]  # fmt: skip
    assert len(nodes) == 30, len(nodes)
    return {"graphtwin": 1, "source": "bench-small", "nodes": nodes}


def _environment(server: BenchServer, folder: Path) -> dict[str, str]:
    """The server's, with the audit log and its key in `folder` (never the user's own)."""
    return server.cli_env() | {
        "GRAPHTWIN_TELEMETRY_DIR": str(folder / "telemetry"),
        "GRAPHTWIN_AUDIT_KEY_FILE": str(folder / "audit.key"),
    }


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
