"""`graphtwin bind --suggest` through each protocol's discovery, end to end on the real graph:
a bacpypes3 device serving a Brick model's referenced objects."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import read_bindings
from graphtwin.virtual.bacnet_device import BacnetDevice, BacnetPoint
from importers import IMPORTERS
from tests.conftest import CliRunner

OFFICE = Path(__file__).parent.parent / "data" / "brick" / "bacnet_office.ttl"


def test_bind_suggest_binds_a_brick_models_bacnet_references_to_the_devices_objects(
    cli: CliRunner, store: TwinStore, tmp_path: Path
):
    twin = IMPORTERS["brick"].parse(OFFICE)
    store.load([twin])
    referenced = {
        n.twin_id: n.properties["bacnet_object_identifier"]
        for n in twin.nodes.values()
        if "bacnet_object_identifier" in n.properties
    }
    assert len(referenced) >= 20
    # object names that say nothing: only the references can bind them
    served = [
        BacnetPoint("analog-value", int(ident.split(",")[1]), f"obj {i}", 1.0)
        for i, ident in enumerate(sorted(referenced.values()))
    ]
    out = tmp_path / "suggested.yaml"

    async def scenario() -> str:
        async with BacnetDevice(1201, served) as device:
            config = tmp_path / "sources.yaml"
            config.write_text(
                "graphtwin-bindings: 1\nsources:\n"
                f'  - {{id: bms, type: bacnet, local: "127.0.0.1:0", device: 1201, '
                f'address: "{device.address}"}}\n',
                encoding="utf-8",
            )
            args = ["bind", "--suggest", "--config", config, "--source", "bms"]
            done = await asyncio.to_thread(cli, *args, "--timeout-s", "2", "--out", out, "--json")
        assert done.returncode == 0, done.stderr
        return done.stdout

    document = json.loads(asyncio.run(scenario()))
    by_reference = {s["twin_id"]: s for s in document["suggestions"] if s["confidence"] == 1.0}
    assert len(by_reference) >= 0.95 * len(referenced)
    for twin_id, suggestion in by_reference.items():
        assert suggestion["address"]["reference"].endswith(f":{referenced[twin_id]}")
        assert "reference bacnet:1201:" in suggestion["reason"]
    spec = read_bindings(out)
    bound = {b.point.twin_id: f"{b.object_type},{b.instance}" for b in spec.bindings}
    assert {t: bound[t] for t in by_reference} == {t: referenced[t] for t in by_reference}
