"""Request bodies against a real `graphtwin serve`: a body over its route's limit is answered 413
before the rest of it is read (by Content-Length, or counted when chunked), an upload is spooled
to disk rather than held in memory (the server's peak RSS says so), and a body that is not a
JSON object is a 400 on /graphql and on /telemetry."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.config import Settings
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

MB = 1024 * 1024
DEFAULTS = Settings()


def _connect(api: ApiServer) -> socket.socket:
    where = urlsplit(api.url)
    return socket.create_connection((where.hostname, where.port), timeout=10)


def _answer(sock: socket.socket) -> tuple[int, dict[str, object]]:
    """The status and JSON body of the HTTP answer on `sock` (read until the server closes)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def _request_head(
    api: ApiServer, path: str, role: Role, content_type: str, **headers: str
) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {urlsplit(api.url).netloc}",
        f"Authorization: Bearer {api.keys[role]}",
        f"Content-Type: {content_type}",
        *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _peak_rss_reset(pid: int) -> None:
    """Starts measuring the process's peak resident memory afresh (Linux: clear_refs 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.mark.parametrize(
    ("path", "role", "content_type", "limit"),
    [
        ("/graphql", Role.VIEWER, "application/json", DEFAULTS.api_max_graphql_body_bytes),
        ("/telemetry", Role.OPERATOR, "application/json", DEFAULTS.api_max_telemetry_body_bytes),
        (
            "/graphql",
            Role.IMPORTER,
            "multipart/form-data; boundary=x",
            DEFAULTS.api_max_upload_bytes,
        ),
    ],
    ids=["graphql", "telemetry", "upload"],
)
def test_a_declared_body_over_the_limit_is_answered_413_before_a_byte_of_it_is_sent(
    api: ApiServer, path: str, role: Role, content_type: str, limit: int
):
    started = time.perf_counter()
    with _connect(api) as sock:
        # 300 MB announced, none sent: the answer can only come from the declared length.
        sock.sendall(_request_head(api, path, role, content_type, Content_Length=str(300 * MB)))
        status, body = _answer(sock)
    assert status == 413, body
    assert body["limit_bytes"] == limit
    assert "larger than the server takes" in str(body["detail"])
    assert time.perf_counter() - started < 2.0


def test_a_chunked_body_is_counted_and_refused_once_it_passes_the_limit_without_memory_growth(
    api: ApiServer,
):
    assert api.pid is not None
    limit = DEFAULTS.api_max_graphql_body_bytes
    _peak_rss_reset(api.pid)
    before = _peak_rss(api.pid)
    with _connect(api) as sock:
        sock.sendall(
            _request_head(
                api, "/graphql", Role.VIEWER, "application/json", Transfer_Encoding="chunked"
            )
        )
        # Chunks up to one byte past the limit, no last chunk: the server must stop reading
        # and answer. (Sending on after its answer would only meet a closed connection.)
        left = limit + 1
        while left:
            chunk = b"x" * min(left, 64 * 1024)
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            left -= len(chunk)
        status, body = _answer(sock)
    assert status == 413, body
    assert body["limit_bytes"] == limit
    assert _peak_rss(api.pid) - before < 16 * MB


def test_an_upload_is_spooled_to_disk_not_held_in_memory(api: ApiServer):
    """A 64 MB multipart upload (a viewer's, refused 403 once read) leaves the server's peak
    memory well below the upload's size."""
    assert api.pid is not None
    operations = (
        '{"query": "mutation($f: Upload!) { importModel(format: TWIN, file: $f) { file } }", '
        '"variables": {"f": null}}'
    )
    files = {
        "operations": (None, operations),
        "map": (None, '{"0": ["variables.f"]}'),
        "0": ("big.yaml", b"#" * (64 * MB), "application/yaml"),
    }
    _peak_rss_reset(api.pid)
    before = _peak_rss(api.pid)
    headers = {"Authorization": f"Bearer {api.keys[Role.VIEWER]}"}
    response = httpx.post(api.graphql_url, files=files, headers=headers, timeout=120)
    assert response.status_code == 403, response.text
    assert _peak_rss(api.pid) - before < 24 * MB


@pytest.mark.parametrize("body", [b'"hello"', b"123", b"null", b"[1, 2]", b"{not json"])
def test_a_body_that_is_not_a_json_object_is_a_400_on_graphql_and_on_telemetry(
    api: ApiServer, body: bytes
):
    for path, role in (("/graphql", Role.VIEWER), ("/telemetry", Role.OPERATOR)):
        response = httpx.post(
            f"{api.url}{path}",
            content=body,
            headers={
                "Authorization": f"Bearer {api.keys[role]}",
                "Content-Type": "application/json",
            },
            timeout=30,
        )
        assert response.status_code == 400, (path, response.text)
        expected = "not valid JSON" if body.startswith(b"{") else "must be a JSON object"
        assert expected in response.text, (path, response.text)


def test_a_multipart_request_whose_operations_are_not_an_object_is_a_400(api: ApiServer):
    files = {
        "operations": (None, "123"),
        "map": (None, "{}"),
    }
    headers = {"Authorization": f"Bearer {api.keys[Role.IMPORTER]}"}
    response = httpx.post(api.graphql_url, files=files, headers=headers, timeout=30)
    assert response.status_code == 400, response.text
    assert "must be a JSON object" in response.text
