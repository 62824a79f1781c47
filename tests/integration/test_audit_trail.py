"""Every change to the twin is an audit record naming who made it: imports (and the
retirements they cause), links and rejections, resets and API keys, through the CLI and the
API, all in the twin's one hash-chained log."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.audit import AuditRecord, read_audit_log, verify_audit_log
from tests.conftest import GRAPHTWIN
from tests.support.api_server import ApiServer, running_api

pytestmark = pytest.mark.neo4j

CLI_ACTOR = f"cli:{getpass.getuser()}"
PLANT = """\
graphtwin: 1
source: plant
nodes:
  - {id: ahu-1, kind: Equipment, name: AHU-1, links: {HAS_POINT: [ahu-1.sat]}}
  - {id: ahu-1.sat, kind: Point, name: AHU-1 Supply Air Temperature}
  - {id: pump-9, kind: Equipment, name: Pump 9}
"""


def records(log: Path, *kinds: str) -> list[AuditRecord]:
    return read_audit_log(log, kinds=kinds or None) if log.exists() else []


def counts(cli, env: dict[str, str]) -> dict:
    status = cli("db", "status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    return json.loads(status.stdout)["nodes"]


def upload(api: ApiServer, role: Role, name: str, content: bytes) -> httpx.Response:
    operations = (
        '{"query": "mutation($f: Upload!) { importModel(format: TWIN, file: $f) '
        '{ sourceId nodesCreated } }", "variables": {"f": null}}'
    )
    files = {
        "operations": (None, operations),
        "map": (None, '{"0": ["variables.f"]}'),
        "0": (name, content, "application/yaml"),
    }
    headers = {"Authorization": f"Bearer {api.keys[role]}"}
    return httpx.post(api.graphql_url, files=files, headers=headers, timeout=120)


@pytest.fixture
def audit_env(tmp_path: Path) -> dict[str, str]:
    return {"GRAPHTWIN_AUDIT_LOG": str(tmp_path / "audit.jsonl")}


def test_a_cli_import_is_recorded_with_its_user_sources_hashes_counts_and_retirements(
    cli, tmp_path, audit_env
):
    log = Path(audit_env["GRAPHTWIN_AUDIT_LOG"])
    plant = tmp_path / "plant.yaml"
    plant.write_text(PLANT)
    assert cli("import", "twin", plant, env=audit_env).returncode == 0
    [first] = records(log, "import")
    assert first.actor == CLI_ACTOR
    [file] = first.payload["files"]
    assert first.payload["sources"] == ["plant"]
    assert file["file"] == str(plant) and file["format"] == "twin"
    assert file["sha256"] == hashlib.sha256(plant.read_bytes()).hexdigest()
    assert (file["nodes_created"], file["rels_created"]) == (3, 1)

    plant.write_text(PLANT.replace("  - {id: pump-9, kind: Equipment, name: Pump 9}\n", ""))
    assert cli("import", "twin", plant, env=audit_env).returncode == 0
    retiring = records(log, "import")[-1].payload
    assert (retiring["files"][0]["nodes_removed"], retiring["files"][0]["nodes_retired"]) == (1, 1)
    assert retiring["totals"]["nodes_retired"] == 1
    assert verify_audit_log(log).ok


def test_a_dry_run_and_a_refused_import_record_nothing(cli, tmp_path, audit_env):
    log = Path(audit_env["GRAPHTWIN_AUDIT_LOG"])
    plant = tmp_path / "plant.yaml"
    plant.write_text(PLANT)
    assert cli("import", "twin", plant, "--dry-run", env=audit_env).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("graphtwin: 1\nnodes:\n  - {id: x, kind: Nope}\n")
    assert cli("import", "twin", plant, bad, env=audit_env).returncode == 2
    assert records(log) == []
    assert counts(cli, audit_env) == {}


def test_an_import_the_audit_log_cannot_record_is_refused_before_anything_is_written(
    cli, tmp_path, audit_env
):
    log = Path(audit_env["GRAPHTWIN_AUDIT_LOG"])
    log.write_text('{"seq": 1, "cut short')  # a torn last line: no record can follow it
    plant = tmp_path / "plant.yaml"
    plant.write_text(PLANT)
    refused = cli("import", "twin", plant, env=audit_env)
    assert refused.returncode == 1
    assert str(log) in refused.stderr and "cut short" in refused.stderr
    assert counts(cli, audit_env) == {}
    assert log.read_text() == '{"seq": 1, "cut short'


def test_links_rejections_resets_and_api_keys_are_recorded_with_their_cli_user(
    cli, tmp_path, audit_env
):
    log = Path(audit_env["GRAPHTWIN_AUDIT_LOG"])
    plant = tmp_path / "plant.yaml"
    plant.write_text(PLANT)
    assert cli("import", "twin", plant, env=audit_env).returncode == 0
    assert cli("link", env=audit_env).returncode == 0
    assert cli("link", "--dry-run", env=audit_env).returncode == 0  # writes nothing: no record
    rejected = cli("link", "reject", "ahu-1", "pump-9", "--reason", "two things", env=audit_env)
    assert rejected.returncode == 0, rejected.stderr
    created = cli("apikey", "create", "--role", "viewer", "--name", "bms", "--json", env=audit_env)
    key_id = json.loads(created.stdout)["key_id"]
    assert json.loads(created.stdout)["key"].startswith(f"gt_{key_id}_")  # shown once, here
    assert cli("apikey", "revoke", key_id, env=audit_env).returncode == 0
    assert cli("apikey", "revoke", "000000000000", env=audit_env).returncode == 1
    assert cli("db", "reset", "--yes", env=audit_env).returncode == 0

    trail = records(log)
    assert [r.kind for r in trail] == [
        "import", "link", "link_rejected", "link", "apikey_created", "apikey_revoked", "reset",
    ]  # fmt: skip
    assert {r.actor for r in trail} == {CLI_ACTOR}
    link, rejection, relink, key, revoked, reset = trail[1:]
    assert link.payload["source_id"] == "graphtwin-link"
    assert link.payload["entities"] == 2  # the two pieces of equipment
    assert rejection.payload == {"a": "ahu-1", "b": "pump-9", "reason": "two things", "new": True}
    assert relink.payload["links"] == 0
    assert key.payload == {"key_id": key_id, "name": "bms", "role": "viewer"}
    assert revoked.payload == {"key_id": key_id}
    assert reset.payload["sources"] == ["graphtwin-link", "plant"]
    assert reset.payload["nodes"] == 3
    assert verify_audit_log(log).ok


def test_an_api_import_is_recorded_with_the_key_that_made_it(api: ApiServer):
    assert api.telemetry_dir is not None
    log = Path(api.telemetry_dir) / "audit.jsonl"  # the API's default: the twin's one log
    before = len(records(log, "import"))
    assert upload(api, Role.VIEWER, "plant.yaml", PLANT.encode()).status_code == 403
    done = upload(api, Role.IMPORTER, "plant.yaml", PLANT.encode())
    assert done.status_code == 200 and not done.json().get("errors"), done.text
    bad = upload(api, Role.ADMIN, "bad.yaml", b"graphtwin: 1\nnodes:\n  - {id: x, kind: Nope}\n")
    assert bad.json()["errors"]

    [recorded] = records(log, "import")[before:]
    assert recorded.actor.startswith("apikey:") and recorded.actor.endswith(":test-importer")
    assert recorded.payload["sources"] == ["plant"]
    assert recorded.payload["files"][0]["file"] == "plant.yaml"
    assert recorded.payload["files"][0]["sha256"] == hashlib.sha256(PLANT.encode()).hexdigest()
    assert recorded.payload["totals"]["nodes_created"] == 3
    assert verify_audit_log(log).ok


def test_audit_verify_passes_after_a_mixed_session_through_both_doors_in_one_log(
    cli, neo4j_env, tmp_path, audit_env
):
    log = Path(audit_env["GRAPHTWIN_AUDIT_LOG"])
    plant = tmp_path / "plant.yaml"
    plant.write_text(PLANT)
    env = {**neo4j_env, **audit_env, "GRAPHTWIN_TELEMETRY_DIR": str(tmp_path / "telemetry")}
    with running_api(GRAPHTWIN, env, tmp_path / "serve.log") as api:
        assert cli("import", "twin", plant, env=audit_env).returncode == 0
        assert cli("link", env=audit_env).returncode == 0
        uploaded = upload(api, Role.ADMIN, "extra.yaml", b"graphtwin: 1\nnodes: [{id: ahu-2, "
                          b"kind: Equipment}]\n")  # fmt: skip
        assert uploaded.status_code == 200 and not uploaded.json().get("errors"), uploaded.text
        reading = {"point": "ahu-1.sat", "value": 14.5, "timestamp": datetime.now(UTC).isoformat()}
        pushed = httpx.post(
            f"{api.url}/telemetry",
            params={"wait": "true"},
            json={"source": "http", "readings": [reading]},
            headers={"Authorization": f"Bearer {api.keys[Role.OPERATOR]}"},
            timeout=30,
        )
        assert pushed.status_code == 200 and pushed.json()["accepted"] == 1, pushed.text
        assert cli("db", "reset", "--yes", env=audit_env).returncode == 0

    verified = cli("audit", "verify", "--json", env=audit_env)  # no path: the twin's log
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["path"] == str(log)
    # Every writer (CLI, GraphQL, POST /telemetry, the pipeline) holds the twin's audit key.
    assert json.loads(verified.stdout)["guarantees"] == ["hash_chain", "keyed_mac"]
    assert all(r.mac for r in read_audit_log(log))
    kinds = [r.kind for r in read_audit_log(log)]
    for kind in ("apikey_created", "import", "link", "telemetry_push", "sync_batch", "reset"):
        assert kind in kinds, kinds
    imports = [r for r in read_audit_log(log, kinds=["import"])]
    assert [r.actor.split(":")[0] for r in imports] == ["cli", "apikey"]
    assert imports[1].actor.endswith(":test-admin")
    shown = cli("audit", "show", "--kind", "reset", "--json", env=audit_env)
    assert [r["kind"] for r in json.loads(shown.stdout)] == ["reset"]
