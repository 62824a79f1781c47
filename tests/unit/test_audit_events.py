"""The records of changes to the twin (imports, links, resets, API keys): what they hold, who
they name, and a log that cannot take one refusing the change up front."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from graphtwin.audit import AuditLogError, ChangeAudit, cli_actor, read_audit_log
from graphtwin.audit.events import REPORT_COUNTS
from graphtwin.cli import audit_cmd
from graphtwin.config import Settings


def report(source_id: str, file: str, **counts: int) -> dict[str, object]:
    """An import report in its JSON form (as `graphtwin import --json` prints it)."""
    return {
        "source_id": source_id,
        "format": "twin",
        "file": file,
        "sha256": "ab" * 32,
        "warnings": ["a warning"],
        "diff": {"added": ["x"]},
        **{key: counts.get(key, 0) for key in REPORT_COUNTS},
    }


def test_an_import_record_names_each_file_its_source_hash_and_counts_with_totals(tmp_path: Path):
    audit = ChangeAudit(tmp_path / "audit.jsonl", "cli:ana")
    recorded = audit.imported(
        [
            report("plant", "plant.yaml", nodes_created=3, rels_created=1),
            {**report("rules", "rules.yaml", nodes_retired=2), "selector_rels_created": 4},
        ]
    )
    assert (recorded.kind, recorded.actor, recorded.seq) == ("import", "cli:ana", 1)
    payload = recorded.payload
    assert payload["sources"] == ["plant", "rules"]
    assert payload["files"][0] == {
        "source_id": "plant",
        "format": "twin",
        "file": "plant.yaml",
        "sha256": "ab" * 32,
        **{key: {"nodes_created": 3, "rels_created": 1}.get(key, 0) for key in REPORT_COUNTS},
        "warnings": 1,
        "retire_guard_overridden": False,
    }
    assert payload["totals"]["nodes_created"] == 3 and payload["totals"]["nodes_retired"] == 2
    assert payload["selector_rels_created"] == 4
    assert "diff" not in json.dumps(payload)  # the counts, not the whole diff
    assert read_audit_log(audit.path) == [recorded]


def test_every_kind_of_change_chains_into_the_same_log(tmp_path: Path):
    audit = ChangeAudit(tmp_path / "audit.jsonl", "apikey:0123456789ab:bms")
    audit.linked(
        report("graphtwin-link", "graphtwin link", rels_created=2), entities=5, links=2,
        candidates=1,
    )  # fmt: skip
    audit.link_rejected("a", "b", reason=None, new=True)
    audit.reset(nodes=3, relationships=1, sources=["plant"], retired=0)
    audit.apikey_created("0123456789ab", "bms", "viewer")
    audit.apikey_revoked("0123456789ab")
    trail = read_audit_log(audit.path)
    assert [r.kind for r in trail] == [
        "link", "link_rejected", "reset", "apikey_created", "apikey_revoked",
    ]  # fmt: skip
    assert [r.seq for r in trail] == [1, 2, 3, 4, 5]
    assert trail[0].payload["rels_created"] == 2 and "nodes_created" not in trail[0].payload
    assert "secret" not in json.dumps([r.payload for r in trail])


def test_checking_a_log_whose_last_line_is_torn_refuses_without_writing(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    path.write_text('{"seq": 1, "cut')
    with pytest.raises(AuditLogError, match="cut short") as raised:
        ChangeAudit(path, "cli:ana").check()
    assert str(path) in str(raised.value)
    assert path.read_text() == '{"seq": 1, "cut'


def test_checking_a_new_log_creates_nothing_but_its_folder(tmp_path: Path):
    path = tmp_path / "var" / "audit.jsonl"
    ChangeAudit(path, "cli:ana").check()
    assert path.parent.is_dir() and path.stat().st_size == 0


def test_the_cli_actor_is_the_os_user():
    assert cli_actor() == f"cli:{getpass.getuser()}"


def test_the_cli_audit_writes_to_the_twin_s_one_log(tmp_path: Path):
    settings = Settings(telemetry_dir=tmp_path / "telemetry")
    assert ChangeAudit.for_cli(settings).path == tmp_path / "telemetry" / "audit.jsonl"
    chosen = Settings(telemetry_dir=tmp_path / "telemetry", audit_log=tmp_path / "a.jsonl")
    assert ChangeAudit.for_cli(chosen).path == tmp_path / "a.jsonl"


def test_audit_verify_and_show_default_to_graphtwin_audit_log(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    ChangeAudit(path, "cli:ana").reset(nodes=1, relationships=0, sources=["s"], retired=0)
    app = typer.Typer()
    app.add_typer(audit_cmd.app, name="audit")
    env = {"GRAPHTWIN_AUDIT_LOG": str(path), "COLUMNS": "200"}
    runner = CliRunner()
    verified = runner.invoke(app, ["audit", "verify", "--json"], env=env)
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout).items() >= {
        "path": str(path), "ok": True, "records": 1, "first_bad_line": None, "reason": None,
        "guarantees": ["hash_chain"], "records_without_mac": 1,
    }.items()  # fmt: skip
    shown = runner.invoke(app, ["audit", "show", "--json"], env=env)
    assert [r["kind"] for r in json.loads(shown.stdout)] == ["reset"]
    missing = runner.invoke(app, ["audit", "verify"], env={"GRAPHTWIN_AUDIT_LOG": "/nonexistent/a"})
    assert missing.exit_code == 1
