"""`graphtwin ml export` on a real Neo4j writes a file a plain `torch.load` reads, with the
twin_id of every row and the class vocabulary in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import CliRunner
from tests.support.ml_buildings import building_file

pytestmark = pytest.mark.neo4j


def test_ml_export_writes_tensors_and_lists_that_load_with_weights_only(
    cli: CliRunner, store: TwinStore, tmp_path: Path
) -> None:
    store.load([IMPORTERS["twin"].parse(building_file(tmp_path, "alpha", vavs=2))])
    out = tmp_path / "twin.pt"
    done = cli("ml", "export", "--out", out)
    assert done.returncode == 0, done.stderr
    twin = torch.load(out, weights_only=True)
    assert twin["format"] == "graphtwin.hetero/1"
    points = twin["twin_ids"]["Point"]
    assert "alpha.vav0.p0" in points
    y = twin["nodes"]["Point"]["y"][points.index("alpha.vav0.p0")]
    assert twin["class_vocabulary"][y] == "Zone_Air_Temperature_Sensor"
    assert ("Equipment", "HAS_POINT", "Point") in twin["edge_types"]
    assert twin["edges"][("Equipment", "HAS_POINT", "Point")]["edge_index"].shape[0] == 2
