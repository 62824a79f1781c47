"""Provision the Neo4j jars from Maven Central once per version and cache them.

`mvn dependency:copy-dependencies` on the pom shipped with the package copies
`org.neo4j:neo4j` and `org.neo4j.app:neo4j-server` with their dependencies into a temporary
directory, which is renamed into place only when complete, so an interrupted download never
leaves a half-filled cache behind.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from graphtwin.config import Settings
from graphtwin.errors import MavenNotFoundError, Neo4jProvisioningError
from graphtwin.neo4j_local.locking import file_lock

log = logging.getLogger(__name__)

_MARKER = "provisioned.json"
_ENTRY_JAR = "neo4j-server-{version}.jar"


@dataclass(frozen=True, slots=True)
class Neo4jRuntime:
    """The cached jars of one Neo4j version."""

    version: str
    home: Path
    provisioning_s: float | None

    @property
    def lib_dir(self) -> Path:
        return self.home / "lib"

    @property
    def classpath(self) -> str:
        return str(self.lib_dir / "*")


def ensure_runtime(settings: Settings) -> Neo4jRuntime:
    """The Neo4j runtime for the pinned version, downloading it first if it is not cached."""
    home = settings.runtime_dir
    cached = _read_cached(home, settings.neo4j_version)
    if cached:
        return cached
    home.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(home.parent / f".{home.name}.lock"):
        cached = _read_cached(home, settings.neo4j_version)  # another process may have won
        if cached:
            return cached
        return _provision(settings, home)


def _read_cached(home: Path, version: str) -> Neo4jRuntime | None:
    marker = home / _MARKER
    if not marker.is_file() or not (home / "lib" / _ENTRY_JAR.format(version=version)).is_file():
        return None
    info = json.loads(marker.read_text(encoding="utf-8"))
    return Neo4jRuntime(version, home, info.get("provisioning_s"))


def _provision(settings: Settings, home: Path) -> Neo4jRuntime:
    mvn = shutil.which(settings.mvn)
    if mvn is None:
        raise MavenNotFoundError(
            f"Maven ({settings.mvn!r}) is needed once to fetch Neo4j {settings.neo4j_version} "
            "from Maven Central and was not found. Install it (Debian/Ubuntu: apt-get install "
            "maven), set GRAPHTWIN_MVN, or use an existing server with NEO4J_URI."
        )
    log.info("provisioning Neo4j %s from Maven Central into %s", settings.neo4j_version, home)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f".{home.name}-", dir=home.parent) as tmp:
        staging = Path(tmp) / "home"
        (staging / "lib").mkdir(parents=True)
        pom = staging / "pom.xml"
        pom.write_bytes(resources.files("graphtwin.neo4j_local").joinpath("pom.xml").read_bytes())
        command = [
            mvn,
            "-B",
            "-q",
            "-Dstyle.color=never",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-Dneo4j.version={settings.neo4j_version}",
            f"-DoutputDirectory={staging / 'lib'}",
            "-DincludeScope=runtime",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()[-4000:]
            raise Neo4jProvisioningError(
                f"Maven could not fetch Neo4j {settings.neo4j_version} (exit code "
                f"{done.returncode}). Is Maven Central reachable?\n{output}"
            )
        if not (staging / "lib" / _ENTRY_JAR.format(version=settings.neo4j_version)).is_file():
            raise Neo4jProvisioningError(
                f"Maven finished but neo4j-server {settings.neo4j_version} is not among the jars"
            )
        elapsed = round(time.perf_counter() - started, 2)
        marker = {
            "version": settings.neo4j_version,
            "provisioned_at": datetime.now(UTC).isoformat(),
            "provisioning_s": elapsed,
            "jars": len(list((staging / "lib").glob("*.jar"))),
        }
        (staging / _MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if home.exists():  # a broken earlier attempt without a marker
            shutil.rmtree(home)
        staging.rename(home)
    log.info("provisioned Neo4j %s in %.1f s", settings.neo4j_version, elapsed)
    return Neo4jRuntime(settings.neo4j_version, home, elapsed)
