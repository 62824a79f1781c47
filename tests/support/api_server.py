"""A real `graphtwin serve` on 127.0.0.1 for the API tests, with one API key per role."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from graphtwin.api.probe import wait_until_healthy
from graphtwin.api.roles import Role
from graphtwin.neo4j_local.instance import free_port

START_TIMEOUT_S = 90.0
_CREATE_KEYS = """
import json
from graphtwin.api.roles import Role
from graphtwin.cli.apikey_cmd import create_key
print(json.dumps({role.value: create_key(role, f"test-{role}").token for role in Role}))
"""


@dataclass
class ApiServer:
    url: str
    keys: dict[Role, str]
    telemetry_dir: str | None = None  # history and audit log of its POST /telemetry
    pid: int | None = None  # the server process (tests measure its memory)

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    def post(
        self, query: str, *, role: Role | None = Role.VIEWER, token: str | None = None, **body: Any
    ) -> httpx.Response:
        """POST a GraphQL operation with the key of `role` (or `token`; None: no header)."""
        key = token if token is not None else (self.keys[role] if role else None)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.post(self.graphql_url, json={"query": query, **body}, headers=headers,
                          timeout=60)  # fmt: skip

    def data(self, query: str, *, role: Role = Role.VIEWER, **body: Any) -> dict[str, Any]:
        """The data of a query that must succeed (the errors are the assertion message)."""
        response = self.post(query, role=role, **body)
        payload = response.json()
        assert response.status_code == 200 and not payload.get("errors"), payload
        return payload["data"]


@contextmanager
def running_api(graphtwin: Path, env: dict[str, str], log: Path) -> Iterator[ApiServer]:
    port = free_port()
    # One process creates the key of every role, through what `graphtwin apikey create` runs
    # (audited like it); the command itself is tested in test_audit_trail.
    created = subprocess.run(
        [str(graphtwin.with_name("python")), "-c", _CREATE_KEYS],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    keys = {Role(role): key for role, key in json.loads(created.stdout).items()}
    with log.open("w") as sink:
        server = subprocess.Popen(
            [str(graphtwin), "serve", "--port", str(port), "--log-level", "info"],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(url, server, timeout_s=START_TIMEOUT_S, log=log.read_text)
            yield ApiServer(url, keys, env.get("GRAPHTWIN_TELEMETRY_DIR"), server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
