"""Start, stop and inspect the local Neo4j server (or report on the one NEO4J_URI names)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from graphtwin.config import Settings
from graphtwin.errors import (
    AuthenticationFailedError,
    Neo4jProvisioningError,
    PortInUseError,
    ServerCrashedError,
    StoreUnavailableError,
)
from graphtwin.neo4j_local.instance import (
    DEFAULT_BOLT_PORT,
    USER,
    LocalInstance,
    free_port,
    port_is_free,
)
from graphtwin.neo4j_local.java import find_java
from graphtwin.neo4j_local.locking import file_lock
from graphtwin.neo4j_local.runtime import Neo4jRuntime, ensure_runtime
from graphtwin.statements import cypher
from graphtwin.store.connection import Neo4jTarget, open_driver, resolve_target

log = logging.getLogger(__name__)

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
# The JVM flags Neo4j's own launcher passes; starting the entry point directly skips the launcher.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
)
_POLL_S = 0.25


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """What `graphtwin neo4j status --json` prints."""

    running: bool
    uri: str | None
    version: str | None
    edition: str | None
    user: str | None
    password_file: str | None
    database: str | None
    external: bool
    pid: int | None = None
    instance_dir: str | None = None
    log_file: str | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class StartResult:
    status: ServerStatus
    already_running: bool
    start_s: float | None
    provisioning_s: float | None
    """Seconds the one-off download took, when this start had to provision."""


def start(settings: Settings) -> StartResult:
    """Start the local server unless it runs already; with NEO4J_URI, only check that server."""
    if settings.uses_external_server:
        return StartResult(
            status(settings), already_running=True, start_s=None, provisioning_s=None
        )
    instance = LocalInstance(settings.local_instance_dir)
    with file_lock(instance.root / "run" / "start.lock"):
        current = status(settings)
        if current.running:
            return StartResult(current, already_running=True, start_s=None, provisioning_s=None)
        java = find_java(settings.java)
        provisioned = not settings.runtime_dir.joinpath("provisioned.json").is_file()
        runtime = ensure_runtime(settings)
        port = _choose_port(settings, instance)
        instance.write_conf(bolt_port=port, pagecache=settings.neo4j_pagecache)
        instance.ensure_password(runtime, java)
        instance.remember(bolt_port=port, version=runtime.version)
        started = time.perf_counter()
        process = _spawn(instance, runtime, java.executable, settings.neo4j_heap)
        instance.write_pid(process.pid)
        _wait_for_bolt(instance, process, resolve_target(settings), settings.start_timeout_s)
        elapsed = round(time.perf_counter() - started, 2)
        log.info("Neo4j %s started on 127.0.0.1:%d in %.1f s", runtime.version, port, elapsed)
        return StartResult(
            status(settings),
            already_running=False,
            start_s=elapsed,
            provisioning_s=runtime.provisioning_s if provisioned else None,
        )


def stop(settings: Settings) -> bool:
    """Stop the local server cleanly (SIGTERM, then wait). False if it was not running."""
    if settings.uses_external_server:
        raise Neo4jProvisioningError(
            f"NEO4J_URI is set ({settings.neo4j_uri}); graphtwin does not stop servers it did "
            "not start"
        )
    instance = LocalInstance(settings.local_instance_dir)
    pid = instance.read_pid()
    if pid is None or not instance.owns_process(pid):
        instance.clear_pid()
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + settings.stop_timeout_s
    while instance.owns_process(pid):
        if time.monotonic() > deadline:
            log.warning(
                "Neo4j (pid %d) ignored SIGTERM for %.0f s; killing it",
                pid,
                settings.stop_timeout_s,
            )
            os.kill(pid, signal.SIGKILL)
            break
        _reap(pid)
        time.sleep(_POLL_S)
    _reap(pid)
    instance.clear_pid()
    return True


def status(settings: Settings) -> ServerStatus:
    """The state of the server graphtwin would use now."""
    if settings.uses_external_server:
        target = resolve_target(settings)
        return _probe(target, pid=None, instance=None)
    instance = LocalInstance(settings.local_instance_dir)
    pid = instance.read_pid()
    base = {
        "user": USER,
        "password_file": str(instance.password_file) if instance.password_file.exists() else None,
        "database": "neo4j",
        "external": False,
        "instance_dir": str(instance.root),
        "log_file": str(instance.console_log),
    }
    port = instance.bolt_port()
    uri = f"bolt://127.0.0.1:{port}" if port else None
    if pid is None:
        return ServerStatus(running=False, uri=uri, version=None, edition=None, **base)
    if not instance.owns_process(pid):
        return ServerStatus(
            running=False,
            uri=uri,
            version=None,
            edition=None,
            pid=pid,
            problem=f"the server (pid {pid}) is gone without being stopped: it crashed or was "
            f"killed; see {instance.console_log}",
            **base,
        )
    return _probe(resolve_target(settings), pid=pid, instance=instance)


def _probe(target: Neo4jTarget, *, pid: int | None, instance: LocalInstance | None) -> ServerStatus:
    fields: dict[str, object] = {
        "uri": target.uri,
        "user": target.user,
        "password_file": str(target.password_file) if target.password_file else None,
        "database": target.database,
        "external": target.external,
        "pid": pid,
        "instance_dir": str(instance.root) if instance else None,
        "log_file": str(instance.console_log) if instance else None,
    }
    try:
        driver = open_driver(target)
    except StoreUnavailableError as exc:
        return ServerStatus(
            running=False, version=None, edition=None, problem=exc.message, **fields
        )  # type: ignore[arg-type]
    try:
        records, _, _ = driver.execute_query(
            cypher("admin/components"), database_="system", routing_="r"
        )
    finally:
        driver.close()
    kernel = next((r for r in records if r["name"] == "Neo4j Kernel"), records[0])
    return ServerStatus(
        running=True, version=kernel["version"], edition=kernel["edition"], **fields
    )  # type: ignore[arg-type]


def _choose_port(settings: Settings, instance: LocalInstance) -> int:
    """The configured port, else the remembered one, else 7687 if free, else any free port."""
    if settings.bolt_port is not None:
        port = settings.bolt_port
    else:
        remembered = instance.bolt_port()
        if remembered is not None:
            port = remembered
        else:
            return DEFAULT_BOLT_PORT if port_is_free(DEFAULT_BOLT_PORT) else free_port()
    if not port_is_free(port):
        raise PortInUseError(port)
    return port


def _spawn(
    instance: LocalInstance, runtime: Neo4jRuntime, java: Path, heap: str
) -> subprocess.Popen[bytes]:
    for directory in (instance.data_dir, instance.logs_dir, instance.root / "plugins"):
        directory.mkdir(parents=True, exist_ok=True)
    command = [
        str(java),
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *JVM_FLAGS,
        "-cp",
        runtime.classpath,
        ENTRY_POINT,
        f"--home-dir={instance.root}",
        f"--config-dir={instance.conf_dir}",
        "--console-mode",
    ]
    with instance.console_log.open("ab") as console:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            cwd=instance.root,
            start_new_session=True,  # survives the CLI that started it
        )
    return process


def _wait_for_bolt(
    instance: LocalInstance, process: subprocess.Popen[bytes], target: Neo4jTarget, timeout_s: float
) -> None:
    """Wait until Bolt answers. The process handle, not /proc, tells whether our child exited:
    it cannot be fooled by a process caught in the middle of exec'ing the JVM."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            instance.clear_pid()
            raise ServerCrashedError(
                f"Neo4j exited while starting (exit code {process.returncode})",
                log_file=instance.console_log,
                log_tail=instance.log_tail(),
            )
        try:
            if _bolt_answers(target):
                return
        except AuthenticationFailedError:
            _abandon(instance, process)
            raise
        if time.monotonic() > deadline:
            _abandon(instance, process)
            raise ServerCrashedError(
                f"Neo4j did not answer on {target.uri} within {timeout_s:.0f} s",
                log_file=instance.console_log,
                log_tail=instance.log_tail(),
            )
        time.sleep(_POLL_S)


def _abandon(instance: LocalInstance, process: subprocess.Popen[bytes]) -> None:
    """Kill a server that started but cannot be used, so no orphan keeps running."""
    process.kill()
    process.wait()
    instance.clear_pid()


def _reap(pid: int) -> None:
    """Collect the exit status if the server is our own child, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):  # not our child: its parent reaps it
        os.waitpid(pid, os.WNOHANG)


def _bolt_answers(target: Neo4jTarget) -> bool:
    try:
        driver = open_driver(target)
    except AuthenticationFailedError:
        raise
    except StoreUnavailableError:
        return False
    driver.close()
    return True
