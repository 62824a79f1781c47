"""`graphtwin demo`, the main job, against the session's server."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j


def test_the_demo_imports_the_sample_campus_and_says_how_to_look_at_it(cli, store):
    done = cli("demo", "--twin", ROOT / "examples" / "demo-campus.yaml")
    assert done.returncode == 0, done.stderr
    assert "already running" in done.stdout  # it reused the session's server
    assert "The twin now holds 28 nodes and 39 relationships" in done.stdout
    assert "Riverside Campus" in done.stdout
    assert "graphtwin tree" in done.stdout
    assert store.counts().nodes == 28
    # running it again is harmless: the import is idempotent
    again = cli("demo", "--twin", ROOT / "examples" / "demo-campus.yaml")
    assert again.returncode == 0, again.stderr
    assert "28/0/0/0" not in again.stdout and "0/0/28/0" in again.stdout


def test_the_demo_names_a_missing_twin_file(cli, tmp_path):
    done = cli("demo", "--twin", tmp_path / "nope.yaml")
    assert done.returncode == 2
    assert "nope.yaml" in done.stderr
