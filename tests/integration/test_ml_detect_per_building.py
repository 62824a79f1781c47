"""Detection on a real Neo4j that holds two buildings: candidates never cross from one building
to the other, and a run on one building (`--root`) leaves the other building's issues open."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from graphtwin.drift.issues import DriftType
from graphtwin.ml.dataset import building
from graphtwin.ml.scopes import detection_arrays
from graphtwin.ml.scoring import judge_edges
from graphtwin.ml.training import TrainConfig, train
from graphtwin.ml.workflow import detect
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import CliRunner
from tests.support.ml_buildings import building_file

pytestmark = pytest.mark.neo4j


def _load_two_buildings(store: TwinStore, tmp_path: Path) -> None:
    """Buildings alpha and beta, each with a VAV its AHU does not feed."""
    for name in ("alpha", "beta"):
        path = building_file(tmp_path, name, vavs=4)
        doc = yaml.safe_load(path.read_text())
        ahu = next(n for n in doc["nodes"] if n["id"] == f"{name}.ahu")
        ahu["links"]["FEEDS"].remove(f"{name}.vav1")
        path.write_text(yaml.safe_dump(doc))
        store.load([IMPORTERS["twin"].parse(path)])


def _open_issues(store: TwinStore) -> set[tuple[str, str]]:
    rows = store.read(
        "drift/issues_list", statuses=None, types=[str(DriftType.STRUCTURAL)], twin_id=None,
        limit=100,
    )  # fmt: skip
    return {(r["twin_id"], r["issue"]["rule"]) for r in rows if r["issue"]["status"] != "resolved"}


def test_candidates_never_cross_buildings_and_a_root_run_leaves_the_others_issues_open(
    store: TwinStore, tmp_path: Path, cli: CliRunner
) -> None:
    _load_two_buildings(store, tmp_path)
    arrays = detection_arrays(store, store.export())
    assert sorted(arrays.names) == ["alpha", "beta"]
    training = building(building_file(tmp_path, "gamma", vavs=6)).arrays
    trained = train(training, TrainConfig(seed=1, hidden=8, semantic_epochs=2, structural_epochs=5))
    proposed = judge_edges(trained, arrays, samples=200).missing
    assert len(proposed)  # the unfed VAVs get candidates ...
    ends = arrays.graph_of[proposed[:, [0, 2]]]
    assert np.all(ends[:, 0] == ends[:, 1])  # ... of their own building only

    detect(store, None)  # the whole twin: both buildings' gaps are open issues
    assert _open_issues(store) == {
        ("alpha.vav1", "vav_fed_by_nothing"),
        ("beta.vav1", "vav_fed_by_nothing"),
    }
    alpha_only = detect(store, None, root="alpha")
    assert alpha_only.recorded is not None and alpha_only.recorded.resolved == 0
    assert {f.twin_id for f in alpha_only.findings} == {"alpha.vav1"}
    assert ("beta.vav1", "vav_fed_by_nothing") in _open_issues(store)  # not alpha's to resolve

    shown = cli("ml", "detect", "--rules-only", "--root", "beta")  # the table shows groups
    assert shown.returncode == 0, shown.stderr
    assert "1 findings in 1 groups" in shown.stdout
    assert re.search(
        r"│ 1 +│ 1 +│ rule +│ structural │ vav_fed_by_nothing: Equipment +│ beta.vav1", shown.stdout
    )
    assert ("alpha.vav1", "vav_fed_by_nothing") in _open_issues(store)
