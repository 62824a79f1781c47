"""The wheel carries importers, ontologies and the Cypher catalogue, and imports on its own."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def test_a_wheel_installed_in_a_fresh_venv_imports_a_twin(tmp_path, neo4j_env, store):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("graphtwin-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for packaged in (
        "importers/twinfile/reader.py",
        "ontologies/twin.yaml",
        "cypher/load/nodes_create.cypher",
        "cypher/migrations/0001_core_schema.cypher",
        "graphtwin/neo4j_local/pom.xml",
        "graphtwin/web/templates/base.html",  # the flight deck works from `pip install`
        "graphtwin/web/static/app.js",
        "graphtwin/web/static/vendor/htmx.min.js",
    ):
        assert packaged in names

    # The wheel alone goes into a fresh venv; its dependencies are those `make test` installed
    # (a path line in a .pth file: the editable install there stays inactive). Installing them
    # again would copy PyTorch's several GB on every run; `pip install -e .` checks they resolve.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = env_dir / "bin" / "pip"
    subprocess.run(
        [str(pip), "install", "--quiet", "--no-deps", str(wheel)], check=True, capture_output=True
    )
    [site_dir] = (env_dir / "lib").glob("python3.*/site-packages")
    [dependencies] = [Path(p) for p in sys.path if p.endswith("site-packages")][:1]
    (site_dir / "zz_dependencies.pth").write_text(f"{dependencies}\n")

    twin = tmp_path / "tiny.yaml"
    twin.write_text(
        "graphtwin: 1\nnodes:\n  - id: w-site\n    kind: Site\n    name: Wheel Site\n"
        "    contains:\n      - {id: w-room, kind: Space, name: Room}\n"
    )
    # run from an empty directory so nothing of the source tree can be picked up
    done = subprocess.run(
        [str(env_dir / "bin" / "graphtwin"), "import", "twin", str(twin), "--json"],
        env=neo4j_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["nodes_created"], report["rels_created"]) == (2, 1)
    assert store.lineage("w-room").property("name").value == "Room"
    module = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import cypher, sys; print(cypher.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(module.stdout.strip()).is_relative_to(env_dir)
    declared = subprocess.run(
        [str(pip), "show", "graphtwin"], capture_output=True, text=True, check=True
    ).stdout
    assert "torch-geometric" in declared and "neo4j" in declared  # the wheel declares its needs
