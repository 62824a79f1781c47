"""Neo4j start benchmark: how long `graphtwin neo4j start` takes with the jars already cached.

Each round creates a fresh instance directory and measures, through graphtwin's own code:

- cold start: server.start() on the fresh instance (Java lookup, configuration, initial password,
  JVM start, database creation) until Bolt answers;
- first open: TwinStore.open() right after it (connect and apply the schema migrations);
- stop: server.stop() (SIGTERM until the process is gone);
- restart: server.start() again on the now existing instance.

The baseline in the same run is the part of each start that any launcher pays: from spawning
the JVM until Bolt answers (StartResult.start_s); the rest is graphtwin's own overhead. The
one-off provisioning time (Maven download of the jars) comes from the runtime's
provisioned.json, or from this run if it had to provision.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness import Samples, markdown_table, note, ratio, samples_table, timed
from benchmarks.neo4j_server import local_settings, stop_for_sure
from graphtwin.config import Settings
from graphtwin.neo4j_local import server
from graphtwin.neo4j_local.java import find_java
from graphtwin.store import TwinStore

COLD = "cold start (fresh instance)"
COLD_JVM = "cold start: JVM spawn to Bolt"
FIRST_OPEN = "first open + migrations"
STOP = "stop"
RESTART = "restart (existing instance)"
RESTART_JVM = "restart: JVM spawn to Bolt"
MEASUREMENTS = (COLD, COLD_JVM, FIRST_OPEN, STOP, RESTART, RESTART_JVM)

TARGET_COLD_S = 40.0
DEFAULT_HEAP = Settings.model_fields["neo4j_heap"].default
"""graphtwin's default heap: what `graphtwin neo4j start` uses out of the box."""


@dataclass(frozen=True, slots=True)
class StartOptions:
    repeat: int = 3
    warmup: int = 1
    heap: str = DEFAULT_HEAP


@dataclass(slots=True)
class StartResults:
    options: StartOptions
    samples: dict[str, Samples]
    provisioning: dict[str, Any]
    java: str
    neo4j_version: str | None

    def report(self) -> str:
        cold = self.samples[COLD]
        prov = self.provisioning
        lines = [
            "## Neo4j start (jars cached)",
            "",
            f"{self.options.repeat} measured round(s) after {self.options.warmup} warm-up "
            f"round(s), heap {self.options.heap}, Neo4j {self.neo4j_version}, {self.java}.",
            "",
            samples_table([self.samples[n] for n in MEASUREMENTS], reference=cold),
            "",
            markdown_table(
                ["ratio of medians", "value"],
                [
                    [
                        "cold start / its JVM spawn to Bolt",
                        f"{ratio(cold, self.samples[COLD_JVM]):.2f}x",
                    ],
                    [
                        "restart / its JVM spawn to Bolt",
                        f"{ratio(self.samples[RESTART], self.samples[RESTART_JVM]):.2f}x",
                    ],
                ],
            ),
            "",
            markdown_table(
                ["target", "measured", "met"],
                [
                    [
                        "cold start median <= 40 s",
                        f"{cold.median:.2f}",
                        "yes" if cold.median <= TARGET_COLD_S else "NO",
                    ]
                ],
            ),
            "",
            f"One-off provisioning (Maven, {prov.get('jars')} jars): "
            f"{prov.get('provisioning_s')} s, at {prov.get('provisioned_at')} "
            f"({prov.get('origin')}).",
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "repeat": self.options.repeat,
            "warmup": self.options.warmup,
            "heap": self.options.heap,
            "java": self.java,
            "neo4j_version": self.neo4j_version,
            "samples": {name: s.to_json() for name, s in self.samples.items()},
            "target_cold_start_s": TARGET_COLD_S,
            "target_met": self.samples[COLD].median <= TARGET_COLD_S,
            "provisioning": self.provisioning,
        }


def run_neo4j_start(options: StartOptions) -> StartResults | None:
    """None when NEO4J_URI names the server: graphtwin does not start that one."""
    if Settings().uses_external_server:
        note("NEO4J_URI is set: graphtwin starts no server, so neo4j-start is skipped")
        return None
    java = find_java(Settings().java)
    samples = {name: Samples(name) for name in MEASUREMENTS}
    provisioned_now: float | None = None
    version: str | None = None
    with tempfile.TemporaryDirectory(prefix="graphtwin-bench-start-") as tmp:
        for round_no in range(options.warmup + options.repeat):
            measured = round_no >= options.warmup
            instance_dir = Path(tmp) / f"instance-{round_no}"
            settings = local_settings(instance_dir, heap=options.heap)
            try:
                cold_s, cold = timed(lambda s=settings: server.start(s))
                if cold.provisioning_s is not None:
                    provisioned_now = cold.provisioning_s
                version = cold.status.version
                open_s, _ = timed(lambda s=settings: TwinStore.open(s).close())
                stop_s, _ = timed(lambda s=settings: server.stop(s))
                restart_s, restart = timed(lambda s=settings: server.start(s))
            except Exception:
                _keep_logs(instance_dir)
                raise
            finally:
                stop_for_sure(settings)
            shutil.rmtree(instance_dir, ignore_errors=True)
            for name, value in (
                (COLD, cold_s),
                (COLD_JVM, cold.start_s),
                (FIRST_OPEN, open_s),
                (STOP, stop_s),
                (RESTART, restart_s),
                (RESTART_JVM, restart.start_s),
            ):
                samples[name].add(float(value or 0.0), measured=measured)
            label = f"round {round_no - options.warmup + 1}" if measured else "warm-up"
            note(
                f"  {label}: cold start {cold_s:.2f} s (JVM to Bolt {cold.start_s} s), first "
                f"open {open_s:.2f} s, stop {stop_s:.2f} s, restart {restart_s:.2f} s"
            )
    return StartResults(
        options=options,
        samples=samples,
        provisioning=_provisioning(Settings(), provisioned_now),
        java=f"Java {java.major} ({java.executable})",
        neo4j_version=version,
    )


def _provisioning(settings: Settings, provisioned_now: float | None) -> dict[str, Any]:
    marker = settings.runtime_dir / "provisioned.json"
    info: dict[str, Any] = {"runtime_dir": str(settings.runtime_dir)}
    if marker.is_file():
        info.update(json.loads(marker.read_text(encoding="utf-8")))
        info["origin"] = "read from provisioned.json of the cached runtime"
    if provisioned_now is not None:
        info["provisioning_s"] = provisioned_now
        info["origin"] = "provisioned during this run"
    return info


def _keep_logs(instance_dir: Path) -> None:
    """Copy a failed round's Neo4j logs out of the temporary directory before it goes."""
    kept = Path(tempfile.mkdtemp(prefix="graphtwin-bench-failed-start-"))
    try:
        shutil.copytree(instance_dir / "logs", kept / "logs", dirs_exist_ok=True)
    except OSError as exc:
        note(f"a start failed, and its logs could not be kept: {exc}")
    else:
        note(f"a start failed; its Neo4j logs are kept in {kept}")
