"""The store: one object that owns the driver and offers what the rest of graphtwin needs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import neo4j
from neo4j.exceptions import TransientError

from graphtwin.config import Settings, load_settings
from graphtwin.errors import TransactionTooLargeError
from graphtwin.model import TwinGraph
from graphtwin.store import asof, migrations
from graphtwin.store import statement_runner as runner
from graphtwin.store.connection import Neo4jTarget, open_driver, resolve_target
from graphtwin.store.import_guards import ImportPolicy
from graphtwin.store.lineage import NodeLineage, read_lineage
from graphtwin.store.loader import GraphLoader, Progress
from graphtwin.store.reader import ExportedTwin, read_twin, scope_ids, subtree
from graphtwin.store.report import LoadReport
from graphtwin.store.selectors import SelectorReport, resolve_selectors
from graphtwin.store.timeline_diff import TimelineDiff, diff_between
from graphtwin.store.versions import Stamp, close_nodes, new_run_id, read_node_states

log = logging.getLogger(__name__)

_ATTEMPTS = 3  # deadlocks with concurrent writers are transient; the whole import is retried
_OUT_OF_TRANSACTION_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


@dataclass(frozen=True, slots=True)
class GraphCounts:
    nodes_by_kind: dict[str, int]
    relationships_by_type: dict[str, int]
    sources: list[dict[str, Any]]
    retired: int = 0
    """Entities no source defines any more, kept as history."""

    @property
    def nodes(self) -> int:
        return sum(self.nodes_by_kind.values())

    @property
    def relationships(self) -> int:
        return sum(self.relationships_by_type.values())


class TwinStore:
    """The twin in Neo4j. Use `TwinStore.open()`; close it (or use `with`) when done."""

    def __init__(
        self,
        driver: neo4j.Driver,
        *,
        database: str = "neo4j",
        batch_size: int = 10_000,
        target: Neo4jTarget | None = None,
        import_policy: ImportPolicy | None = None,
    ) -> None:
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.target = target
        self.import_policy = import_policy or ImportPolicy()
        """The retirement limits imports run under (the callers' flags are added per load)."""

    @classmethod
    def open(cls, settings: Settings | None = None, *, migrate: bool = True) -> TwinStore:
        """Connect to the configured server and bring its schema up to date."""
        settings = settings or load_settings()
        target = resolve_target(settings)
        store = cls(
            open_driver(target),
            database=target.database,
            batch_size=settings.batch_size,
            target=target,
            import_policy=ImportPolicy(
                max_retire_share=settings.import_max_retire_share,
                retire_always_allowed=settings.import_retire_always_allowed,
            ),
        )
        if migrate:
            try:
                store.migrate()
            except BaseException:
                store.close()
                raise
        return store

    @classmethod
    def migrate_schema(cls, settings: Settings | None = None) -> None:
        """Bring the configured server's schema up to date, for code that then talks to it some
        other way (the API's async driver, `graphtwin apikey`)."""
        cls.open(settings).close()

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> TwinStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------

    def migrate(self) -> list[migrations.Migration]:
        applied = migrations.migrate(self.driver, self.database)
        for m in applied:
            log.info("applied migration %04d_%s", m.version, m.name)
        return applied

    def applied_migrations(self) -> list[migrations.AppliedMigration]:
        return migrations.applied_migrations(self.driver, self.database)

    def pending_migrations(self) -> list[migrations.Migration]:
        return migrations.pending_migrations(self.driver, self.database)

    def constraints(self) -> list[dict[str, Any]]:
        return self.read("schema/constraints")

    def indexes(self) -> list[dict[str, Any]]:
        return self.read("schema/indexes")

    # --- twin -----------------------------------------------------------------------------

    def load(
        self,
        graphs: Sequence[TwinGraph],
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        diff: bool = False,
        allow_retire: bool = False,
        take_over_source: bool = False,
        run_id: str | None = None,
    ) -> list[LoadReport]:
        """Load graphs in one transaction: all of them are written, or none.

        With `dry_run` the reports say what would change and the transaction is rolled back;
        with `diff` each report lists the entities and relationships that changed. A load that
        would retire more of a source than `import_policy` allows is refused
        (MassRetirementError) unless `allow_retire`; one that writes to a source another format
        or file lineage owns is refused (SourceOwnershipError) unless `take_over_source`.
        Every version of the twin the load makes names `run_id` (default: a new
        `import-<UTC time>-<8 hex>`), which each report carries.
        """
        run_id = run_id or new_run_id("import")
        policy = replace(
            self.import_policy, allow_retire=allow_retire, take_over_source=take_over_source
        )
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return self._load_once(
                    graphs,
                    dry_run=dry_run,
                    progress=progress,
                    diff=diff,
                    policy=policy,
                    run_id=run_id,
                )
            except TransientError as exc:
                if exc.code == _OUT_OF_TRANSACTION_MEMORY:
                    # Retrying the same transaction would fail the same way.
                    raise TransactionTooLargeError(
                        "the import needs more transaction memory than Neo4j allows (one "
                        "import is one transaction; Neo4j caps it at 70% of the heap by "
                        "default): give the local server more heap with GRAPHTWIN_NEO4J_HEAP, "
                        "raise db.memory.transaction.total.max on your server, or import the "
                        f"files in smaller parts. Neo4j said: {exc.message}"
                    ) from exc
                if attempt == _ATTEMPTS or not exc.is_retryable():
                    raise
                log.warning("transient Neo4j error during import; retrying (%d)", attempt)
        raise AssertionError("unreachable")

    def _load_once(
        self,
        graphs: Sequence[TwinGraph],
        *,
        dry_run: bool,
        progress: Progress | None,
        diff: bool,
        policy: ImportPolicy,
        run_id: str,
    ) -> list[LoadReport]:
        with self.session() as session:
            tx = session.begin_transaction()
            try:
                now = datetime.now(UTC)
                loader = GraphLoader(
                    tx,
                    now=now,
                    batch_size=self.batch_size,
                    progress=progress,
                    collect_diff=diff,
                    policy=policy,
                    run_id=run_id,
                )
                reports = [loader.load(graph, dry_run=dry_run) for graph in graphs]
                _note_selectors(resolve_selectors(tx, now=now, run=run_id), graphs, reports)
            except BaseException:
                tx.rollback()
                raise
            if dry_run:
                tx.rollback()
            else:
                tx.commit()
            return reports

    def export(self, *, root: str | None = None, source: str | None = None) -> ExportedTwin:
        """The twin, or the part of it `scope` selects, as a graph."""
        with self.session(read=True) as session:
            return read_twin(session, root=root, source=source, batch_size=self.batch_size)

    def scope(self, *, root: str | None = None, source: str | None = None) -> set[str] | None:
        """The twin_ids below `root` (itself included), or defined by the import `source`, or
        both at once; None for the whole twin. TwinNotFoundError / UnknownSourceError when the
        root / the source does not exist."""
        with self.session(read=True) as session:
            return scope_ids(session, root=root, source=source)

    def nodes(
        self,
        *,
        kind: str | None = None,
        brick_classes: list[str] | None = None,
        root: str | None = None,
        source: str | None = None,
    ) -> list[dict[str, Any]]:
        """Live nodes (twin_id, kind, name, brick_class) in twin_id order: of `kind`, of one of
        `brick_classes`, in the part of the twin `scope` selects (None: any)."""
        ids = self.scope(root=root, source=source)
        return self.read(
            "read/nodes_list",
            kind=kind,
            brick_classes=brick_classes,
            ids=None if ids is None else sorted(ids),
        )

    def subtree(self, root: str) -> set[str]:
        """`root` and everything below it in the containment tree (TwinNotFoundError if none)."""
        with self.session(read=True) as session:
            return subtree(session, root)

    def exists(self, twin_id: str) -> bool:
        return bool(self.read("read/twin_exists", twin_id=twin_id)[0]["found"])

    def lineage(self, twin_id: str) -> NodeLineage:
        """Every property of a node with the source that set it and when."""
        with self.session(read=True) as session:
            return read_lineage(session, twin_id)

    def defined_by(self, source_id: str, property_key: str) -> dict[Any, int]:
        """How many nodes `source_id` defines, per value of one of their properties."""
        records = self.read("read/source_node_values", source_id=source_id, property=property_key)
        return {r["value"]: r["count"] for r in records}

    def retired(self, twin_id: str) -> list[dict[str, Any]]:
        """The history of a twin_id that left the live twin: last properties, when, by whom."""
        return self.read("read/retired_node", twin_id=twin_id)

    def counts(self) -> GraphCounts:
        nodes = {r["kind"]: r["count"] for r in self.read("read/node_counts")}
        rels = {r["type"]: r["count"] for r in self.read("read/relationship_counts")}
        [retired] = self.read("read/retired_count")
        return GraphCounts(nodes, rels, self.read("read/sources"), retired["retired"])

    # --- the twin as it was (docs/history.md) ---------------------------------------------

    def check_as_of(self, at: datetime) -> datetime:
        """`at` in UTC when the twin's history covers it, else AsOfError naming the range."""
        with self.session(read=True) as session:
            return asof.check_as_of(session, at)

    def lineage_at(
        self,
        twin_id: str,
        at: datetime,
        *,
        values: tuple[datetime, float, str, str] | None = None,
    ) -> NodeLineage:
        """`lineage` as it stood at `at` (checked against the history); `values`: the point's
        value then (`HistoryStore.values_at`), shown as telemetry's live keys."""
        with self.session(read=True) as session:
            at = asof.check_as_of(session, at)
            return asof.lineage_at(session, twin_id, at, values=values)

    def export_at(
        self, at: datetime, *, root: str | None = None, source: str | None = None
    ) -> ExportedTwin:
        """`export` as it stood at `at` (checked against the history)."""
        with self.session(read=True) as session:
            at = asof.check_as_of(session, at)
            return asof.read_twin_at(
                session, at, root=root, source=source, batch_size=self.batch_size
            )

    def points_at(self, at: datetime, *, root: str | None = None) -> list[str]:
        """The twin_ids of the points the twin held at `at` (below `root`, as it stood then)."""
        with self.session(read=True) as session:
            among = None if root is None else asof.subtree_at(session, root, at)
            return asof.points_at(session, at, among)

    def diff_between(
        self, from_: datetime, to: datetime, *, root: str | None = None
    ) -> TimelineDiff:
        """What changed in the twin between two times of its history (timeline_diff)."""
        with self.session(read=True) as session:
            history = asof.history_range(session)
            from_ = asof.check_as_of(session, from_, history=history)
            to = asof.check_as_of(session, to, history=history)
            return diff_between(session, from_, to, root=root, batch_size=self.batch_size)

    def version_counts(self) -> dict[str, int]:
        """How many closed node, relationship and source versions the history holds."""
        [counts] = self.read("versions/counts")
        return counts

    def node_versions(self, twin_id: str) -> list[dict[str, Any]]:
        """The closed versions of one twin_id, oldest first (docs/history.md), each with its
        `props` and `assertions` JSON text as stored."""
        return [r["version"] for r in self.read("versions/node_versions", twin_id=twin_id)]

    def reset(self) -> None:
        """Delete all twin nodes and sources; the schema and its migrations stay."""
        with self.session() as session:
            runner.run(session, "admin/reset")

    def write_versioned(
        self, statement: str, twin_ids: Sequence[str], *, actor: str, **params: Any
    ) -> list[dict[str, Any]]:
        """Run a write statement that changes the twin nodes `twin_ids` outside an import, in
        one transaction with their closed versions (docs/history.md): their state is kept first,
        then the statement runs with `$now`, `$source` (= `actor`) and `$run` (a new
        `<actor>-<UTC time>-<8 hex>`) and stamps the nodes' new version with them.

        Example: ``store.write_versioned("ml/plant_mislabel", [tid], actor="demo", twin_id=tid,
        brick_class="Supply_Air_Temperature_Sensor")``
        """
        now = datetime.now(UTC)
        stamp = Stamp(now, actor, new_run_id(actor, now))
        with (
            self.session() as session,
            session.begin_transaction() as tx,
        ):
            eids = [r["node_eid"] for r in runner.rows(tx, "load/nodes_lookup", ids=twin_ids)]
            close_nodes(tx, read_node_states(tx, eids).values(), stamp)
            result = runner.rows(tx, statement, now=now, source=actor, run=stamp.run, **params)
            records = [r.data() for r in result]
            tx.commit()
        return records

    def session(self, *, read: bool = False) -> neo4j.Session:
        """A session on the twin's database: a read one (a cluster routes it to a follower or
        read replica) or a write one (to the leader). Every session and `read`/`write` of the
        store shares the driver's bookmarks (`execute_query_bookmark_manager`), so a read sees
        the store's earlier writes, even on a follower (causal consistency)."""
        return self.driver.session(
            database=self.database,
            default_access_mode=neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        )

    def read(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read statement of the Cypher catalogue (by name) with `params`."""
        records = runner.query(
            self.driver, statement, database_=self.database, read_=True, **params
        )
        return [r.data() for r in records]

    def write(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        """Run a write statement of the Cypher catalogue (by name), in its own transaction."""
        records = runner.query(self.driver, statement, database_=self.database, **params)
        return [r.data() for r in records]


def _note_selectors(
    resolved: SelectorReport, graphs: Sequence[TwinGraph], reports: list[LoadReport]
) -> None:
    """Selector counts go on the last report (they are the outcome of the whole import); a
    selector that matches nothing is a warning on the report of the source that defines it."""
    reports[-1].selector_rels_created = resolved.created
    reports[-1].selector_rels_deleted = resolved.deleted
    for twin_id in resolved.empty:
        for graph, report in zip(graphs, reports, strict=True):
            if twin_id in graph.nodes:
                report.warnings.append(f"the selector of {twin_id} matches nothing in the twin")
