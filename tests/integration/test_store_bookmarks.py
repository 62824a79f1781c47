"""The store's transactions say whether they read or write, and share the driver's bookmarks, so a
Neo4j cluster behind a `neo4j://` URI routes reads to followers that have seen the store's
writes (docs/scale.md)."""

from __future__ import annotations

import pytest
from neo4j.exceptions import ClientError

from graphtwin.model import SourceInfo, TwinGraph, TwinNode
from graphtwin.statements import cypher
from graphtwin.store import TwinStore

pytestmark = pytest.mark.neo4j


def a_site() -> TwinGraph:
    graph = TwinGraph(SourceInfo("twin:bookmarks.yaml", "twin", "bookmarks.yaml", "b" * 64))
    graph.add_node(TwinNode("bm-site", "Site", "Bookmarked site", {}))
    return graph


def test_an_import_leaves_its_bookmark_where_the_stores_later_reads_wait_for_it(store: TwinStore):
    bookmarks = store.driver.execute_query_bookmark_manager
    before = set(bookmarks.get_bookmarks())

    store.load([a_site()])

    assert set(bookmarks.get_bookmarks()) - before  # the import's own bookmark
    assert store.exists("bm-site")


def test_a_read_session_of_the_store_refuses_to_write(store: TwinStore):
    store.load([a_site()])

    with store.session(read=True) as session, pytest.raises(ClientError, match=r"(?i)read"):
        session.run(cypher("admin/reset")).consume()

    assert store.exists("bm-site")
