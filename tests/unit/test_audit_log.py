"""The audit log: a hash chain that finds any edited, missing or moved line, appended to safely
by several processes at once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from graphtwin.audit import (
    GENESIS,
    AuditLog,
    AuditLogError,
    read_audit_log,
    record_hash,
    verify_audit_log,
)
from graphtwin.cli import audit_cmd

ROOT = Path(__file__).resolve().parents[2]


def write_log(path: Path, count: int) -> list[str]:
    """A log of `count` records; the lines as written."""
    with AuditLog(path, fsync=False) as log:
        for i in range(count):
            log.append("sync_batch", {"batch": i, "points": ["a", "b"], "ok": True}, actor="sync")
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def rewrite(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")


def test_records_chain_from_the_genesis_hash_and_count_up_from_one(tmp_path: Path):
    path = tmp_path / "var" / "audit.jsonl"  # parent folders are created
    with AuditLog(path) as log:
        first = log.append("drift_opened", {"point": "sat", "since": datetime(2025, 3, 14)})
        second = log.append("drift_resolved", {"point": "sat"}, actor="operator")

    assert (first.seq, first.prev, first.actor) == (1, GENESIS, "graphtwin")
    assert (second.seq, second.prev) == (2, first.hash)
    assert first.payload["since"] == "2025-03-14T00:00:00.000000Z"
    assert first.at.endswith("Z")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert list(lines[0]) == ["seq", "at", "kind", "actor", "payload", "prev", "hash"]
    assert lines[1]["hash"] == record_hash(lines[1]) == second.hash


def test_the_chain_stays_valid_over_many_appends_and_reopening(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    write_log(path, 150)
    with AuditLog(path, fsync=False) as log:  # a new writer continues the chain
        last = log.append("reconcile", {"note": "Büro ☃ [red]"})
    result = verify_audit_log(path)
    assert result.ok and result.records == 151
    assert result.head_hash == last.hash and last.seq == 151
    assert (result.first_bad_line, result.reason) == (None, None)


def test_a_tampered_audit_line_is_found_by_its_line_number(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 10)
    lines[6] = lines[6].replace('"batch":6', '"batch":60')
    rewrite(path, lines)
    result = verify_audit_log(path)
    assert not result.ok
    assert (result.first_bad_line, result.records) == (7, 6)
    assert "hash" in (result.reason or "")


def test_a_deleted_line_is_found_where_it_is_missing(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 10)
    rewrite(path, lines[:3] + lines[4:])
    result = verify_audit_log(path)
    assert (result.ok, result.first_bad_line) == (False, 4)
    assert "seq" in (result.reason or "")


def test_two_swapped_lines_are_found_at_the_first_of_them(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 10)
    lines[4], lines[5] = lines[5], lines[4]
    rewrite(path, lines)
    assert verify_audit_log(path).first_bad_line == 5


def test_an_edited_hash_is_found_on_its_line(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 5)
    record = json.loads(lines[2])
    record["hash"] = "f" * 64
    lines[2] = json.dumps(record) + "\n"
    rewrite(path, lines)
    result = verify_audit_log(path)
    assert (result.ok, result.first_bad_line) == (False, 3)


def test_a_consistently_rewritten_record_still_breaks_the_link_from_the_next(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 5)
    record = json.loads(lines[1])
    record["payload"]["batch"] = 99
    record["hash"] = record_hash(record)  # the forger recomputes this line's hash...
    lines[1] = json.dumps(record) + "\n"
    rewrite(path, lines)
    result = verify_audit_log(path)  # ...but line 3 still names the old one
    assert (result.ok, result.first_bad_line) == (False, 3)
    assert "prev" in (result.reason or "")


def test_an_empty_log_is_valid_and_a_missing_one_is_a_typed_error(tmp_path: Path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = verify_audit_log(empty)
    assert (result.ok, result.records, result.head_hash) == (True, 0, None)
    with pytest.raises(AuditLogError) as caught:
        verify_audit_log(tmp_path / "nope.jsonl")
    assert "nope.jsonl" in caught.value.message


def test_a_line_cut_short_is_broken_and_appending_after_it_is_refused(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 3)
    rewrite(path, [*lines[:2], lines[2][:40]])
    assert verify_audit_log(path).first_bad_line == 3
    with AuditLog(path) as log, pytest.raises(AuditLogError):
        log.append("alert", {})


def test_a_payload_that_is_not_json_is_refused_naming_its_key(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as log:
        with pytest.raises(TypeError, match=r"payload\.points\[1\]\.where"):
            log.append("alert", {"points": [{}, {"where": Path("x")}]})
        with pytest.raises(TypeError, match=r"payload\.value"):
            log.append("alert", {"value": float("nan")})
        log.append("alert", {"at": datetime(2025, 1, 1, 12, tzinfo=UTC), "n": None})
    assert verify_audit_log(path).records == 1  # nothing was written for the refused ones


def test_a_long_record_does_not_confuse_the_reading_of_the_tail(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, fsync=False) as log:
        log.append("reconcile", {"blob": "x" * 50_000})
        log.append("reconcile", {"blob": "y" * 20_000})
        third = log.append("alert", {})
    assert third.seq == 3 and verify_audit_log(path).ok


def test_reading_filters_by_kind_and_keeps_the_tail(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, fsync=False) as log:
        for i in range(6):
            log.append("alert" if i % 2 else "sync_batch", {"i": i})
    assert [r.seq for r in read_audit_log(path)] == [1, 2, 3, 4, 5, 6]
    assert [r.payload["i"] for r in read_audit_log(path, kinds=["alert"], tail=2)] == [3, 5]
    assert read_audit_log(path, tail=0) == []


_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from graphtwin.audit import AuditLog
    path, go, actor, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    while not go.exists():
        time.sleep(0.005)
    with AuditLog(path, fsync=False) as log:
        for i in range(count):
            log.append("sync_batch", {"i": i}, actor=actor)
    """
)


def test_two_processes_appending_at_once_keep_one_contiguous_chain(tmp_path: Path):
    path, go = tmp_path / "audit.jsonl", tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(go), actor, "200"], cwd=ROOT
        )
        for actor in ("sync", "api")
    ]
    time.sleep(0.3)  # both started and waiting
    go.touch()
    assert [w.wait(timeout=60) for w in writers] == [0, 0]

    result = verify_audit_log(path)
    assert result.ok, result.reason
    records = read_audit_log(path)
    assert [r.seq for r in records] == list(range(1, 401))
    for actor in ("sync", "api"):  # each writer's records in its own order
        assert [r.payload["i"] for r in records if r.actor == actor] == list(range(200))


# --- the CLI ------------------------------------------------------------------------------------


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(audit_cmd.app, name="audit")
    return app


def test_audit_verify_exits_0_for_a_valid_log_and_1_naming_the_broken_line(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 4)
    runner = CliRunner()
    env = {"COLUMNS": "300"}

    good = runner.invoke(cli(), ["audit", "verify", str(path)], env=env)
    assert good.exit_code == 0, good.output
    head = json.loads(lines[-1])["hash"]
    assert f"ok: 4 records, head {head[:12]}" in good.output

    rewrite(path, [lines[0], lines[2], lines[3]])
    broken = runner.invoke(cli(), ["audit", "verify", str(path)], env=env)
    assert broken.exit_code == 1
    assert f"broken at {path}:2: seq" in broken.output

    as_json = runner.invoke(cli(), ["audit", "verify", str(path), "--json"], env=env)
    assert as_json.exit_code == 1
    assert (
        json.loads(as_json.stdout).items()
        >= {
            "path": str(path),
            "ok": False,
            "records": 1,
            "head_hash": json.loads(lines[0])["hash"],
            "first_bad_line": 2,
            "guarantees": [],
        }.items()
    )

    missing = runner.invoke(cli(), ["audit", "verify", str(tmp_path / "nope.jsonl")], env=env)
    assert missing.exit_code == 1
    assert "no such audit log" in missing.output


def test_audit_show_lists_the_last_records_of_a_kind(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, fsync=False) as log:
        for i in range(30):
            log.append("alert" if i % 3 == 0 else "sync_batch", {"point": f"p{i}", "value": i})
    runner = CliRunner()
    env = {"COLUMNS": "300"}

    shown = runner.invoke(cli(), ["audit", "show", str(path), "--tail", "2"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "point=p29, value=29" in shown.output and "p28" in shown.output
    assert "p27" not in shown.output

    alerts = runner.invoke(
        cli(), ["audit", "show", str(path), "--kind", "alert", "--tail", "3", "--json"], env=env
    )
    assert alerts.exit_code == 0, alerts.output
    assert [r["seq"] for r in json.loads(alerts.stdout)] == [22, 25, 28]

    none = runner.invoke(cli(), ["audit", "show", str(path), "--kind", "drift_opened"], env=env)
    assert none.exit_code == 0 and "no records" in none.output
