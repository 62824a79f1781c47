"""Find a Java runtime that Neo4j 5.26 supports (17 or 21; 17 preferred)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from graphtwin.errors import JavaNotFoundError

log = logging.getLogger(__name__)

SUPPORTED_MAJORS = (17, 21)
_JVM_DIRS = (Path("/usr/lib/jvm"), Path("/usr/java"), Path("/opt/java"))
_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


@dataclass(frozen=True, slots=True)
class JavaRuntime:
    executable: Path
    major: int


def find_java(explicit: Path | None) -> JavaRuntime:
    """The Java to run Neo4j with: the configured one, else the best supported one found.

    Search order: GRAPHTWIN_JAVA, JAVA_HOME, `java` on PATH, then the usual JVM directories.
    """
    if explicit is not None:
        return _require_supported(explicit, "GRAPHTWIN_JAVA")
    found: list[JavaRuntime] = []
    for candidate in _candidates():
        major = java_major_version(candidate)
        if major in SUPPORTED_MAJORS:
            found.append(JavaRuntime(candidate, major))
    if not found:
        raise JavaNotFoundError(
            "Neo4j 5.26 needs Java 17 (or 21) and none was found on JAVA_HOME, PATH or in "
            "/usr/lib/jvm. Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) "
            "or point GRAPHTWIN_JAVA at a Java 17 executable."
        )
    # Prefer 17, the release the project is tested with; keep search order otherwise.
    return min(found, key=lambda r: SUPPORTED_MAJORS.index(r.major))


def java_major_version(executable: Path) -> int | None:
    """The major version `executable -version` reports, or None if it does not run."""
    try:
        done = subprocess.run(
            [str(executable), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.debug("%s does not run as Java: %s", executable, exc)  # a candidate, not an error
        return None
    match = _VERSION.search(done.stderr + done.stdout)
    if not match:
        return None
    major = int(match.group(1))
    # Java 8 and older report "1.8.0_..."
    return int(match.group(2) or 0) if major == 1 else major


def _require_supported(executable: Path, origin: str) -> JavaRuntime:
    major = java_major_version(executable)
    if major is None:
        raise JavaNotFoundError(f"{origin}={executable} is not a runnable Java executable")
    if major not in SUPPORTED_MAJORS:
        raise JavaNotFoundError(
            f"{origin}={executable} is Java {major}, but Neo4j 5.26 runs on Java 17 or 21"
        )
    return JavaRuntime(executable, major)


def _candidates() -> list[Path]:
    seen: dict[Path, None] = {}
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        seen[Path(java_home) / "bin" / "java"] = None
    on_path = shutil.which("java")
    if on_path:
        seen[Path(on_path)] = None
    for jvm_dir in _JVM_DIRS:
        if jvm_dir.is_dir():
            for home in sorted(jvm_dir.iterdir()):
                exe = home / "bin" / "java"
                if exe.is_file():
                    seen[exe] = None
    return list(seen)
