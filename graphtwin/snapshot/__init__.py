"""The twin's state as one document: its entities and relationships, how it is synced, what
drift it watches for and has found, how drift is reconciled, and how far to trust all of it
(`graphtwin snapshot`, docs/snapshot.md)."""

from graphtwin.snapshot.builder import build_snapshot
from graphtwin.snapshot.inputs import AuditState, SnapshotInputs
from graphtwin.snapshot.reader import read_snapshot

__all__ = ["AuditState", "SnapshotInputs", "build_snapshot", "read_snapshot"]
