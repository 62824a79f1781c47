"""An import may not wipe out what a model says by accident or by pretending to be its source:
an import that would retire a large share of a source stops unless allowed, and a file may
write only the sources of its own format and file lineage unless an admin takes one over. Both
through the CLI and GraphQL importModel, on the real Neo4j, with the audit log saying when a
guard was lifted."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.audit import AuditRecord, read_audit_log
from tests.support.api_server import ApiServer
from tests.support.ifc_models import AirSystemModel

pytestmark = pytest.mark.neo4j


@pytest.fixture
def audit_env(tmp_path: Path) -> dict[str, str]:
    return {"GRAPHTWIN_AUDIT_LOG": str(tmp_path / "audit.jsonl")}


def records(env: dict[str, str], kind: str) -> list[AuditRecord]:
    log = Path(env["GRAPHTWIN_AUDIT_LOG"])
    return read_audit_log(log, kinds=[kind]) if log.exists() else []


def status(cli) -> dict:
    done = cli("db", "status", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    return {"nodes": payload["nodes"], "retired": payload["retired"]}


def imported(cli, fmt: str, path: Path, *flags: str, env: dict[str, str] | None = None) -> dict:
    done = cli("import", fmt, path, "--json", *flags, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def refused(cli, fmt: str, path: Path, *flags: str) -> dict:
    done = cli("import", fmt, path, "--json", *flags)
    assert done.returncode == 2, done.stdout + done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture
def air(tmp_path: Path) -> tuple[AirSystemModel, Path]:
    model = AirSystemModel()
    return model, model.write(tmp_path / "air.ifc")


def cut_after_the_storey(model_file: Path, tmp_path: Path, *, close: bool) -> Path:
    """The model cut after its storey's spaces (#13): the end written again, with (`close`) or
    without the DATA section's ENDSEC;."""
    lines = model_file.read_text().splitlines(keepends=True)
    kept = lines[: lines.index("DATA;\n") + 14]
    cut = tmp_path / "cut.ifc"
    cut.write_text("".join(kept) + ("ENDSEC;\n" if close else "") + "END-ISO-10303-21;\n")
    return cut


def test_an_ifc_file_cut_in_its_data_with_its_end_appended_is_refused_and_retires_nothing(
    cli, air, tmp_path
):
    _, model_file = air
    imported(cli, "ifc", model_file)
    before = status(cli)
    error = refused(cli, "ifc", cut_after_the_storey(model_file, tmp_path, close=False))
    assert error["error"] == "MalformedFileError" and "truncated" in error["message"]
    assert error["entity"] == "#13"
    assert status(cli) == before


def test_an_import_retiring_most_of_a_model_stops_unless_allowed_and_the_override_is_audited(
    cli, air, tmp_path, audit_env
):
    model, model_file = air
    imported(cli, "ifc", model_file, env=audit_env)
    before = status(cli)
    # Structurally sound, but 5 of the model's 11 entities are gone (all but its spatial tree).
    cut = cut_after_the_storey(model_file, tmp_path, close=True)
    for flags in ((), ("--dry-run",)):
        error = refused(cli, "ifc", cut, *flags)
        assert error["error"] == "MassRetirementError"
        assert error["entity"] == f"ifc-project:{model.project.GlobalId}"
        assert "would retire 5 of the 11 entities" in error["message"]
    assert status(cli) == before
    assert len(records(audit_env, "import")) == 1  # the refused import recorded nothing

    report = imported(cli, "ifc", cut, "--allow-retire", env=audit_env)
    assert (report["nodes_retired"], report["retire_guard_overridden"]) == (5, True)
    assert status(cli)["retired"] == before["retired"] + 5
    last = records(audit_env, "import")[-1].payload
    assert last["retire_guard_overridden"] is True
    assert last["files"][0]["nodes_retired"] == 5


def test_a_twin_file_naming_an_ifc_models_source_is_refused_even_as_a_dry_run(cli, air, tmp_path):
    model, model_file = air
    imported(cli, "ifc", model_file)
    before = status(cli)
    source_id = f"ifc-project:{model.project.GlobalId}"
    pretender = tmp_path / "pretender.yaml"
    pretender.write_text(f"graphtwin: 1\nsource: {source_id}\nnodes:\n  - {{id: x, kind: Site}}\n")
    for flags in ((), ("--dry-run",)):
        error = refused(cli, "twin", pretender, *flags)
        assert error["error"] == "SourceOwnershipError" and error["entity"] == source_id
        assert "belongs to ifc imports; a twin file may not write it" in error["message"]
    assert status(cli) == before


def test_another_ifc_model_under_a_models_source_id_is_refused(cli, air, tmp_path):
    model, model_file = air
    imported(cli, "ifc", model_file)
    other = AirSystemModel().write(tmp_path / "other.ifc")  # another project GlobalId
    source_id = f"ifc-project:{model.project.GlobalId}"
    error = refused(cli, "ifc", other, "--source-id", source_id)
    assert error["error"] == "SourceOwnershipError"
    assert f"belongs to the files of {source_id}" in error["message"]


def test_a_governance_source_may_not_be_written_by_a_twin_file_but_taken_over_on_purpose(
    cli, tmp_path, audit_env
):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "graphtwin-governance: 1\nsource: rules\nregulations:\n"
        "  - {id: reg-1, name: Ventilation code}\n"
    )
    imported(cli, "governance", rules, env=audit_env)
    twin = tmp_path / "twin.yaml"
    twin.write_text("graphtwin: 1\nsource: rules\nnodes:\n  - {id: site, kind: Site}\n")
    error = refused(cli, "twin", twin)
    assert error["error"] == "SourceOwnershipError"
    assert "belongs to governance imports" in error["message"]

    report = imported(cli, "twin", twin, "--take-over-source", "--allow-retire", env=audit_env)
    assert report["source_taken_over"]["from_format"] == "governance"
    [taken] = records(audit_env, "source_taken_over")
    assert taken.payload["source_id"] == "rules"
    assert (taken.payload["from_format"], taken.payload["to_format"]) == ("governance", "twin")
    sources = json.loads(cli("db", "status", "--json").stdout)["sources"]
    assert {s["source_id"]: s["format"] for s in sources}["rules"] == "twin"


def upload(api: ApiServer, role: Role, name: str, content: bytes, arguments: str) -> dict:
    operations = json.dumps(
        {
            "query": "mutation($f: Upload!) { importModel(format: TWIN, file: $f"
            f"{arguments}) {{ sourceId nodesRetired report }} }}",
            "variables": {"f": None},
        }
    )
    files = {
        "operations": (None, operations),
        "map": (None, '{"0": ["variables.f"]}'),
        "0": (name, content, "application/yaml"),
    }
    headers = {"Authorization": f"Bearer {api.keys[role]}"}
    return httpx.post(api.graphql_url, files=files, headers=headers, timeout=120).json()


def test_import_model_refuses_another_formats_source_and_only_an_admin_takes_it_over(
    api, cli, air, tmp_path
):
    model, model_file = air
    imported(cli, "ifc", model_file)
    before = status(cli)
    source_id = f"ifc-project:{model.project.GlobalId}"
    twin = b"graphtwin: 1\nnodes:\n  - {id: x, kind: Site}\n"
    as_source = f', sourceId: "{source_id}"'

    answer = upload(api, Role.IMPORTER, "t.yaml", twin, as_source)
    [error] = answer["errors"]
    assert "belongs to ifc imports" in error["message"] and source_id in error["message"]
    answer = upload(api, Role.IMPORTER, "t.yaml", twin, as_source + ", takeOverSource: true")
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN" and "admin" in error["message"]
    assert status(cli) == before

    answer = upload(api, Role.ADMIN, "t.yaml", twin,
                    as_source + ", takeOverSource: true, allowRetire: true")  # fmt: skip
    assert not answer.get("errors"), answer
    result = answer["data"]["importModel"]
    assert result["nodesRetired"] == 11  # the whole model, on purpose
    assert result["report"]["source_taken_over"]["from_format"] == "ifc"
    assert result["report"]["retire_guard_overridden"] is True
    log = Path(str(api.telemetry_dir)) / "audit.jsonl"
    taken = read_audit_log(log, kinds=["source_taken_over"])[-1]
    assert taken.payload["source_id"] == source_id and taken.actor.endswith(":test-admin")
