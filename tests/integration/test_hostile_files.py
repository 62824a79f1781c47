"""Hostile files through the real console script and API: bombs, devices, oversize files and
values, and control characters are refused with a typed error (exit 2), and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from graphtwin.api.roles import Role
from graphtwin.store import TwinStore
from tests.conftest import GRAPHTWIN, CliRunner
from tests.support.api_server import running_api
from tests.unit.test_yaml_limits import billion_laughs

FORMATS = ("twin", "brick", "ifc", "isa95", "governance")
CONTROLS = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]}


def counts(store: TwinStore) -> list[dict[str, object]]:
    return store.read("read/node_counts")


def twin_file(tmp_path: Path, node: str, name: str = "twin.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"graphtwin: 1\nsource: hostile\nnodes:\n  - {node}\n", encoding="utf-8")
    return path


def test_a_yaml_bomb_exits_2_with_a_typed_error_and_writes_nothing(
    cli: CliRunner, store: TwinStore, tmp_path: Path
):
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text(billion_laughs("graphtwin: 1"))
    for format_name in ("twin", "governance"):
        result = cli("import", format_name, bomb, "--json")
        assert result.returncode == 2, result.stderr
        answer = json.loads(result.stdout)
        assert answer["error"] == "YamlLimitError" and answer["file"] == str(bomb)
        assert answer["line"] > 1
        assert counts(store) == []


def test_dev_zero_is_refused_by_every_import_command(cli: CliRunner, store: TwinStore):
    for format_name in FORMATS:
        result = cli("import", format_name, "/dev/zero", "--json")
        assert result.returncode == 2, (format_name, result.stderr)
        answer = json.loads(result.stdout)
        assert answer["error"] == "NotARegularFileError", answer
        assert answer["file"] == "/dev/zero"
    result = cli("diff", "twin", "/dev/zero", "/dev/zero")
    assert result.returncode == 2 and "not a regular file" in result.stderr
    assert counts(store) == []


def test_the_size_limit_of_a_format_is_a_setting_and_a_flag_raises_it(
    cli: CliRunner, store: TwinStore, tmp_path: Path
):
    path = twin_file(tmp_path, "{id: room-1, kind: Space}")
    refused = cli("import", "twin", path, "--json", env={"GRAPHTWIN_MAX_TWIN_FILE_SIZE": "20"})
    assert refused.returncode == 2
    answer = json.loads(refused.stdout)
    assert (
        answer["error"] == "FileTooLargeError" and "over the limit of 20 bytes" in answer["reason"]
    )
    assert counts(store) == []
    flag = cli("import", "twin", path, "--max-file-size", "30B")
    assert flag.returncode == 2 and "over the limit of 30 bytes" in flag.stderr
    raised = cli(
        "import", "twin", path, "--max-file-size", "1kB",
        env={"GRAPHTWIN_MAX_TWIN_FILE_SIZE": "20"},
    )  # fmt: skip
    assert raised.returncode == 0, raised.stderr
    assert counts(store) == [{"kind": "Space", "count": 1}]


def test_an_upload_over_the_size_limit_is_refused_by_import_model(
    neo4j_env: dict[str, str], store: TwinStore, tmp_path: Path
):
    env = {**neo4j_env, "GRAPHTWIN_MAX_TWIN_FILE_SIZE": "40"}
    body = b"graphtwin: 1\nsource: up\nnodes:\n  - {id: room-1, kind: Space}\n"
    operations = (
        '{"query": "mutation($f: Upload!) { importModel(format: TWIN, file: $f) { file } }", '
        '"variables": {"f": null}}'
    )
    files = {
        "operations": (None, operations),
        "map": (None, '{"0": ["variables.f"]}'),
        "0": ("big.yaml", body),
    }
    with running_api(GRAPHTWIN, env, tmp_path / "serve.log") as server:
        headers = {"Authorization": f"Bearer {server.keys[Role.IMPORTER]}"}
        payload = httpx.post(server.graphql_url, files=files, headers=headers, timeout=60).json()
    [error] = payload["errors"]
    assert error["message"].startswith("big.yaml: "), error
    assert "over the limit of 40 bytes" in error["message"]
    assert counts(store) == []


def test_ids_and_names_too_long_for_neo4js_indexes_are_typed_errors_with_file_and_line(
    cli: CliRunner, store: TwinStore, tmp_path: Path
):
    cases = {
        "long-id.yaml": ("{id: " + "x" * 10_000 + ", kind: Space}", "twin_id is 10,000 bytes"),
        "long-name.yaml": ("{id: room-1, kind: Space, name: " + "n" * 20_000_000 + "}",
                           "name is 20,000,000 bytes"),
        "long-uri.yaml": ("{id: room-1, kind: Space, uri: urn:" + "u" * 9000 + "}",
                          "property 'uri' is 9,004 bytes"),
    }  # fmt: skip
    for name, (node, fragment) in cases.items():
        path = twin_file(tmp_path, node, name)
        result = cli("import", "twin", path, "--json")
        assert result.returncode == 2, (name, result.stderr[-2000:])
        answer = json.loads(result.stdout)
        assert answer["error"] == "ValueTooLargeError", answer
        assert (answer["file"], answer["line"]) == (str(path), 4)
        assert fragment in answer["reason"]
        assert len(answer["entity"]) < 100
        assert counts(store) == []


def test_ids_names_and_indexed_values_at_the_limit_are_stored_and_indexed(
    cli: CliRunner, store: TwinStore, tmp_path: Path
):
    at_limit = "é" * 2048  # 4,096 bytes of UTF-8, the limit
    node = f"{{id: '{at_limit}', kind: Space, name: '{at_limit}', uri: '{at_limit}'}}"
    result = cli("import", "twin", twin_file(tmp_path, node))
    assert result.returncode == 0, result.stderr
    [row] = store.read("read/twin_nodes_by_id", ids=[at_limit])
    assert row["props"]["name"] == at_limit and row["props"]["uri"] == at_limit


def test_control_characters_in_an_input_never_reach_the_terminal(
    cli: CliRunner, store: TwinStore, tmp_path: Path
):
    hostile = "ahu\x1b[31m-red\x9b2J\x07\x7f"
    path = tmp_path / "inject.yaml"
    node = json.dumps({"id": hostile, "kind": "Space"})  # JSON is YAML, with \u escapes
    path.write_text(f"graphtwin: 1\nnodes:\n  - {node}\n")
    plain = cli("import", "twin", path)
    assert plain.returncode == 2
    assert not CONTROLS.intersection(plain.stderr.replace("\n", "")), repr(plain.stderr)
    assert "ahu\\x1b[31m-red\\x9b2J\\x07\\x7f" in plain.stderr
    as_json = cli("import", "twin", path, "--json")
    assert as_json.returncode == 2
    assert not CONTROLS.intersection(as_json.stdout.rstrip("\n")), repr(as_json.stdout)
    answer = json.loads(as_json.stdout)
    assert answer["entity"] == hostile  # the real id, for a program to match
    assert "\\x1b" in answer["message"]
    # a file name with an escape sequence is escaped in the message too
    missing = cli("import", "twin", tmp_path / "gone\x1b]0;owned\x07.yaml")
    assert missing.returncode == 2
    assert "gone\\x1b]0;owned\\x07.yaml: file not found" in missing.stderr
    assert counts(store) == []
