"""What one import did to the graph."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from graphtwin.twin_diff import TwinDiff


@dataclass(slots=True)
class LoadReport:
    """Counts are from the point of view of the importing source.

    created: the entity did not exist; updated: it existed and this source's assertion of it is
    new or different; unchanged: this source asserted exactly the same before; removed: this
    source asserted it before and no longer does; retired (nodes): removed nodes that no source
    defines any more, which leave the live twin and stay as (:Retired) history; deleted
    (relationships): removed relationships nobody asserts any more, and those of retired nodes.
    selector_rels: relationships that selectors (governance constraints, procedures) made or
    dropped after the import, over the whole twin; counted on the last report of an import.
    """

    source_id: str
    format: str
    file: str
    sha256: str
    dry_run: bool = False
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    nodes_removed: int = 0
    nodes_retired: int = 0
    rels_created: int = 0
    rels_updated: int = 0
    rels_unchanged: int = 0
    rels_removed: int = 0
    rels_deleted: int = 0
    selector_rels_created: int = 0
    selector_rels_deleted: int = 0
    warnings: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    diff: TwinDiff | None = None
    """Which entities and relationships changed, when the caller asked for it."""
    retire_guard_overridden: bool = False
    """The import retired more than the guard allows, because it was told to (--allow-retire)."""
    source_taken_over: dict[str, object] | None = None
    """The format and lineage that owned the source before this import took it over."""
    run_id: str = ""
    """The import run (one per import command, one transaction): named by every version of the
    twin this import made (docs/history.md)."""

    @property
    def changed(self) -> bool:
        return any(
            (
                self.nodes_created,
                self.nodes_updated,
                self.nodes_removed,
                self.rels_created,
                self.rels_updated,
                self.rels_removed,
            )
        )

    def to_json(self) -> dict[str, object]:
        payload = asdict(self)
        payload["diff"] = self.diff.to_json() if self.diff is not None else None
        return payload
