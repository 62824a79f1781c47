"""Binding suggestions (`graphtwin bind --suggest`): discover what a source offers, match it to
the twin's points, write the likely bindings for a person to review.

- discover.py: each protocol's discovery by source type (OPC UA browse, BACnet object lists,
  MQTT listening), each returning `DiscoveredAddress`es (graphtwin/telemetry/discovery.py);
- points.py: the points to bind, from the graph (optionally one subtree);
- match.py: pure matching, by reference first, then names and units;
- write.py: the bindings file to review, and JSON.
"""
