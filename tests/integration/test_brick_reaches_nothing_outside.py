"""A Brick import never opens a network address or another file because its input says so.

A listener on 127.0.0.1, started here, records every request: files that name it (a JSON-LD
context, an @import, owl:imports, an XML entity and DTD) are imported through the CLI and
through GraphQL `importModel`, and it must have heard nothing.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graphtwin.api.roles import Role
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

BRICK = "https://brickschema.org/schema/Brick#"


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    heard: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            heard.append(self.path)
            body = json.dumps({"@context": {"brick": BRICK}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", heard
    finally:
        server.shutdown()
        server.server_close()


def hostile_files(folder: Path, url: str) -> dict[str, Path]:
    files = {
        "context.jsonld": {"@context": f"{url}/context", "@id": "urn:ex#a", "@type": "brick:AHU"},
        "import.jsonld": {
            "@context": {"@version": 1.1, "@import": f"{url}/import"},
            "@id": "urn:ex#a",
            "@type": "brick:AHU",
        },
    }
    paths = {}
    for name, document in files.items():
        paths[name] = folder / name
        paths[name].write_text(json.dumps(document, indent=2))
    paths["xxe.rdf"] = folder / "xxe.rdf"
    paths["xxe.rdf"].write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "{url}/entity"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:brick="{BRICK}"><brick:AHU rdf:about="urn:ex#a">&x;</brick:AHU></rdf:RDF>\n'
    )
    return paths


def test_the_cli_refuses_outside_references_and_fetches_nothing(cli, listener, tmp_path):
    url, heard = listener
    for name, path in hostile_files(tmp_path, url).items():
        done = cli("import", "brick", path, "--json")
        assert done.returncode == 2, (name, done.stderr)
        [error] = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        assert error["error"] == "ExternalReferenceError" and error["file"] == str(path)
        assert error["line"] == {"import.jsonld": 4}.get(name, 2)  # where the URL is written
    assert heard == []
    assert json.loads(cli("db", "status", "--json").stdout)["nodes"] == {}


def test_owl_imports_are_not_followed_even_with_inference_and_validation(cli, listener, tmp_path):
    url, heard = listener
    model = tmp_path / "imports.ttl"
    model.write_text(
        f"@prefix brick: <{BRICK}> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<urn:ex#> a owl:Ontology ; owl:imports <{url}/ontology.ttl> .\n"
        "<urn:ex#ahu> a brick:AHU .\n"
    )
    done = cli("import", "brick", model, "--infer", "--validate", "--json")
    assert done.returncode == 0, done.stderr
    assert heard == []


def test_graphql_import_model_refuses_a_remote_context_and_fetches_nothing(
    api: ApiServer, listener, tmp_path, store
):
    url, heard = listener
    before = store.read("read/node_counts")
    operations = (
        '{"query": "mutation($f: Upload!) { importModel(format: BRICK, file: $f) { file } }", '
        '"variables": {"f": null}}'
    )
    document = {"@context": f"{url}/context", "@id": "urn:ex#a", "@type": "brick:AHU"}
    files = {
        "operations": (None, operations),
        "map": (None, '{"0": ["variables.f"]}'),
        "0": ("remote.jsonld", json.dumps(document).encode(), "application/ld+json"),
    }
    headers = {"Authorization": f"Bearer {api.keys[Role.IMPORTER]}"}
    payload = httpx.post(api.graphql_url, files=files, headers=headers, timeout=60).json()
    [error] = payload["errors"]
    assert "would be loaded from elsewhere" in error["message"]
    assert heard == []
    assert store.read("read/node_counts") == before


def test_a_kind_clash_with_the_graph_names_the_file_and_line(cli, tmp_path):
    first = tmp_path / "first.ttl"
    first.write_text(f"@prefix brick: <{BRICK}> .\n<urn:ex#x> a brick:AHU .\n")
    assert cli("import", "brick", first).returncode == 0
    second = tmp_path / "second.ttl"
    second.write_text(f"@prefix brick: <{BRICK}> .\n\n<urn:ex#x> a brick:Room .\n")
    done = cli("import", "brick", second, "--json")
    assert done.returncode == 2, done.stderr
    [error] = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert error["error"] == "ConflictingKindError"
    assert (error["file"], error["line"]) == (str(second), 3)
