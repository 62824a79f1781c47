"""What the bindings file already binds is not suggested again: a point bound to any source,
and an address of this source that a binding names, are left out before matching.

>>> spec = BindingsFile.model_validate({
...     "graphtwin-bindings": 1,
...     "sources": [{"id": "plant", "type": "opcua", "endpoint": "opc.tcp://h:4840/"}],
...     "bindings": [{"source": "plant", "node_id": "ns=2;s=SAT", "point": {"ref": "ahu/sat"}}],
... })
>>> from graphtwin.telemetry.discovery import DiscoveredAddress
>>> sat = DiscoveredAddress({"node_id": "ns=2;s=SAT"}, name="SAT")
>>> rat = DiscoveredAddress({"node_id": "ns=2;s=RAT"}, name="RAT")
>>> points = [PointInfo("urn:sat", "SAT", timeseries_id="ahu/sat"), PointInfo("urn:rat", "RAT")]
>>> addresses, left = unbound(spec, "plant", [sat, rat], points)
>>> [a.name for a in addresses], [p.twin_id for p in left]
(['RAT'], ['urn:rat'])
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from graphtwin.telemetry.bindings import Binding, BindingsFile
from graphtwin.telemetry.discovery import DiscoveredAddress
from graphtwin.telemetry.suggest.match import PointInfo


def unbound(
    spec: BindingsFile,
    source_id: str,
    addresses: Sequence[DiscoveredAddress],
    points: Sequence[PointInfo],
) -> tuple[list[DiscoveredAddress], list[PointInfo]]:
    """The addresses of `source_id` and the points that no binding of `spec` names yet."""
    twin_ids = {b.point.twin_id for b in spec.bindings if b.point.twin_id}
    refs = {b.point.ref for b in spec.bindings if b.point.ref}
    taken = {b.source_address for b in spec.bindings_of(source_id)}
    return (
        [a for a in addresses if _source_address(source_id, a) not in taken],
        [p for p in points if p.twin_id not in twin_ids and p.timeseries_id not in refs],
    )


def _source_address(source_id: str, address: DiscoveredAddress) -> str | None:
    """The key a binding of this address would report readings under (None: not bindable)."""
    try:
        binding = Binding.model_validate(
            {**address.binding_fields, "source": source_id, "point": {"twin_id": "-"}}
        )
    except ValidationError:
        return None
    return binding.source_address
