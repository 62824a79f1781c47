"""The small Brick office whose points carry `ref:BACnetReference`s (tests/data/brick), loaded
into the twin for the tests that serve those objects from a BACnet device."""

from __future__ import annotations

from pathlib import Path

from graphtwin.store import TwinStore
from importers import IMPORTERS

OFFICE = Path(__file__).parent.parent / "data" / "brick" / "bacnet_office.ttl"


def load_office(store: TwinStore) -> dict[str, str]:
    """Import the office; its referenced points, twin_id -> BACnet object identifier
    (`analog-value,5`), at least 20 of them."""
    twin = IMPORTERS["brick"].parse(OFFICE)
    store.load([twin])
    referenced = {
        n.twin_id: str(n.properties["bacnet_object_identifier"])
        for n in twin.nodes.values()
        if "bacnet_object_identifier" in n.properties
    }
    assert len(referenced) >= 20
    return referenced
