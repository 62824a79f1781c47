"""Discovery by source type: each protocol's `discover_addresses`, loaded only when asked for.

OPC UA servers are browsed (bounded by `timeout_s` per request), BACnet devices asked for their
object lists (within `timeout_s`), MQTT brokers listened to for `listen_s` seconds. Modbus,
replay and http sources describe nothing about themselves: they cannot be discovered.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from graphtwin.errors import SchemaViolationError
from graphtwin.telemetry.bindings import DataSource
from graphtwin.telemetry.discovery import DiscoveredAddress
from graphtwin.telemetry.suggest.points import ReferenceSpeller


@dataclass(frozen=True)
class _Discoverer:
    module: str  # holds `async discover_addresses(source, *, <wait>: float)`
    wait: str  # the keyword of its time limit: timeout_s or listen_s
    speller: str | None = None  # "module:function" spelling a point's reference


DISCOVERERS = {
    "opcua": _Discoverer("graphtwin.telemetry.connectors.opcua_discovery", "timeout_s"),
    "bacnet": _Discoverer(
        "graphtwin.telemetry.connectors.bacnet.discovery",
        "timeout_s",
        "graphtwin.telemetry.connectors.bacnet.reference:bacnet_reference",
    ),
    "mqtt": _Discoverer("graphtwin.telemetry.connectors.mqtt.discovery", "listen_s"),
}
"""Source type -> where its discovery lives (a module per protocol, imported on use)."""


def _discoverer(source_type: str, source_id: str) -> _Discoverer:
    found = DISCOVERERS.get(source_type)
    if found is None:
        kinds = ", ".join(sorted(DISCOVERERS))
        raise SchemaViolationError(
            f"a {source_type} source cannot be discovered (only {kinds} sources can)",
            entity=f"source {source_id}",
        )
    return found


def reference_speller(source_type: str, source_id: str) -> ReferenceSpeller | None:
    """What spells a point's reference in this protocol's form from its properties (BACnet:
    its `bacnet_*` properties), or None where the timeseries id is all a point can spell."""
    speller = _discoverer(source_type, source_id).speller
    if speller is None:
        return None
    module, _, name = speller.partition(":")
    function: ReferenceSpeller = getattr(importlib.import_module(module), name)
    return function


async def discover(
    source: DataSource, *, timeout_s: float, listen_s: float
) -> list[DiscoveredAddress]:
    """Every address the source offers. `source` is one of the bindings file's sources; an
    unreachable one is a DiscoveryError (from its protocol), an undiscoverable type a
    SchemaViolationError naming the source."""
    found = _discoverer(source.type, source.id)
    module = importlib.import_module(found.module)
    wait = {"timeout_s": timeout_s, "listen_s": listen_s}[found.wait]
    addresses: list[DiscoveredAddress] = await module.discover_addresses(
        source, **{found.wait: wait}
    )
    return addresses
