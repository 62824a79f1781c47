"""The import contract, through the real `graphtwin` console script in a subprocess."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner as TyperRunner

from graphtwin.cli.main import app
from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j

DEMO = ROOT / "examples" / "demo-campus.yaml"
REPORT_FIELDS = {
    "format",
    "file",
    "sha256",
    "source_id",
    "nodes_created",
    "nodes_updated",
    "nodes_unchanged",
    "rels_created",
    "rels_updated",
    "rels_unchanged",
    "warnings",
    "duration_s",
}


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def counts(cli) -> tuple[dict, dict]:
    status = cli("db", "status", "--json")
    assert status.returncode == 0, status.stderr
    payload = json.loads(status.stdout)
    return payload["nodes"], payload["relationships"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_import_json_prints_one_report_per_file_and_a_reimport_changes_nothing(cli, tmp_path):
    extra = write(
        tmp_path,
        "rules.yaml",
        """\
        graphtwin: 1
        nodes:
          - id: code
            kind: Regulation
            name: Fire code
            links: {APPLIES_TO: [bldg-a]}
        """,
    )
    first = cli("import", "twin", DEMO, extra, "--json")
    assert first.returncode == 0, first.stderr
    demo_report, rules_report = json_lines(first.stdout)
    assert set(demo_report) >= REPORT_FIELDS
    assert demo_report["format"] == "twin"
    assert demo_report["file"] == str(DEMO)
    assert demo_report["source_id"] == "demo-campus"
    assert (demo_report["nodes_created"], demo_report["rels_created"]) == (28, 39)
    assert rules_report["source_id"] == "twin:rules.yaml"
    assert rules_report["rels_created"] == 1

    again = cli("import", "twin", DEMO, extra, "--json")
    assert again.returncode == 0, again.stderr
    for report in json_lines(again.stdout):
        assert report["nodes_created"] == report["nodes_updated"] == 0
        assert report["rels_created"] == report["rels_updated"] == 0
    assert json_lines(again.stdout)[0]["nodes_unchanged"] == 28


def test_human_output_is_a_table_with_the_counts(cli):
    done = cli("import", "twin", DEMO)
    assert done.returncode == 0, done.stderr
    assert "demo-campus" in done.stdout and "28/0/0/0" in done.stdout


@pytest.mark.parametrize(
    ("name", "text", "error", "line"),
    [
        (
            "malformed.yaml",
            "graphtwin: 1\nnodes:\n  - id: a\n   kind: [Space\n",
            "MalformedFileError",
            None,
        ),
        (
            "unknown-kind.yaml",
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Spaceship\n",
            "UnknownKindError",
            3,
        ),
        (
            "dangling.yaml",
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Space\n"
            "    links: {LOCATED_IN: [nowhere]}\n",
            "DanglingRelationshipError",
            5,
        ),
        (
            "conflict.yaml",
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Space\n  - id: a\n    kind: Equipment\n",
            "ConflictingKindError",
            5,
        ),
        (
            "conflict-with-graph.yaml",
            "graphtwin: 1\nnodes:\n  - id: ahu-1\n    kind: Space\n",
            "ConflictingKindError",
            3,
        ),
    ],
)
def test_bad_input_exits_2_names_file_and_line_and_writes_nothing(
    cli, tmp_path, name, text, error, line
):
    assert cli("import", "twin", DEMO).returncode == 0
    before = counts(cli)
    bad = write(tmp_path, name, text)
    good = write(tmp_path, "good.yaml", "graphtwin: 1\nnodes:\n  - {id: new, kind: Space}\n")
    done = cli("import", "twin", good, bad, "--json")
    assert done.returncode == 2, done.stderr
    [payload] = json_lines(done.stdout)
    assert payload["error"] == error
    assert payload["file"] == str(bad)
    if line is not None:
        assert payload["line"] == line
        assert f"{bad}:{line}" in done.stderr
    assert "error:" in done.stderr
    assert counts(cli) == before  # not even good.yaml, imported in the same command


def test_dry_run_reports_and_writes_nothing(cli):
    done = cli("import", "twin", DEMO, "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    [report] = json_lines(done.stdout)
    assert report["dry_run"] is True and report["nodes_created"] == 28
    assert counts(cli) == ({}, {})


def test_export_then_import_round_trips_without_any_change(cli, tmp_path):
    assert cli("import", "twin", DEMO).returncode == 0
    exported = tmp_path / "exported.yaml"
    done = cli("export", "twin", "--output", exported)
    assert done.returncode == 0, done.stderr
    before = counts(cli)
    snapshot = cli("export", "twin").stdout
    again = cli("import", "twin", exported, "--json")
    assert again.returncode == 0, again.stderr
    [report] = json_lines(again.stdout)
    assert report["source_id"] == "demo-campus"
    assert report["nodes_created"] == report["nodes_updated"] == report["nodes_removed"] == 0
    assert report["rels_created"] == report["rels_updated"] == report["rels_removed"] == 0
    assert counts(cli) == before
    assert cli("export", "twin").stdout == snapshot


def test_export_of_a_subtree_and_of_a_missing_root(cli):
    assert cli("import", "twin", DEMO).returncode == 0
    done = cli("export", "twin", "--root", "bldg-a.l2")
    assert done.returncode == 0, done.stderr
    assert "id: bldg-a.l2.r201" in done.stdout and "id: bldg-a.l1" not in done.stdout
    missing = cli("export", "twin", "--root", "nowhere")
    assert missing.returncode == 2
    assert "nowhere" in missing.stderr


def test_show_tree_and_status_describe_the_imported_twin(cli):
    assert cli("import", "twin", DEMO).returncode == 0
    shown = cli("show", "bldg-a.l1.r101", "--json")
    assert shown.returncode == 0, shown.stderr
    lineage = json.loads(shown.stdout)
    area = next(p for p in lineage["properties"] if p["key"] == "area_m2")
    assert area["value"] == 42.5 and area["source_id"] == "demo-campus"
    tree = cli("tree", "--root", "campus", "--depth", "2")
    assert tree.returncode == 0, tree.stderr
    assert "Riverside Campus" in tree.stdout and "Level 1" in tree.stdout
    assert "Lobby" not in tree.stdout  # depth 2 stops at the floors
    status = json.loads(cli("db", "status", "--json").stdout)
    assert status["pending"] == []
    assert status["nodes"]["Space"] == 5
    assert status["sources"][0]["source_id"] == "demo-campus"


def test_an_unreachable_server_is_a_clear_error_with_exit_code_1(cli, tmp_path):
    from graphtwin.neo4j_local.instance import free_port

    port = free_port()  # nothing listens there
    done = cli(
        "import",
        "twin",
        DEMO,
        env={"NEO4J_URI": f"bolt://127.0.0.1:{port}", "NEO4J_PASSWORD": "x"},
    )
    assert done.returncode == 1
    assert f"cannot reach Neo4j at bolt://127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def _all_commands() -> list[list[str]]:
    """Every command path of the CLI, read from the application itself."""
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        found.append(path)
        if isinstance(command, TyperGroup):  # the commands load as click asks for them
            context = typer.Context(command)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_has_help_and_the_tool_a_version(cli, monkeypatch):
    assert ["import", "ifc"] in _all_commands() and ["diff"] in _all_commands()
    version = cli("--version")  # the installed console script
    assert version.returncode == 0 and version.stdout.startswith("graphtwin ")
    assert "Usage:" in cli("--help").stdout
    # every command in-process: a process each took two minutes, and help runs no command body
    # (nor, here, the logging set-up, which would replace the test process's handlers)
    monkeypatch.setattr("graphtwin.cli.main.configure_logging", lambda verbose: None)
    runner = TyperRunner()
    for command in _all_commands():
        done = runner.invoke(app, [*command, "--help"])
        assert done.exit_code == 0, (command, done.output, done.exception)
        assert "Usage:" in done.output


def test_diff_compares_two_versions_without_writing_and_import_reports_the_same(cli, tmp_path):
    old = write(
        tmp_path,
        "v1.yaml",
        """\
        graphtwin: 1
        nodes:
          - {id: floor, kind: Floor, name: Floor, contains: [room-a, room-b]}
          - {id: room-a, kind: Space, name: Room A, properties: {area_m2: 20.0}}
          - {id: room-b, kind: Space, name: Room B}
        """,
    )
    new = write(
        tmp_path,
        "v2.yaml",
        """\
        graphtwin: 1
        source: twin:v1.yaml
        nodes:
          - {id: floor, kind: Floor, name: Floor, contains: [room-a, room-c]}
          - {id: room-a, kind: Space, name: Room A, properties: {area_m2: 25.0}}
          - {id: room-c, kind: Space, name: Room C}
        """,
    )
    done = cli("diff", "twin", old, new, "--json")
    assert done.returncode == 0, done.stderr
    expected = {
        "added": ["room-c"],
        "removed": ["room-b"],
        "changed": {"room-a": ["area_m2"]},
        "relationships_added": [{"from": "floor", "type": "CONTAINS", "to": "room-c"}],
        "relationships_removed": [{"from": "floor", "type": "CONTAINS", "to": "room-b"}],
        "relationships_changed": [],
    }
    payload = json.loads(done.stdout)
    assert {k: payload[k] for k in expected} == expected
    assert counts(cli) == ({}, {})  # nothing written

    first = cli("import", "twin", old)
    assert first.returncode == 0, first.stderr
    assert "What changed in" not in first.stdout  # a new source: its table row says it all
    [report] = json_lines(cli("import", "twin", new, "--json").stdout)
    assert report["diff"] == expected
    back = cli("import", "twin", old)  # a source that existed: its diff is shown
    assert "What changed in twin:v1.yaml" in back.stdout and "room-b" in back.stdout
    human = cli("diff", "twin", old, new)
    assert "removed: 1" in human.stdout and "room-b" in human.stdout


def test_show_tells_when_and_by_whom_an_entity_was_retired(cli, tmp_path):
    twin = write(tmp_path, "t.yaml", "graphtwin: 1\nnodes:\n  - {id: pump-9, kind: Equipment}\n")
    assert cli("import", "twin", twin).returncode == 0
    twin.write_text("graphtwin: 1\nnodes: []\n")
    [report] = json_lines(cli("import", "twin", twin, "--json").stdout)
    assert (report["nodes_removed"], report["nodes_retired"]) == (1, 1)
    shown = cli("show", "pump-9")
    assert shown.returncode == 0, shown.stderr
    assert "retired at" in shown.stdout and "twin:t.yaml" in shown.stdout
    history = json.loads(cli("show", "pump-9", "--json").stdout)
    assert history["retired"][0]["props"]["kind"] == "Equipment"
    assert json.loads(cli("db", "status", "--json").stdout)["retired"] == 1
