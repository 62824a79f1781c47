"""The audit log keeps the means of verification out of an attacker's reach: every record has a
MAC under a key kept outside the log, and signed checkpoints of its head prove it was neither
rewritten nor cut short. Recomputing the hashes no longer passes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from graphtwin.audit import (
    AuditKey,
    AuditKeySource,
    AuditLog,
    AuditLogError,
    read_checkpoint,
    record_hash,
    take_checkpoint,
    verify_audit_log,
)
from graphtwin.audit.keys import signing_key
from graphtwin.cli import audit_cmd
from graphtwin.config import Settings
from graphtwin.errors import AuditCheckpointError, AuditKeyError

KEY_TEXT = "k" * 32 + "-the-twin-s-audit-key"
KEY = AuditKey(KEY_TEXT.encode(), "test")


def write_log(path: Path, count: int, key: AuditKey | None = KEY) -> None:
    with AuditLog(path, fsync=False, key=key) as log:
        for i in range(count):
            log.append("sync_batch", {"batch": i, "points": ["a", "b"]}, actor="sync")


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def save(path: Path, rows: list[dict]) -> None:
    text = "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")


def rechain(rows: list[dict], start: int) -> None:
    """What an attacker without the key does: redo prev and hash from row `start` on."""
    for i in range(start, len(rows)):
        rows[i]["prev"] = rows[i - 1]["hash"] if i else "0" * 64
        rows[i]["hash"] = record_hash(rows[i])


def run_cli(args: list[str], env: dict[str, str]) -> typer.testing.Result:
    app = typer.Typer()
    app.add_typer(audit_cmd.app, name="audit")
    return CliRunner().invoke(app, ["audit", *args], env={"COLUMNS": "200", **env})


def cli_env(tmp_path: Path, log: Path) -> dict[str, str]:
    return {
        "GRAPHTWIN_AUDIT_LOG": str(log),
        "GRAPHTWIN_DATA_DIR": str(tmp_path / "data"),
        "GRAPHTWIN_AUDIT_KEY_FILE": str(tmp_path / "keys" / "audit.key"),
        "GRAPHTWIN_AUDIT_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing.pem"),
    }


def test_an_edit_with_the_hashes_recomputed_passes_the_chain_but_not_the_mac(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    write_log(path, 5)
    rows = records(path)
    rows[1]["payload"]["batch"] = 999
    rechain(rows, 1)
    save(path, rows)

    assert verify_audit_log(path).ok  # the chain alone is fooled
    result = verify_audit_log(path, KEY)
    assert not result.ok
    assert result.first_bad_line == 2
    assert "mac does not match" in (result.reason or "")


def test_a_record_appended_without_the_key_is_caught_with_or_without_a_made_up_mac(
    tmp_path: Path,
):
    path = tmp_path / "audit.jsonl"
    write_log(path, 3)
    rows = records(path)
    forged = {**rows[-1], "seq": 4, "payload": {"batch": "forged"}}
    del forged["mac"]
    rows.append(forged)
    rechain(rows, 3)
    save(path, rows)

    without_mac = verify_audit_log(path, KEY)
    assert (without_mac.ok, without_mac.first_bad_line) == (False, 4)
    assert "no mac after records that have one" in (without_mac.reason or "")
    assert not verify_audit_log(path).ok  # caught even by a verifier without the key

    rows[3]["mac"] = AuditKey(b"x" * 40, "attacker").mac(b"anything")
    save(path, rows)
    made_up = verify_audit_log(path, KEY)
    assert (made_up.ok, made_up.first_bad_line) == (False, 4)
    assert "mac does not match" in (made_up.reason or "")


@pytest.mark.parametrize("mac", ["é" * 64, None, 7, "ABC"])
def test_a_mac_that_is_not_hex_digits_is_a_broken_line_not_a_crash(tmp_path: Path, mac):
    path = tmp_path / "audit.jsonl"
    write_log(path, 2)
    rows = records(path)
    rows[1]["mac"] = mac
    save(path, rows)
    result = verify_audit_log(path, KEY)
    assert (result.ok, result.first_bad_line, result.reason) == (
        False,
        2,
        "mac is not 64 hex digits",
    )


def test_a_writer_without_the_key_cannot_append_to_a_keyed_log(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    write_log(path, 2)
    with AuditLog(path) as log, pytest.raises(AuditLogError, match="no audit key"):
        log.append("drift_opened", {"point": "x"})
    assert len(records(path)) == 2


def test_an_old_log_without_macs_verifies_as_the_hash_chain_only_and_says_so(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    write_log(path, 3, key=None)
    old = verify_audit_log(path, KEY)
    assert old.ok and old.unkeyed == 3 and old.macs == 0
    assert old.guarantees == ("hash_chain",)

    write_log(path, 2)  # the log gets a key: later records carry a MAC
    mixed = verify_audit_log(path, KEY)
    assert mixed.ok and (mixed.unkeyed, mixed.macs) == (3, 2)
    assert mixed.guarantees == ("hash_chain",)  # not every record: not the keyed guarantee
    assert not verify_audit_log(path, KEY, require_mac=True).ok

    result = run_cli(["verify"], {**cli_env(tmp_path, path), "GRAPHTWIN_AUDIT_KEY": KEY_TEXT})
    assert result.exit_code == 0, result.output
    assert "records 1-3 predate the key: hash chain only" in result.output


def test_a_log_verified_without_the_key_says_it_checked_only_the_chain(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    write_log(path, 4)
    env = cli_env(tmp_path, path)  # no key file there

    shown = run_cli(["verify"], env)
    assert shown.exit_code == 0, shown.output
    assert "keyed MAC: not checked, no audit key here" in shown.output
    assert "hash chain only" in shown.output
    as_json = json.loads(run_cli(["verify", "--json"], env).stdout)
    assert as_json["guarantees"] == ["hash_chain"]
    assert as_json["key_id"] is None and as_json["records_with_mac"] == 4


def test_the_key_file_is_created_once_for_its_owner_only_and_refused_when_open_to_others(
    tmp_path: Path,
):
    source = AuditKeySource(tmp_path / "keys" / "audit.key")
    assert source.load(create=False) is None
    first = source.load(create=True)
    again = source.load(create=True)
    assert first is not None and again is not None and first.secret == again.secret
    assert stat.S_IMODE(source.file.stat().st_mode) == 0o600
    assert "secret" not in repr(first) and first.secret.decode() not in repr(first)

    source.file.chmod(0o644)
    with pytest.raises(AuditKeyError, match="open to others"):
        source.load(create=False)
    with pytest.raises(AuditKeyError, match="too short"):
        AuditKeySource(tmp_path / "unused", env_secret="short").load(create=False)


def test_a_checkpoint_catches_the_log_cut_short_before_it_and_rewritten_with_the_key(
    tmp_path: Path,
):
    path = tmp_path / "audit.jsonl"
    write_log(path, 5)
    settings = Settings(audit_signing_key_file=tmp_path / "keys" / "signing.pem")
    private = signing_key(settings, create=True)
    assert private is not None
    checkpoint = take_checkpoint(path, verify_audit_log(path, KEY), private)
    assert checkpoint.signature_valid(private.public_key())
    assert checkpoint.seq == 5

    whole = verify_audit_log(path, KEY, anchor=checkpoint.anchor)
    assert whole.ok and whole.guarantees == ("hash_chain", "keyed_mac", "checkpoint")
    write_log(path, 2)  # the log goes on past its checkpoint
    assert verify_audit_log(path, KEY, anchor=checkpoint.anchor).ok

    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:4]), encoding="utf-8")  # cut before record 5
    cut = verify_audit_log(path, KEY, anchor=checkpoint.anchor)
    assert not cut.ok and "records were cut off" in (cut.reason or "")
    assert verify_audit_log(path, KEY).ok  # without the checkpoint the cut does not show

    # Someone holding the MAC key rewrites the log from record 3: chain and MACs hold.
    save(path, records(path)[:2])
    write_log(path, 3)
    assert verify_audit_log(path, KEY).ok
    rewritten = verify_audit_log(path, KEY, anchor=checkpoint.anchor)
    assert (rewritten.ok, rewritten.first_bad_line) == (False, 5)
    assert "not the one the checkpoint saw" in (rewritten.reason or "")


def test_a_checkpoint_altered_or_signed_by_another_key_does_not_verify(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    write_log(path, 2)
    ours = signing_key(Settings(audit_signing_key_file=tmp_path / "ours.pem"), create=True)
    theirs = signing_key(Settings(audit_signing_key_file=tmp_path / "theirs.pem"), create=True)
    assert ours is not None and theirs is not None
    checkpoint = take_checkpoint(path, verify_audit_log(path, KEY), ours)

    assert not checkpoint.signature_valid(theirs.public_key())
    moved = checkpoint.as_dict() | {"seq": 1, "hash": records(path)[0]["hash"]}
    file = tmp_path / "cp.json"
    file.write_text(json.dumps(moved), encoding="utf-8")
    assert not read_checkpoint(file).signature_valid(ours.public_key())


def test_a_file_that_is_not_a_checkpoint_is_a_typed_error_naming_it(tmp_path: Path):
    file = tmp_path / "cp.json"
    file.write_text('{"format": "graphtwin-audit-checkpoint/1", "seq": 1}', encoding="utf-8")
    with pytest.raises(AuditCheckpointError, match="fields missing") as caught:
        read_checkpoint(file)
    assert caught.value.file == str(file) and caught.value.exit_code == 2


def test_audit_checkpoint_and_verify_checkpoint_round_trip_through_the_cli(tmp_path: Path):
    log = tmp_path / "audit.jsonl"
    env = cli_env(tmp_path, log)
    settings_key = AuditKeySource(Path(env["GRAPHTWIN_AUDIT_KEY_FILE"]))
    write_log(log, 3, key=settings_key.load(create=True))
    checkpoint = tmp_path / "elsewhere" / "cp.json"

    taken = run_cli(["checkpoint", "--out", str(checkpoint)], env)
    assert taken.exit_code == 0, taken.output
    public = run_cli(["public-key"], env)
    assert public.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    (tmp_path / "public.pem").write_text(public.stdout, encoding="utf-8")

    checked = run_cli(
        ["verify", "--checkpoint", str(checkpoint), "--public-key", str(tmp_path / "public.pem")],
        env,
    )
    assert checked.exit_code == 0, checked.output
    assert "keyed MAC: every record" in checked.output
    assert "checkpoint: record 3" in checked.output

    log.write_text("".join(log.read_text().splitlines(keepends=True)[:2]), encoding="utf-8")
    cut = run_cli(["verify", "--checkpoint", str(checkpoint), "--json"], env)
    assert cut.exit_code == 1
    assert "records were cut off" in json.loads(cut.stdout)["reason"]
