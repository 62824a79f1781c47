"""The demo's live part: simulated devices bound to Building B, the sync, and the API, in one
event loop. The lab's sensor freezes (its point goes stale) and office 201 keeps warming (a
threshold issue), so there is drift to find within a minute. With a `VirtualOffice`
(demo_virtual.py), the EnergyPlus medium office runs beside them: its BACnet/IP device is one
more source of the same sync, and its AHU trips on the second simulated morning."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graphtwin.audit import AuditKeySource
from graphtwin.config import Settings
from graphtwin.neo4j_local.instance import free_port
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import BindingsFile, read_bindings
from graphtwin.telemetry.simulators import ModbusSimulator, OpcUaSimulator, Signal
from graphtwin.telemetry.sync import TwinSync

if TYPE_CHECKING:
    from graphtwin.cli.demo_virtual import VirtualOffice

BINDINGS = "riverside-bindings.yaml"
OPCUA_SIGNALS = [
    Signal("bldg-b/ahu-2/sat", base=16.0, amplitude=1.5, period_s=60),
    Signal("bldg-b/ahu-2/oat", base=7.0, amplitude=0.8, period_s=120),
    Signal("bldg-b/vav-lab/zat", base=21.2, amplitude=0.3, period_s=20, freeze_after_s=5),
]
MODBUS_SIGNALS = {  # holding register -> signal (float32)
    0: Signal("vav-201-zat", base=26.8, drift_per_s=0.05),  # too warm, and warming
    2: Signal("vav-202-zat", base=22.5, amplitude=0.4, period_s=45),
}


@dataclass(frozen=True, slots=True)
class LiveDemo:
    opcua_endpoint: str
    modbus_endpoint: str
    spec: BindingsFile
    office: VirtualOffice | None = None


def demo_bindings(
    examples: Path, settings: Settings, opcua_port: int, modbus_port: int
) -> BindingsFile:
    """The example bindings pointed at the simulators, with history kept under the telemetry
    dir (not in the examples folder) and records in the twin's one audit log, beside the demo's
    imports, links and API key."""
    spec = read_bindings(examples / BINDINGS)
    root = settings.telemetry_root / "demo"
    sources = []
    for source in spec.sources:
        if source.type == "opcua":
            source = source.model_copy(update={"endpoint": f"opc.tcp://127.0.0.1:{opcua_port}/"})
        elif source.type == "modbus":
            source = source.model_copy(update={"port": modbus_port})
        sources.append(source)
    return spec.model_copy(
        update={
            "sources": sources,
            "history": spec.history.model_copy(update={"dir": root / "history"}),
            "audit_log": settings.audit_log_path,
        }
    )


async def run_live(
    examples: Path,
    settings: Settings,
    store: TwinStore,
    *,
    port: int | None,
    duration_s: float | None,
    ready: Callable[[LiveDemo], None],
    office: VirtualOffice | None = None,
) -> TwinSync:
    """Simulators, the virtual office (when given, prepared), sync and (with `port`) the API,
    until Ctrl-C or `duration_s`."""
    opcua_port, modbus_port = free_port(), free_port()
    spec = demo_bindings(examples, settings, opcua_port, modbus_port)
    async with contextlib.AsyncExitStack() as running:
        opcua = await running.enter_async_context(
            OpcUaSimulator(OPCUA_SIGNALS, opcua_port, update_s=0.5)
        )
        await running.enter_async_context(
            ModbusSimulator(modbus_port, signals=MODBUS_SIGNALS, update_s=0.5)
        )
        if office is not None:
            from graphtwin.cli.demo_virtual import merged_bindings

            served = await running.enter_async_context(
                office.serving(settings.telemetry_root / "demo")
            )
            spec = merged_bindings(spec, served)
        sync = await asyncio.to_thread(
            TwinSync,
            spec,
            store,
            file=str(examples / BINDINGS),
            audit_key=AuditKeySource.of(settings),
        )
        ready(LiveDemo(opcua.endpoint, f"127.0.0.1:{modbus_port}", spec, office))
        if port is None:
            main = sync.run(duration_s=duration_s)
        else:
            from graphtwin.api.with_sync import serve_with_sync  # the API: only when served
            from graphtwin.web import create_app

            main = serve_with_sync(
                sync, port, duration_s=duration_s, settings=settings, make_app=create_app
            )
        if office is None:
            await main
        else:
            from graphtwin.cli.demo_virtual import alongside

            await alongside(main, office.watch(store, settings, history=sync.history))
        return sync
