"""POST /telemetry while Neo4j is paused (SIGSTOP of its java process): keys are still checked
(revocations included) from what the API last read, values of known points are taken into the
pipeline's buffer at once, `?wait=true` and pushes the graph alone could route answer 503 with
Retry-After at once, nothing hangs, and the buffered values reach the graph when Neo4j resumes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.config import Settings
from graphtwin.neo4j_local.instance import LocalInstance
from graphtwin.store import TwinStore
from tests.conftest import GRAPHTWIN
from tests.support.api_server import ApiServer, running_api
from tests.support.telemetry_twin import load_plant

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.skipif(
        bool(os.environ.get("NEO4J_URI")), reason="pauses the local Neo4j the suite starts"
    ),
]

WAIT_S = 3.0
"""GRAPHTWIN_API_NEO4J_WAIT_S of the server under test: answers come well within 3 x this."""


@pytest.fixture
def api_quick_to_give_up(
    neo4j_env: dict[str, str], store: TwinStore, tmp_path: Path
) -> Iterator[ApiServer]:
    """A server of its own that waits 3 s for Neo4j and re-reads keys every 0.5 s."""
    load_plant(store, tmp_path)
    env = {
        **neo4j_env,
        "GRAPHTWIN_TELEMETRY_DIR": str(tmp_path / "telemetry"),
        "GRAPHTWIN_API_KEY_CACHE_S": "0.5",
        "GRAPHTWIN_API_NEO4J_WAIT_S": str(WAIT_S),
        "GRAPHTWIN_API_NEO4J_RETRY_S": "2",
    }
    with running_api(GRAPHTWIN, env, tmp_path / "serve.log") as server:
        yield server


def push(api: ApiServer, point: str, value: float, *, role: Role = Role.OPERATOR,
         token: str | None = None, wait: bool = False) -> tuple[httpx.Response, float]:  # fmt: skip
    started = time.perf_counter()
    response = httpx.post(
        f"{api.url}/telemetry",
        params={"wait": "true"} if wait else {},
        json={"source": "http", "readings": [
            {"point": point, "value": value, "at": datetime.now(UTC).isoformat()}]},
        headers={"Authorization": f"Bearer {token or api.keys[role]}"},
        timeout=60,
    )  # fmt: skip
    return response, time.perf_counter() - started


def current_value(store: TwinStore, twin_id: str) -> float | None:
    return store.read("api/nodes_by_id", ids=[twin_id])[0]["n"]["current"]["value"]


def test_pushes_are_answered_at_once_while_neo4j_is_paused_and_land_when_it_resumes(
    api_quick_to_give_up: ApiServer, neo4j_settings: Settings, store: TwinStore, neo4j_env
):
    api = api_quick_to_give_up
    first, _ = push(api, "ahu-1.oat", 5.0, wait=True)
    assert first.status_code == 200, first.text  # the point is known to the pipeline now
    revoked = subprocess.run(
        [str(GRAPHTWIN), "apikey", "revoke", api.keys[Role.ADMIN].split("_")[1]],
        env=neo4j_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    time.sleep(0.6)  # the key records are old: the next request reads them again
    assert push(api, "ahu-1.oat", 5.5, role=Role.ADMIN)[0].status_code == 401

    pid = LocalInstance(neo4j_settings.local_instance_dir).read_pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(0.6)  # the key records are old again: reading them now would hang
        taken, took = push(api, "ahu-1.oat", 6.0)
        assert taken.status_code == 202, taken.text
        assert taken.json()["accepted"] == 1
        assert took < 3 * WAIT_S

        waited, took = push(api, "ahu-1.oat", 6.5, wait=True)
        assert waited.status_code == 503, waited.text
        assert waited.json()["accepted"] == 1 and waited.json()["written"] is False
        assert int(waited.headers["Retry-After"]) >= 1
        assert took < 3 * WAIT_S

        unseen, took = push(api, "ahu-1.fan", 1.0)  # never routed: only the graph knows it
        assert unseen.status_code == 503, unseen.text
        assert "ahu-1.fan" in unseen.json()["detail"]
        assert "Retry-After" in unseen.headers
        assert took < 3 * WAIT_S

        # Keys: the revocation read before the pause holds; a wrong secret is still wrong.
        assert push(api, "ahu-1.oat", 7.0, role=Role.ADMIN)[0].status_code == 401
        forged = api.keys[Role.OPERATOR][:-4] + "AAAA"
        assert push(api, "ahu-1.oat", 7.0, token=forged)[0].status_code == 401
    finally:
        os.kill(pid, signal.SIGCONT)

    deadline = time.monotonic() + 60
    while current_value(store, "ahu-1.oat") != 6.5 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert current_value(store, "ahu-1.oat") == 6.5  # the buffered values reached the graph
    time.sleep(2.1)  # Neo4j is asked again once api_neo4j_retry_s has passed
    again, _ = push(api, "ahu-1.fan", 1.0, wait=True)
    assert again.status_code == 200, again.text
