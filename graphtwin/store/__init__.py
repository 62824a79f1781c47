"""The Neo4j store: connection, schema migrations, loading twin graphs and reading them back."""

from graphtwin.store.connection import Neo4jTarget, open_driver, resolve_target
from graphtwin.store.report import LoadReport
from graphtwin.store.twin_store import TwinStore

__all__ = ["LoadReport", "Neo4jTarget", "TwinStore", "open_driver", "resolve_target"]
