"""Live telemetry: connectors (OPC UA, Modbus TCP, replay, HTTP push) feed one ingest pipeline
that validates, coalesces and writes current values onto point nodes, appends them to the
history store, detects threshold and staleness drift and writes the audit log."""
