"""Drift labels on a real Neo4j: a person dismisses or confirms a drift issue (CLI and GraphQL),
the label is kept and audited, a false alarm is not reopened by the next detection run, and the
next training names the labels it learnt from; a label withdrawn (CLI and GraphQL) is kept as
such, audited, and no longer suppresses its finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner as InProcess
from typer.testing import Result

from graphtwin.api.roles import Role
from graphtwin.audit import read_audit_log
from graphtwin.cli.main import app
from graphtwin.drift.labels import Verdict, label_issue, read_labels_file
from graphtwin.ml.dataset import TwinDataset
from graphtwin.ml.training import TrainConfig
from graphtwin.ml.workflow import detect, train_and_save
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import CliRunner
from tests.support.api_server import ApiServer
from tests.support.ml_buildings import building_file

pytestmark = pytest.mark.neo4j

MISNAMED = "site.ahu.sat"  # a supply air temperature sensor whose name says return


def _import_site(store: TwinStore, folder: Path) -> Path:
    path = building_file(folder, "site", vavs=3)
    doc = yaml.safe_load(path.read_text())
    next(n for n in doc["nodes"] if n["id"] == MISNAMED)["name"] = "site AHU-1 Return Air Temp"
    path.write_text(yaml.safe_dump(doc))
    store.load([IMPORTERS["twin"].parse(path)])
    return path


def _issue(store: TwinStore, twin_id: str = MISNAMED) -> dict:
    rows = store.read(
        "drift/issues_list", statuses=None, types=["semantic"], twin_id=twin_id, limit=10
    )
    [row] = rows
    return row["issue"]


def _detected_issue(store: TwinStore, folder: Path) -> str:
    """The site imported and detected: the id of the issue on the misnamed point."""
    _import_site(store, folder)
    detect(store, None)
    return _issue(store)["issue_id"]


def _audited(neo4j_env: dict[str, str], kind: str) -> list[dict]:
    log = Path(neo4j_env["GRAPHTWIN_TELEMETRY_DIR"]) / "audit.jsonl"
    records = read_audit_log(log) if log.exists() else []
    return [r.payload | {"actor": r.actor} for r in records if r.kind == kind]


def test_a_false_alarm_label_suppresses_the_finding_and_appears_in_the_next_training_manifest(
    store: TwinStore, tmp_path: Path, cli: CliRunner, neo4j_env: dict[str, str]
) -> None:
    path = _import_site(store, tmp_path)
    detect(store, None)
    issue = _issue(store)
    assert (issue["rule"], issue["status"], issue["label"]) == (
        "name_contradicts_class",
        "open",
        None,
    )

    listed = cli("drift", "list", "--type", "semantic", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [i["issue_id"] for i in json.loads(listed.stdout)["issues"]] == [issue["issue_id"]]
    dismissed = cli("drift", "dismiss", issue["issue_id"], "--note", "it is the SAT", "--by", "ana")
    assert dismissed.returncode == 0, dismissed.stderr

    after = _issue(store)
    assert after["status"] == "resolved" and after["resolved_at"] is not None
    assert {k: after["label"][k] for k in ("verdict", "note", "by")} == {
        "verdict": "false_alarm",
        "note": "it is the SAT",
        "by": "ana",
    }
    [audited] = _audited(neo4j_env, "drift_labelled")
    assert (audited["issue_id"], audited["verdict"], audited["by"]) == (
        issue["issue_id"],
        "false_alarm",
        "ana",
    )
    assert audited["actor"].startswith("cli:") and audited["note"] == "it is the SAT"

    again = detect(store, None)  # the rule still finds it: not reopened
    assert again.recorded is not None and again.recorded.suppressed == 1
    assert any(f.twin_id == MISNAMED for f in again.findings)
    assert _issue(store)["issue_id"] == issue["issue_id"]  # no second issue

    model = tmp_path / "model"  # `ml train` in this process (torch is loaded already)
    args = ["ml", "train", "--data", str(path), "--out", str(model), "--epochs", "2"]
    trained = InProcess().invoke(app, args, env=neo4j_env)
    assert trained.exit_code == 0, trained.output
    manifest = json.loads((model / "manifest.json").read_text())
    [used] = manifest["labels"]["used"]
    assert (used["label_id"], used["twin_id"], used["verdict"], used["by"]) == (
        after["label"]["label_id"],
        MISNAMED,
        "false_alarm",
        "ana",
    )
    assert used["at"] == after["label"]["at"] and manifest["labels"]["sha256"]
    assert manifest["model_id"] != manifest["weights"]["sha256"]  # the labels are in the id


def test_labelling_an_unknown_issue_names_it_exits_non_zero_and_writes_nothing(
    cli: CliRunner, neo4j_env: dict[str, str]
) -> None:
    before = len(_audited(neo4j_env, "drift_labelled"))
    result = cli("drift", "dismiss", "drift:semantic:nowhere:1", "--note", "n/a")
    assert result.returncode == 2
    assert "drift:semantic:nowhere:1" in result.stderr and "no drift issue" in result.stderr
    labels = cli("drift", "labels", "--json")
    assert json.loads(labels.stdout)["labels"] == []
    assert len(_audited(neo4j_env, "drift_labelled")) == before


def test_a_confirmed_issue_stays_open_takes_no_second_label_and_its_export_trains(
    store: TwinStore, tmp_path: Path, cli: CliRunner
) -> None:
    path = _import_site(store, tmp_path)
    detect(store, None)
    issue_id = _issue(store)["issue_id"]
    confirmed = cli("drift", "confirm", issue_id, "--note", "renamed in the BMS")
    assert confirmed.returncode == 0, confirmed.stderr
    issue = _issue(store)
    assert (issue["status"], issue["label"]["verdict"]) == ("open", "confirmed")

    listed = cli("drift", "list", "--status", "open")  # the table a person reads
    assert listed.returncode == 0, listed.stderr
    assert issue_id in listed.stdout and "confirmed" in listed.stdout

    twice = cli("drift", "dismiss", issue_id, "--note", "changed my mind")
    assert twice.returncode == 2
    assert "already labelled confirmed" in twice.stderr
    assert _issue(store)["label"]["note"] == "renamed in the BMS"

    again = detect(store, None)  # a confirmed finding is no false alarm: kept open
    assert again.recorded is not None and again.recorded.suppressed == 0
    assert _issue(store)["status"] == "open"

    exported = cli("drift", "labels", "--json")  # what `ml train --labels FILE` reads
    labels = tmp_path / "labels.json"
    labels.write_text(exported.stdout)
    store.reset()  # the file, not the twin, is where the labels come from now
    tiny = TrainConfig(hidden=8, semantic_epochs=2, structural_epochs=2)
    dataset = TwinDataset.from_paths([path])
    manifest = train_and_save(dataset, tmp_path / "model", tiny, [], read_labels_file(labels))
    assert [u["verdict"] for u in manifest["labels"]["used"]] == ["confirmed"]


def test_an_operator_labels_a_drift_issue_over_graphql_and_a_viewer_may_not(
    api: ApiServer, store: TwinStore, tmp_path: Path
) -> None:
    _import_site(store, tmp_path)
    detect(store, None)
    issue_id = _issue(store)["issue_id"]
    mutation = """mutation($id: ID!) { labelDriftIssue(issueId: $id, verdict: FALSE_ALARM,
        note: "checked on site") { status label { verdict note by at } } }"""
    refused = api.post(mutation, role=Role.VIEWER, variables={"id": issue_id})
    assert refused.status_code == 403
    assert _issue(store)["label"] is None

    done = api.data(mutation, role=Role.OPERATOR, variables={"id": issue_id})["labelDriftIssue"]
    assert done["status"] == "resolved"
    assert done["label"]["verdict"] == "false_alarm" and done["label"]["note"] == "checked on site"
    assert done["label"]["by"].startswith("apikey:") and done["label"]["by"].endswith(
        ":test-operator"
    )
    read = api.data(
        f'{{ driftIssues(twinId: "{MISNAMED}") {{ issueId label {{ verdict by }} }} '
        f'node(twinId: "{MISNAMED}") {{ driftIssues {{ label {{ note }} }} }} }}'
    )
    assert read["driftIssues"] == [
        {"issueId": issue_id, "label": {"verdict": "false_alarm", "by": done["label"]["by"]}}
    ]
    assert read["node"]["driftIssues"] == [{"label": {"note": "checked on site"}}]
    assert api.telemetry_dir is not None
    records = read_audit_log(Path(api.telemetry_dir) / "audit.jsonl")
    [audited] = [r for r in records if r.kind == "drift_labelled"]
    assert audited.actor == done["label"]["by"] and audited.payload["issue_id"] == issue_id

    unknown = api.post(mutation, role=Role.OPERATOR, variables={"id": "drift:none"}).json()
    assert "drift:none" in unknown["errors"][0]["message"]


def test_a_withdrawn_false_alarm_is_kept_as_such_audited_and_the_next_run_reopens_its_finding(
    store: TwinStore, tmp_path: Path, cli: CliRunner, neo4j_env: dict[str, str]
) -> None:
    def run(*args: str) -> Result:  # in this process: quicker than the console script
        return InProcess().invoke(app, ["drift", *args], env=neo4j_env)

    issue_id = _detected_issue(store, tmp_path)
    dismissed = run("dismiss", issue_id, "--note", "it is the SAT", "--by", "ana")
    assert dismissed.exit_code == 0, dismissed.output
    assert detect(store, None).recorded.suppressed == 1  # type: ignore[union-attr]
    label_id = _issue(store)["label"]["label_id"]

    withdrawn = cli("drift", "withdraw", label_id, "--note", "it was the RAT", "--by", "bo")
    assert withdrawn.returncode == 0, withdrawn.stderr  # the console script, once
    [listed] = json.loads(run("labels", "--json").stdout)["labels"]
    assert (listed["label_id"], listed["withdrawn_by"], listed["withdrawn_note"]) == (
        label_id,
        "bo",
        "it was the RAT",
    )
    assert listed["withdrawn_at"] >= listed["at"] and listed["note"] == "it is the SAT"
    table = run("labels")
    assert "it was the RAT" in table.stdout and label_id in table.stdout
    assert _issue(store)["label"] is None  # the issue no longer carries it

    again = detect(store, None)  # still found: no longer suppressed, a new issue opens
    assert again.recorded is not None
    assert (again.recorded.suppressed, again.recorded.opened) == (0, 1)
    rows = store.read(
        "drift/issues_list", statuses=["open"], types=["semantic"], twin_id=MISNAMED, limit=10
    )
    assert [r["issue"]["issue_id"] != issue_id for r in rows] == [True]

    def audited_of(kind: str) -> list[dict]:  # the log is the session's: this label's records
        return [r for r in _audited(neo4j_env, kind) if r["label_id"] == label_id]

    [labelled] = audited_of("drift_labelled")
    [audited] = audited_of("drift_label_withdrawn")
    assert labelled["verdict"] == audited["verdict"] == "false_alarm"
    assert (audited["withdrawn_by"], audited["withdrawn_note"]) == ("bo", "it was the RAT")
    assert audited["actor"].startswith("cli:")

    twice = run("withdraw", label_id, "--note", "again")
    unknown = run("withdraw", "label:nowhere", "--note", "n/a")
    assert (twice.exit_code, unknown.exit_code) == (2, 2)
    assert label_id in twice.stderr and "already withdrawn by bo" in twice.stderr
    assert "label:nowhere" in unknown.stderr and "no drift label" in unknown.stderr
    assert len(audited_of("drift_label_withdrawn")) == 1

    relabelled = run("confirm", issue_id, "--note", "renamed in the BMS")
    assert relabelled.exit_code == 0, relabelled.output
    row = store.read("drift/issue_by_id", issue_id=issue_id)[0]
    assert row["issue"]["label"]["label_id"] == f"{label_id}#2" and row["labels_given"] == 2


def test_an_operator_withdraws_a_drift_label_over_graphql_and_a_viewer_may_not(
    api: ApiServer, store: TwinStore, tmp_path: Path
) -> None:
    issue_id = _detected_issue(store, tmp_path)
    label = label_issue(store, issue_id, Verdict.FALSE_ALARM, "checked on site", by="ana")
    mutation = """mutation($id: ID!) { withdrawDriftLabel(labelId: $id, note: "wrong AHU") {
        labelId verdict withdrawnAt withdrawnBy withdrawnNote } }"""
    refused = api.post(mutation, role=Role.VIEWER, variables={"id": label.label_id})
    assert refused.status_code == 403
    assert _issue(store)["label"]["label_id"] == label.label_id

    done = api.data(mutation, role=Role.OPERATOR, variables={"id": label.label_id})
    withdrawn = done["withdrawDriftLabel"]
    assert (withdrawn["labelId"], withdrawn["verdict"], withdrawn["withdrawnNote"]) == (
        label.label_id,
        "false_alarm",
        "wrong AHU",
    )
    assert withdrawn["withdrawnBy"].endswith(":test-operator") and withdrawn["withdrawnAt"]
    assert _issue(store)["label"] is None
    assert api.telemetry_dir is not None
    records = read_audit_log(Path(api.telemetry_dir) / "audit.jsonl")
    [audited] = [
        r
        for r in records
        if r.kind == "drift_label_withdrawn" and r.payload["label_id"] == label.label_id
    ]
    assert audited.actor == withdrawn["withdrawnBy"]

    twice = api.post(mutation, role=Role.OPERATOR, variables={"id": label.label_id}).json()
    assert "already withdrawn" in twice["errors"][0]["message"]
