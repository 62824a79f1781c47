"""`graphtwin tree`: the containment hierarchy at a glance."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

import typer
from rich.tree import Tree

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out
from graphtwin.cli.scope_options import AsOf, Root, Source
from graphtwin.model import TwinGraph, TwinNode
from graphtwin.store import TwinStore
from graphtwin.store.reader import ExportedTwin
from graphtwin.vocabulary import vocabulary


@guarded
def tree(
    root: Root = None,
    source: Source = None,
    depth: Annotated[int, typer.Option("--depth", min=1, help="Levels to show.")] = 6,
    as_of: AsOf = None,
) -> None:
    """Print the twin's containment tree (CONTAINS, HAS_PART, HAS_POINT, LOCATED_IN), or with
    --as-of the tree as it was then."""
    with TwinStore.open() as store:
        graph = exported(store, root=root, source=source, as_of=as_of).graph
    for top in hierarchy_roots(graph, root):
        out.print(render_tree(graph, top, depth))
    if not graph.nodes:
        out.print("the twin is empty")


def exported(
    store: TwinStore, *, root: str | None, source: str | None, as_of: str | None
) -> ExportedTwin:
    """The twin (or the part root and source pick) now, or as it was at `as_of` (ISO 8601)."""
    if as_of is None:
        return store.export(root=root, source=source)
    from graphtwin.store.asof import parse_time

    return store.export_at(parse_time(as_of, field="--as-of"), root=root, source=source)


def _children(graph: TwinGraph) -> dict[str, list[str]]:
    vocab = vocabulary()
    down, up = set(vocab.hierarchy_types("down")), set(vocab.hierarchy_types("up"))
    children: dict[str, list[str]] = defaultdict(list)
    for rel in graph.iter_relationships():
        if rel.type in down:
            children[rel.start].append(rel.end)
        elif rel.type in up:
            children[rel.end].append(rel.start)
    return children


def hierarchy_roots(graph: TwinGraph, root: str | None) -> list[str]:
    """Where the tree starts: the root, or (no root, or one the source does not define) every
    node of the graph without a parent in it."""
    if root is not None and root in graph.nodes:
        return [root]
    has_parent = {c for cs in _children(graph).values() for c in cs}
    return sorted(t for t in graph.nodes if t not in has_parent)


def render_tree(graph: TwinGraph, top: str, depth: int) -> Tree:
    children = _children(graph)

    def label(node: TwinNode) -> str:
        cls = node.properties.get("brick_class") or node.properties.get("ifc_class")
        extra = f" [dim]{cls}[/]" if cls else ""
        return f"[bold]{node.name}[/] [cyan]{node.kind}[/]{extra} [dim]({node.twin_id})[/]"

    def grow(branch: Tree, twin_id: str, level: int, seen: set[str]) -> None:
        for child in sorted(set(children.get(twin_id, ()))):
            if child in seen or child not in graph.nodes:
                continue
            sub = branch.add(label(graph.nodes[child]))
            if level < depth:
                grow(sub, child, level + 1, seen | {child})

    tree_view = Tree(label(graph.nodes[top]))
    grow(tree_view, top, 1, {top})
    return tree_view
