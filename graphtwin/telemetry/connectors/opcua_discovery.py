"""OPC UA discovery: every variable a server offers, as the addresses a binding could name.

The Objects folder is browsed breadth first. The standard namespace (the Server object and its
diagnostics) is skipped, and properties are not addresses: a variable's `EngineeringUnits`
property gives its units (the EUInformation's display name, e.g. `°C`). Each variable becomes a
`DiscoveredAddress` with `binding_fields={"node_id": ...}`, its NodeId as the reference and the
browse names above it as the path.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

from asyncua import Client, ua

from graphtwin.errors import DiscoveryError
from graphtwin.telemetry.bindings import OpcUaSource
from graphtwin.telemetry.connectors.opcua import (
    CONNECTION_ERRORS,
    close_client,
    open_client,
    plain_node_id,
)
from graphtwin.telemetry.discovery import DiscoveredAddress

logger = logging.getLogger(__name__)

_READ_CHUNK = 500
_UNITS_PROPERTY = "EngineeringUnits"


@dataclass
class _Found:
    node_id: ua.NodeId
    path: list[str]  # browse names from the Objects folder, the variable's own last
    name: str  # display name
    units_node: ua.NodeId | None = None


async def discover_addresses(
    source: OpcUaSource, *, timeout_s: float | None = None, max_nodes: int = 5000
) -> list[DiscoveredAddress]:
    """Every variable under the Objects folder, up to `max_nodes` nodes visited, with its
    description and units. `timeout_s` (default: the source's) bounds each request. A server
    that cannot be reached or refuses the session is a DiscoveryError."""
    if timeout_s is not None:
        source = source.model_copy(update={"timeout_s": timeout_s})
    try:
        client = await open_client(source)
    except CONNECTION_ERRORS as exc:
        raise DiscoveryError(source.id, f"{source.endpoint} did not answer: {exc!r}") from exc
    try:
        found = await _walk(client, max_nodes)
        descriptions = await _read_texts(client, [f.node_id for f in found])
        units = await _read_units(client, [f.units_node for f in found])
    except CONNECTION_ERRORS as exc:
        raise DiscoveryError(source.id, f"browsing {source.endpoint} failed: {exc!r}") from exc
    finally:
        await close_client(client, source.timeout_s)
    return [
        DiscoveredAddress(
            {"node_id": f.node_id.to_string()},
            name=f.name,
            description=description,
            units=unit,
            reference=f.node_id.to_string(),
            path=tuple(f.path[:-1]),
        )
        for f, description, unit in zip(found, descriptions, units, strict=True)
    ]


async def _walk(client: Client, max_nodes: int) -> list[_Found]:
    objects = ua.NodeId(ua.ObjectIds.ObjectsFolder)
    has_property = ua.NodeId(ua.ObjectIds.HasProperty)
    queue: deque[tuple[ua.NodeId, list[str], _Found | None]] = deque([(objects, [], None)])
    seen = {objects}
    found: list[_Found] = []
    while queue:
        node_id, path, variable = queue.popleft()
        references = await client.get_node(node_id).get_children_descriptions(
            nodeclassmask=ua.NodeClass.Object | ua.NodeClass.Variable
        )
        for ref in references:
            child = plain_node_id(ref.NodeId)
            if ref.ReferenceTypeId == has_property:
                if variable is not None and ref.BrowseName.Name == _UNITS_PROPERTY:
                    variable.units_node = child
                continue
            if child in seen or child.NamespaceIndex == 0:
                continue
            if len(seen) > max_nodes:  # (seen holds the Objects folder too)
                logger.warning("browsing stopped after %d nodes (max_nodes)", max_nodes)
                queue.clear()
                break
            seen.add(child)
            child_path = [*path, ref.BrowseName.Name]
            entry = None
            if ref.NodeClass == ua.NodeClass.Variable:
                entry = _Found(child, child_path, ref.DisplayName.Text or ref.BrowseName.Name)
                found.append(entry)
            queue.append((child, child_path, entry))
    return found


async def _read_texts(client: Client, nodes: list[ua.NodeId]) -> list[str]:
    """The Description of each node ("" where it has none)."""
    texts: list[str] = []
    for start in range(0, len(nodes), _READ_CHUNK):
        chunk = [client.get_node(n) for n in nodes[start : start + _READ_CHUNK]]
        for data in await client.read_attributes(chunk, ua.AttributeIds.Description):
            text = data.Value.Value if data.Value is not None else None
            texts.append(text.Text or "" if isinstance(text, ua.LocalizedText) else "")
    return texts


async def _read_units(client: Client, nodes: list[ua.NodeId | None]) -> list[str | None]:
    """The display name of each EngineeringUnits property (None where there is none)."""
    wanted = [n for n in nodes if n is not None]
    names: dict[ua.NodeId, str | None] = {}
    for start in range(0, len(wanted), _READ_CHUNK):
        chunk = wanted[start : start + _READ_CHUNK]
        values = await client.read_attributes([client.get_node(n) for n in chunk])
        for node, data in zip(chunk, values, strict=True):
            info = data.Value.Value if data.Value is not None else None
            label = getattr(getattr(info, "DisplayName", None), "Text", None)
            names[node] = label or None
    return [names.get(n) if n is not None else None for n in nodes]
