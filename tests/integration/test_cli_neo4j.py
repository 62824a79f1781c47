"""`graphtwin neo4j start|stop|status` on instances of their own (not the session's server).

These start real servers from the cached jars, so they are the slow part of the suite: the tests
that need a running server share one instance (`instance`), started once for the module and
restarted by the tests that stop or kill it; the tests of failed starts each get a fresh one.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from graphtwin.neo4j_local.instance import free_port
from tests.conftest import GRAPHTWIN

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def _runner(folder: Path, heap: str):
    """Run `graphtwin` against the local instance in `folder` (not the session's server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHTWIN_", "NEO4J_"))}
    env.update(
        GRAPHTWIN_INSTANCE_DIR=str(folder / "instance"),
        GRAPHTWIN_BOLT_PORT=str(free_port()),
        GRAPHTWIN_NEO4J_HEAP=heap,
        GRAPHTWIN_NEO4J_PAGECACHE="64m",
    )

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GRAPHTWIN), *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    run.env = env  # type: ignore[attr-defined]
    return run


@pytest.fixture
def local(tmp_path: Path, neo4j_settings):
    """Run `graphtwin` against a fresh local instance; stops it afterwards whatever happens."""
    if neo4j_settings.uses_external_server:
        pytest.skip("NEO4J_URI is set: the suite does not start local servers")
    run = _runner(tmp_path, heap="512m")
    yield run
    run("neo4j", "stop")


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory, neo4j_settings):
    """One local instance for the tests that need a running server, and what its first
    `neo4j start --json` answered. A 256 MB heap: small enough for the transaction-memory
    test. Each test leaves it running; it is stopped after the module whatever happens."""
    if neo4j_settings.uses_external_server:
        pytest.skip("NEO4J_URI is set: the suite does not start local servers")
    run = _runner(tmp_path_factory.mktemp("neo4j-cli"), heap="256m")
    first = run("neo4j", "start", "--json")
    try:
        yield run, first
    finally:
        run("neo4j", "stop")


def process_gone(pid: int) -> bool:
    """Exited; a zombie waiting for an init that does not reap counts as gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def test_start_status_stop_lifecycle(instance):
    local, started = instance
    assert started.returncode == 0, started.stderr
    status = json.loads(started.stdout)  # the first start of the instance
    assert status["running"] is True
    assert status["version"].startswith("5.26.")
    assert status["edition"] == "community"
    assert status["uri"] == f"bolt://127.0.0.1:{local.env['GRAPHTWIN_BOLT_PORT']}"
    assert status["user"] == "neo4j"
    password_file = Path(status["password_file"])
    assert password_file.stat().st_mode & 0o777 == 0o600
    assert status["already_running"] is False
    assert status["start_s"] < 40

    # the plain neo4j driver connects with what status printed
    import neo4j

    password = password_file.read_text().strip()
    with neo4j.GraphDatabase.driver(status["uri"], auth=(status["user"], password)) as driver:
        driver.verify_connectivity()
    # and a wrong password is refused: auth is on
    with (
        neo4j.GraphDatabase.driver(status["uri"], auth=("neo4j", "wrong")) as driver,
        pytest.raises(neo4j.exceptions.AuthError),
    ):
        driver.verify_connectivity()

    shown = local("neo4j", "status", "--json")
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["running"] is True
    status = json.loads(shown.stdout)  # a test before may have restarted it: the pid it has now

    again = local("neo4j", "start", "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["already_running"] is True
    assert json.loads(again.stdout)["pid"] == status["pid"]

    conf = (Path(status["instance_dir"]) / "conf" / "neo4j.conf").read_text()
    assert "server.default_listen_address=127.0.0.1" in conf
    assert "dbms.usage_report.enabled=false" in conf
    assert "server.http.enabled=false" in conf

    stopped = local("neo4j", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert process_gone(status["pid"])
    after = local("neo4j", "status", "--json")
    assert after.returncode == 3
    assert json.loads(after.stdout)["running"] is False
    assert local("neo4j", "stop").stdout.strip() == "Neo4j was not running"

    # the port and the password survive a restart; the data too
    restarted = local("neo4j", "start", "--json")
    assert restarted.returncode == 0, restarted.stderr
    assert json.loads(restarted.stdout)["uri"] == status["uri"]


def test_a_killed_server_is_reported_as_crashed_and_start_recovers(instance):
    local, _ = instance
    started = local("neo4j", "start", "--json")  # already running, unless a test before failed
    assert started.returncode == 0, started.stderr
    pid = json.loads(started.stdout)["pid"]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = local("neo4j", "status", "--json")
        if json.loads(status.stdout)["running"] is False:
            break
        time.sleep(0.5)
    assert status.returncode == 1
    assert "crashed or was killed" in json.loads(status.stdout)["problem"]
    recovered = local("neo4j", "start", "--json")
    assert recovered.returncode == 0, recovered.stderr
    assert json.loads(recovered.stdout)["pid"] != pid


def test_a_port_in_use_is_a_clear_error(local):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        done = local("neo4j", "start", GRAPHTWIN_BOLT_PORT=str(port))
    assert done.returncode == 1
    assert f"port 127.0.0.1:{port} is already in use" in done.stderr


def test_a_server_that_dies_while_starting_shows_its_log(local):
    done = local("neo4j", "start", GRAPHTWIN_NEO4J_HEAP="64k")  # the JVM refuses this heap
    assert done.returncode == 1
    assert "Neo4j exited while starting" in done.stderr
    assert "heap" in done.stderr.lower()
    assert "Traceback" not in done.stderr


def test_missing_java_is_a_clear_error(local, tmp_path):
    done = local("neo4j", "start", GRAPHTWIN_JAVA=str(tmp_path / "no-java"))
    assert done.returncode == 1
    assert "not a runnable Java executable" in done.stderr


def test_missing_maven_is_a_clear_error_when_neo4j_must_be_downloaded(local, tmp_path):
    done = local(
        "neo4j", "start", GRAPHTWIN_DATA_DIR=str(tmp_path / "empty-cache"), GRAPHTWIN_MVN="no-mvn"
    )
    assert done.returncode == 1
    assert "Maven ('no-mvn') is needed" in done.stderr


def test_with_neo4j_uri_set_start_uses_that_server_and_says_so(local, neo4j_env):
    started_session = subprocess.run(
        [str(GRAPHTWIN), "neo4j", "status", "--json"],
        env=neo4j_env,
        capture_output=True,
        text=True,
        check=True,
    )
    session = json.loads(started_session.stdout)
    password = Path(session["password_file"]).read_text().strip()
    done = local(
        "neo4j",
        "start",
        "--json",
        NEO4J_URI=session["uri"],
        NEO4J_USER="neo4j",
        NEO4J_PASSWORD=password,
    )
    assert done.returncode == 0, done.stderr
    assert "NEO4J_URI is set: using the server at" in done.stderr
    status = json.loads(done.stdout)
    assert status["external"] is True and status["running"] is True
    assert status["password_file"] is None
    assert not Path(local.env["GRAPHTWIN_INSTANCE_DIR"]).exists()  # nothing local was started
    refused = local("neo4j", "stop", NEO4J_URI=session["uri"])
    assert refused.returncode == 1
    assert "does not stop servers it did not start" in refused.stderr


def test_an_import_larger_than_the_servers_transaction_memory_fails_clearly_and_fast(
    instance, tmp_path
):
    local, _ = instance  # its heap is 256 MB
    started = local("neo4j", "start")  # already running, unless a test before failed
    assert started.returncode == 0, started.stderr
    # At 256 MB of heap 10,000 such rooms import and 12,500 already need more transaction memory
    # than Neo4j allows (measured with Neo4j 5.26): 15,000 cross the limit with a margin, and
    # most of the test's time is the CLI parsing the file, which grows with the rooms.
    rooms = 15_000
    lines = ["graphtwin: 1", "nodes:", "  - {id: floor, kind: Floor, name: Floor}"]
    lines += [
        f"  - {{id: room-{i}, kind: Space, name: Room {i}, properties: "
        f"{{area_m2: {i}.5, tags: [a, b, c], note: a room with a description}}}}"
        for i in range(rooms)
    ]
    lines += ["relationships:"]
    lines += [f"  - {{from: floor, type: CONTAINS, to: room-{i}}}" for i in range(rooms)]
    big = tmp_path / "big.yaml"
    big.write_text("\n".join(lines) + "\n")
    began = time.monotonic()
    done = local("import", "twin", str(big))
    assert done.returncode == 1
    assert "needs more transaction memory than Neo4j allows" in done.stderr
    assert "GRAPHTWIN_NEO4J_HEAP" in done.stderr
    assert time.monotonic() - began < 120  # not retried
    status = local("db", "status", "--json")
    assert json.loads(status.stdout)["nodes"] == {}  # nothing written
