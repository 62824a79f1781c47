"""`graphtwin sync` stops cleanly on SIGINT even when it was started with SIGINT ignored, as a
non-interactive shell starts its background jobs (`graphtwin sync ... &` in a script, a service
wrapper): before, it ignored `kill -INT` and synced on."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from graphtwin.store import TwinStore
from importers.twinfile import TwinFileImporter
from tests.conftest import GRAPHTWIN

pytestmark = pytest.mark.neo4j

CAMPUS = Path(__file__).parents[2] / "examples" / "demo-campus.yaml"
BINDINGS = """\
graphtwin-bindings: 1
history: {{dir: {folder}/history}}
audit_log: {folder}/audit.jsonl
sources:
  - {{id: gateway, type: http}}
bindings:
  - {{source: gateway, point: {{twin_id: vav-101.zat}}}}
"""


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_sync_started_with_sigint_ignored_stops_on_sigint_and_prints_its_stats(
    store: TwinStore, neo4j_env: dict[str, str], tmp_path: Path
) -> None:
    store.load([TwinFileImporter().parse(CAMPUS)])
    bindings = tmp_path / "bindings.yaml"
    bindings.write_text(BINDINGS.format(folder=tmp_path), encoding="utf-8")
    log = tmp_path / "sync.err"
    with log.open("w") as errors:
        process = subprocess.Popen(
            [str(GRAPHTWIN), "sync", "--config", str(bindings)],
            env=neo4j_env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            preexec_fn=_ignore_ctrl_c,
        )
        try:
            deadline = time.monotonic() + 60
            while "Syncing" not in log.read_text() and time.monotonic() < deadline:
                assert process.poll() is None, log.read_text()
                time.sleep(0.2)
            assert "Syncing" in log.read_text(), "sync did not start within a minute"
            time.sleep(1.0)  # running its connectors
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, log.read_text()
    assert "stopped" in log.read_text()
    stats = json.loads(output)
    assert stats["received"] == 0
