"""MQTT and Sparkplug B: the connector (connector.py), the decoders of plain topics (plain.py)
and of Sparkplug B (sparkplug.py), and discovery for `graphtwin bind --suggest` (discovery.py:
`discover_addresses(source, *, listen_s)`)."""
