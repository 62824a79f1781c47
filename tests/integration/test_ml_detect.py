"""`graphtwin ml detect` on a real Neo4j: a planted mislabel becomes a semantic drift issue that
names the model (and through it the training data), detection is idempotent, fixing the label
resolves the issue, and the rules run without a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from graphtwin.audit import AuditLog, verify_audit_log
from graphtwin.drift.issues import DriftType
from graphtwin.ml.dataset import TwinDataset
from graphtwin.ml.training import TrainConfig
from graphtwin.ml.workflow import detect, train_and_save
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import CliRunner
from tests.support.ml_buildings import building_file

pytestmark = pytest.mark.neo4j

PLANTED = "site.vav2.p0"  # a zone air temperature sensor


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("training")
    for name, vavs in (("alpha", 8), ("beta", 10), ("gamma", 6)):
        building_file(folder, name, vavs)
    out = tmp_path_factory.mktemp("model")
    config = TrainConfig(seed=3, hidden=24, semantic_epochs=80, structural_epochs=80)
    train_and_save(TwinDataset.from_paths([folder]), out, config, held_out=[])
    return out


def _import_site(store: TwinStore, tmp_path: Path, planted_class: str | None) -> None:
    path = building_file(tmp_path, "site", vavs=5)
    if planted_class:
        doc = yaml.safe_load(path.read_text())
        next(n for n in doc["nodes"] if n["id"] == PLANTED)["brick_class"] = planted_class
        path.write_text(yaml.safe_dump(doc))
    store.load([IMPORTERS["twin"].parse(path)])


def _issues(store: TwinStore, drift: DriftType) -> list[dict]:
    rows = store.read(
        "drift/issues_list", statuses=None, types=[str(drift)], twin_id=None, limit=100
    )
    return [r["issue"] for r in rows]


def test_planted_mislabel_becomes_a_semantic_issue_that_names_its_model(
    store: TwinStore, tmp_path: Path, model_dir: Path
) -> None:
    _import_site(store, tmp_path, planted_class="Supply_Air_Flow_Sensor")
    audit = AuditLog(tmp_path / "audit.jsonl")
    first = detect(store, model_dir, audit=audit)
    model_issues = [i for i in _issues(store, DriftType.SEMANTIC) if i["rule"] == "gnn_semantic"]
    assert [i["twin_id"] for i in model_issues] == [PLANTED]
    issue = model_issues[0]
    assert issue["status"] == "open"
    assert issue["description"].startswith("declared Supply_Air_Flow_Sensor, looks like Zone_Air")
    evidence = json.loads(issue["evidence"])
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert evidence["model_id"] == manifest["model_id"] == first.model_id
    assert [s["sha256"] for s in evidence["trained_on"]] == [
        s["sha256"] for s in manifest["training_sources"]
    ]
    assert evidence["p_declared"] < 0.1

    again = detect(store, model_dir, audit=audit)  # the same look changes nothing
    assert again.recorded is not None and again.recorded.opened == 0
    assert again.recorded.kept == len(first.findings)
    assert len(_issues(store, DriftType.SEMANTIC)) == len(
        [f for f in first.findings if f.type is DriftType.SEMANTIC]
    )

    _import_site(store, tmp_path, planted_class=None)  # the label is fixed at the source
    fixed = detect(store, model_dir, audit=audit)
    assert fixed.recorded is not None and fixed.recorded.resolved >= 1
    resolved = [i for i in _issues(store, DriftType.SEMANTIC) if i["issue_id"] == issue["issue_id"]]
    assert resolved[0]["status"] == "resolved"
    assert verify_audit_log(tmp_path / "audit.jsonl").ok


def test_rules_run_without_a_model_and_leave_model_issues_alone(
    store: TwinStore, tmp_path: Path, cli: CliRunner
) -> None:
    path = building_file(tmp_path, "site", vavs=3)
    doc = yaml.safe_load(path.read_text())
    ahu = next(n for n in doc["nodes"] if n["id"] == "site.ahu")
    ahu["links"]["FEEDS"].remove("site.vav1")  # a VAV fed by nothing
    path.write_text(yaml.safe_dump(doc))
    store.load([IMPORTERS["twin"].parse(path)])

    result = cli("ml", "detect", "--rules-only", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["model_id"] is None
    assert {(f["rule"], f["twin_id"]) for f in report["findings"]} == {
        ("vav_fed_by_nothing", "site.vav1")
    }
    assert [i["twin_id"] for i in _issues(store, DriftType.STRUCTURAL)] == ["site.vav1"]

    refused = cli("ml", "detect")
    assert refused.returncode == 2
    assert "--rules-only" in refused.stderr
