"""BACnet/IP on bacpypes3: the connector (connector.py), discovery of a device's objects
(discovery.py) and the pure parts they share: references (reference.py), the quality of a
value (quality.py) and the batching of ReadPropertyMultiple requests (batches.py).

Nothing here is imported until a bindings file names a `bacnet` source: bacpypes3 takes about
a second to import."""
