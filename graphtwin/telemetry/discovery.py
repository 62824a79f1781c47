"""What a protocol's discovery finds: one address a binding could name, with what describes it.

Each protocol discovers in its own way (an OPC UA server is browsed, a BACnet device is asked
for its object list, an MQTT broker is listened to for a while), and each hands the binding
suggester (`graphtwin bind --suggest`) the same thing: a `DiscoveredAddress`. The suggester
knows no protocol; it matches addresses to the twin's points by `reference` first (an exact,
protocol-given identity that a point's own properties can spell too), then by names and units.

>>> DiscoveredAddress(
...     {"object_type": "analog-input", "instance": 3},
...     name="AHU-2 SAT",
...     units="degrees-celsius",
...     reference="bacnet:1001:analog-input,3",
... ).binding_fields["instance"]
3
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DiscoveredAddress:
    """One address found on a source.

    `binding_fields`: the fields a binding of this address writes besides `source` and `point`
    (`{"node_id": "ns=2;s=AHU2.SAT"}`, `{"object_type": "analog-input", "instance": 3}`,
    `{"topic": "bldg/ahu2/sat", "field": "value"}`), exactly as the bindings file spells them.
    `name`: the name the source gives it (display name, object-name, topic or metric name).
    `reference`: an identity the protocol gives, in the form a point's properties would spell
    it, for an exact match (None when the protocol has none).
    """

    binding_fields: Mapping[str, object]
    name: str
    description: str = ""
    units: str | None = None
    reference: str | None = None
    path: tuple[str, ...] = field(default=())  # folders or topic levels above it, outermost first
