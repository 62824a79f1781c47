"""The Neo4j a benchmark runs against: its own throwaway local server, or the one NEO4J_URI names.

A local server is started through graphtwin's own provisioning code in a temporary instance
directory (sharing the cached jars) on a free port, and always stopped again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import neo4j

from benchmarks.harness import note
from graphtwin.config import Settings
from graphtwin.neo4j_local import server
from graphtwin.neo4j_local.instance import free_port
from graphtwin.store.connection import Neo4jTarget, resolve_target


@dataclass(frozen=True, slots=True)
class BenchServer:
    settings: Settings
    start: server.StartResult | None
    """How the start went; None for a server named by NEO4J_URI."""

    @property
    def target(self) -> Neo4jTarget:
        return resolve_target(self.settings)

    def cli_env(self) -> dict[str, str]:
        """The environment for a `graphtwin` process on this server: this process's, without
        its GRAPHTWIN_ and NEO4J_ settings, pointed at the server (NEO4J_* kept if they name it)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHTWIN_", "NEO4J_"))}
        if self.settings.uses_external_server:
            env.update({k: v for k, v in os.environ.items() if k.startswith("NEO4J_")})
        else:
            env["GRAPHTWIN_INSTANCE_DIR"] = str(self.settings.local_instance_dir)
        return env

    def info(self) -> dict[str, object]:
        status = server.status(self.settings)
        return {
            "neo4j_server": f"{status.version} {status.edition}",
            "neo4j_uri": status.uri,
            "neo4j_heap": None if status.external else self.settings.neo4j_heap,
            "neo4j_pagecache": None if status.external else self.settings.neo4j_pagecache,
            "batch_size": self.settings.batch_size,
        }


def local_settings(instance_dir: Path, *, heap: str, pagecache: str | None = None) -> Settings:
    """Settings for a throwaway local instance in `instance_dir` on a free port (the page cache:
    graphtwin's default unless given)."""
    sizes = {"neo4j_heap": heap} | ({"neo4j_pagecache": pagecache} if pagecache else {})
    return Settings(instance_dir=instance_dir, bolt_port=free_port(), **sizes)


@contextmanager
def bench_server(*, heap: str, pagecache: str | None = None) -> Iterator[BenchServer]:
    """A running server for the benchmark; a local one is stopped and deleted afterwards."""
    from_env = Settings()
    if from_env.uses_external_server:
        note(
            f"NEO4J_URI is set: benchmarking against {from_env.neo4j_uri}; its twin is wiped "
            "between rounds"
        )
        yield BenchServer(from_env, None)
        return
    with tempfile.TemporaryDirectory(prefix="graphtwin-bench-") as tmp:
        settings = local_settings(Path(tmp) / "instance", heap=heap, pagecache=pagecache)
        note(f"starting a local Neo4j in {settings.local_instance_dir} ...")
        try:
            result = server.start(settings)
            note(f"Neo4j up on {result.status.uri} after {result.start_s} s")
            yield BenchServer(settings, result)
        finally:
            stop_for_sure(settings)


def stop_for_sure(settings: Settings) -> None:
    """server.stop(), then end any JVM still running on this instance directory.

    server.start() can report "Neo4j exited while starting" for a JVM that is in fact starting
    (and then forgets its pid), so stop() alone may leave it running; a benchmark must not leave
    a server behind, least of all one whose temporary configuration is about to be deleted.
    """
    server.stop(settings)
    marker = f"--home-dir={settings.local_instance_dir}".encode()
    for pid in _pids_with_arg(marker):
        note(f"stopping a Neo4j (pid {pid}) that server.stop() did not know about")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + settings.stop_timeout_s
        while pid in _pids_with_arg(marker) and time.monotonic() < deadline:
            time.sleep(0.25)
        with contextlib.suppress(ProcessLookupError):
            if pid in _pids_with_arg(marker):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _pids_with_arg(arg: bytes) -> list[int]:
    """Live processes whose command line has exactly this argument."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if arg in (proc / "cmdline").read_bytes().split(b"\0"):
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    pids.append(int(proc.name))
        except (OSError, IndexError):
            continue
    return pids


def bare_driver(target: Neo4jTarget) -> neo4j.Driver:
    """A plain driver, configured like the store's (notifications off), nothing else."""
    return neo4j.GraphDatabase.driver(
        target.uri, auth=target.auth, notifications_min_severity="OFF"
    )
