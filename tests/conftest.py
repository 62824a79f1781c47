"""Shared fixtures: one real Neo4j for the whole session, a clean twin for every test.

With NEO4J_URI set the suite uses that server (it must be a throwaway database: every test wipes
the twin). Otherwise it starts a local Neo4j 5.26 through graphtwin's own provisioning code, in a
temporary instance directory that shares the cached jars, and stops it at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graphtwin.config import Settings
from graphtwin.neo4j_local import server
from graphtwin.neo4j_local.instance import free_port
from graphtwin.store import TwinStore
from tests.support.api_server import ApiServer, running_api

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
GRAPHTWIN = Path(sys.executable).with_name("graphtwin")

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    if os.environ.get("NEO4J_URI"):
        yield Settings()
        return
    settings = Settings(
        instance_dir=tmp_path_factory.mktemp("neo4j-instance"),
        bolt_port=free_port(),
        neo4j_heap="1g",
    )
    server.start(settings)
    try:
        yield settings
    finally:
        server.stop(settings)


@pytest.fixture(scope="session")
def neo4j_env(neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for a `graphtwin` subprocess that talks to the session's server.

    Audit logs and trained models go to the session's folders: in the user's data directory
    they would outlive the run, and a later run would find them (a cached demo model is reused,
    so the demo's test would not see it trained). Only the Neo4j jars are shared.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHTWIN_", "NEO4J_"))}
    if neo4j_settings.uses_external_server:
        env.update({k: v for k, v in os.environ.items() if k.startswith("NEO4J_")})
    else:
        env["GRAPHTWIN_INSTANCE_DIR"] = str(neo4j_settings.local_instance_dir)
    env["GRAPHTWIN_TELEMETRY_DIR"] = str(tmp_path_factory.mktemp("telemetry"))
    env["GRAPHTWIN_MODELS_DIR"] = str(tmp_path_factory.mktemp("models"))
    keys = tmp_path_factory.mktemp("keys")  # the audit keys, not the user's own
    env["GRAPHTWIN_AUDIT_KEY_FILE"] = str(keys / "audit.key")
    env["GRAPHTWIN_AUDIT_SIGNING_KEY_FILE"] = str(keys / "audit-signing.pem")
    env["COLUMNS"] = "200"  # rich tables unwrapped, so tests can read them
    return env


@pytest.fixture
def store(neo4j_settings: Settings) -> Iterator[TwinStore]:
    """The store on the session's server, with an empty twin (tests do not see each other)."""
    with TwinStore.open(neo4j_settings) as twin_store:
        twin_store.reset()
        yield twin_store


@pytest.fixture
def cli(neo4j_env: dict[str, str], store: TwinStore) -> CliRunner:
    """Run the real `graphtwin` console script against the session's (emptied) server."""

    def run(
        *args: str | Path, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GRAPHTWIN), *map(str, args)],
            env={**neo4j_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def api_server(
    neo4j_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """`graphtwin serve` on a free 127.0.0.1 port, with an API key per role (for the session)."""
    folder = tmp_path_factory.mktemp("api")
    env = {**neo4j_env, "GRAPHTWIN_TELEMETRY_DIR": str(folder / "telemetry")}
    with running_api(GRAPHTWIN, env, folder / "serve.log") as server:
        yield server


@pytest.fixture
def api(api_server: ApiServer, store: TwinStore) -> ApiServer:
    """The API server over an emptied twin."""
    return api_server


def shared_file(relative: str) -> Path:
    """A real-world file from ../shared/data; the test is skipped when the folder is absent."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"real-world data not available ({path} is absent)")
    return path


_BRICK_ROWS: list[tuple[object, ...]] = []


@pytest.fixture
def brick_report() -> list[tuple[object, ...]]:
    """Rows for the per-file table of real Brick models printed at the end of the run."""
    return _BRICK_ROWS


_IFC_ROWS: list[tuple[object, ...]] = []


@pytest.fixture
def ifc_report() -> list[tuple[object, ...]]:
    """Rows for the per-file table of real IFC models printed at the end of the run."""
    return _IFC_ROWS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    write = terminalreporter.write_line
    if _IFC_ROWS:
        terminalreporter.section("real IFC models: what ifcopenshell finds vs what the twin holds")
        write(
            f"{'file':<34} {'schema':<7} {'IfcSpace':>8} {'Storey':>6} {'IfcSystem':>9} "
            f"{'elements':>8} {'nodes':>6} {'edges':>6}"
        )
        for name, schema, spaces, storeys, systems, elements, nodes, edges in sorted(_IFC_ROWS):
            write(
                f"{name:<34} {schema:<7} {spaces:>8} {storeys:>6} {systems:>9} {elements:>8} "
                f"{nodes:>6} {edges:>6}"
            )
        write(
            "counts are ifcopenshell's, per IFC class; each equals the twin nodes with that "
            "ifc_class that the import asserts (checked in Neo4j); nodes add the IfcProject, site "
            "and building; ports become FEEDS, not nodes"
        )
    if not _BRICK_ROWS:
        return
    terminalreporter.section("real Brick models: what rdflib counts vs what the twin holds")
    write(
        f"{'file':<46} {'brick/rec':>9} {'own cls':>7} {'untyped':>7} {'nodes':>6} "
        f"{'rel trp':>7} {'edges':>6} {'Entity':>6}"
    )
    for name, typed, own, untyped, nodes, triples, edges, generic in sorted(_BRICK_ROWS):
        write(
            f"{name:<46} {typed:>9} {own:>7} {untyped:>7} {nodes:>6} {triples:>7} "
            f"{edges:>6} {generic:>6}"
        )
    write(
        "brick/rec: subjects rdflib finds typed with a Brick (any era) or REC class; own cls: "
        "typed with the model's own classes; untyped: things Brick relations point at; nodes = "
        "their sum; rel trp: Brick/BrickFrame/REC relation triples; edges: twin relationships "
        "after folding inverses; Entity: nodes of the generic kind"
    )
