"""The GraphQL schema: the twin's nodes, their hierarchy, flow, points, identity and lineage.

Types read plain records (`graphtwin.api.records`); each field says how it gets its value
(`graphtwin.api.fields`). `docs/schema.graphql` is this schema printed (`graphtwin schema
graphql`); a test fails when it is stale.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from graphql import GraphQLObjectType
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig

from graphtwin.api import audit_fetchers as audit
from graphtwin.api import constraint_fetchers as reasoning
from graphtwin.api import decision_fetchers as decisions
from graphtwin.api import fetchers as fetch
from graphtwin.api import inbox_fetchers as inbox
from graphtwin.api import prediction_fetchers as prediction
from graphtwin.api import simulation_fetchers as simulation
from graphtwin.api import telemetry_fetchers as telemetry
from graphtwin.api import timeline_fetchers as timeline
from graphtwin.api.audit_types import AuditChainStatus, AuditLogPage
from graphtwin.api.constraint_types import CapacityCheck, EffectiveConstraint, Violation
from graphtwin.api.decision_types import Decision
from graphtwin.api.execution import TwinSchema
from graphtwin.api.fields import FETCHER, PERMISSION, WORK, batched, record_value
from graphtwin.api.inbox_types import InboxItem
from graphtwin.api.limits import (
    CLUSTER,
    LINEAGE,
    NODE_REASONING,
    SEARCH,
    STATEMENT,
    SUBTREE_REASONING,
    WALK,
)
from graphtwin.api.mutations import MUTATION_PERMISSIONS, Mutation
from graphtwin.api.prediction_types import Forecast
from graphtwin.api.roles import Permission
from graphtwin.api.scalars import SCALARS, DateTime
from graphtwin.api.simulation_types import SimulationRun
from graphtwin.api.telemetry_types import DataSource, DriftIssue, HistoryValue, PointThresholds
from graphtwin.api.timeline_types import TwinDiff
from graphtwin.vocabulary import vocabulary

DEFAULT_PAGE = 100
DEFAULT_DEPTH = 10

AsOf = Annotated[
    DateTime | None,
    strawberry.argument(
        description="Answer as the twin stood at this time (ISO 8601; UTC without an offset): the "
        "nodes and relationships that existed then, their properties and lineage, points' "
        "values from the history. Fields that only answer for the present (drift, "
        "constraints, forecasts, simulation) are an error under it."
    ),
]

Relation = strawberry.enum(
    Enum("Relation", {name: name for name in vocabulary().relationship_types}),  # type: ignore[misc]
    description="A relationship type of the twin vocabulary (ontologies/twin.yaml).",
)


@strawberry.type(description="Where a page ends and whether another follows.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")


@strawberry.type(description="The identifiers a node has in the standards it came from.")
class Origin:
    uri: str | None = strawberry.field(description="RDF IRI (Brick, RealEstateCore).")
    brick_class: str | None
    ifc_guid: str | None = strawberry.field(description="IFC GlobalId.")
    ifc_class: str | None
    isa95_id: str | None
    isa95_level: str | None


@strawberry.type(description="A point's live value: what, in which unit, when, from where.")
class CurrentValue:
    value: float | None = strawberry.field(description="The value, when it is a number.")
    text: str | None = strawberry.field(description="The value as text (any type).")
    unit: str | None
    timestamp: DateTime | None = strawberry.field(description="Source time of the value.")
    quality: str | None
    source: str | None = strawberry.field(description="The data source that sent it.")
    health: str = strawberry.field(description="ok, stale, fault or unknown (no value yet).")


@strawberry.type(description="When an entity left the live twin, and which import retired it.")
class Retirement:
    at: DateTime | None = strawberry.field(description="When it was retired.")
    by: str | None = strawberry.field(
        description="The source whose import stopped defining it (its source_id)."
    )


@strawberry.type(description="A relationship of a node to another, with who asserts it.")
class Relationship:
    type: str
    direction: str = strawberry.field(description="OUT (this node -> other) or IN.")
    other: Node
    sources: list[str] = strawberry.field(description="Sources that assert it.")
    selector: str | None = strawberry.field(
        description="The governance node whose selector derived it (no source asserts it)."
    )
    confidence: float | None = strawberry.field(description="SAME_AS links: how sure.")
    method: str | None = strawberry.field(description="SAME_AS links: how it was found.")
    properties: JSON


@strawberry.type(description="A source's assertion of a node: which file, which keys.")
class SourceAssertion:
    source_id: str
    format: str | None
    file_name: str | None
    sha256: str | None
    imported_at: DateTime | None = strawberry.field(description="Its latest import.")
    keys: list[str] = strawberry.field(description="The properties it asserts.")
    first_asserted_at: DateTime | None


@strawberry.type(description="An import of a source that changed the node, and what it changed.")
class ImportRun:
    source_id: str
    at: DateTime
    keys: list[str]


@strawberry.type(description="Who set a property's current value, and when.")
class PropertyAttribution:
    key: str
    value: JSON
    source_id: str | None = strawberry.field(
        description="The import source whose latest assertion set it."
    )
    data_source: str | None = strawberry.field(
        description="For live values: the data source that sent it."
    )
    changed_at: DateTime | None
    asserted_by: list[str] = strawberry.field(description="Every source that asserts it.")


@strawberry.type(description="Something that happened to a node after it was imported.")
class AuditEvent:
    at: DateTime | None
    type: str = strawberry.field(description="retired or value.")
    source_id: str | None
    detail: str


@strawberry.type(description="Where a node and each of its values came from (auditors).")
class NodeLineage:
    sources: list[SourceAssertion]
    import_runs: list[ImportRun]
    properties: list[PropertyAttribution]
    events: list[AuditEvent]


@strawberry.type(description="A page of nodes.")
class NodePage:
    items: list[Node]
    page_info: PageInfo


@strawberry.type(description="An imported file: a Brick model, an IFC model, a twin file...")
class Source:
    source_id: str
    format: str | None
    file_name: str | None
    sha256: str | None
    imported_at: DateTime | None

    @batched(fetch.assertions, description="The live nodes it asserts, a page at a time.")
    def assertions(self, first: int = DEFAULT_PAGE, after: str | None = None) -> NodePage:
        """Declared here, loaded by the fetcher."""


@strawberry.type(
    description="A twin entity: site, building, floor, space, equipment, point, system, "
    "person, procedure, regulation, constraint..."
)
class Node:
    twin_id: strawberry.ID
    kind: str | None
    name: str | None
    brick_class: str | None
    labels: list[str]
    retired: Retirement | None = strawberry.field(
        description="Null for a live node. For a retired one (no source defines it any more; "
        "asked for with `includeRetired`): its newest retirement. Its `properties` are the last "
        "ones it had; it has no relationships any more."
    )
    current: CurrentValue | None = strawberry.field(
        description="Points only: the live value with unit, time, quality and health."
    )

    @batched(fetch.properties, description="Every property, as stored (values as JSON).")
    def properties(self) -> JSON:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.property_value, description="One property's value (null when absent).")
    def property(self, key: str) -> JSON | None:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.origins, description="Its identifiers in the standards it came from.")
    def origin(self) -> Origin:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.children, description="One step down the hierarchy (default: CONTAINS, "
             "HAS_PART, HAS_POINT, and what is LOCATED_IN it), or along `types`.")  # fmt: skip
    def children(
        self,
        types: list[Relation] | None = None,
        kinds: list[str] | None = None,
        first: int = DEFAULT_PAGE,
    ) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.parents_of, description="One step up the hierarchy, or against `types`.")
    def parents(self, types: list[Relation] | None = None, first: int = DEFAULT_PAGE) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.parent, description="The first of `parents` (the usual single parent).")
    def parent(self, types: list[Relation] | None = None) -> Node | None:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.ancestors, description="Every node above, nearest first, up to `maxDepth`.",
             work=WALK)  # fmt: skip
    def ancestors(
        self,
        types: list[Relation] | None = None,
        max_depth: int = DEFAULT_DEPTH,
        first: int = DEFAULT_PAGE,
    ) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.descendants, description="Every node below, nearest first, up to `maxDepth`, "
             "optionally only of `kinds` (the walk still passes through the others).",
             work=WALK)  # fmt: skip
    def descendants(
        self,
        types: list[Relation] | None = None,
        kinds: list[str] | None = None,
        max_depth: int = DEFAULT_DEPTH,
        first: int = DEFAULT_PAGE,
    ) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.points, description="Its points (HAS_POINT), with their live values.")
    def points(self, first: int = DEFAULT_PAGE) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.downstream, description="What it feeds, transitively (FEEDS), nearest "
             "first.", work=WALK)  # fmt: skip
    def downstream(self, max_depth: int = DEFAULT_DEPTH, first: int = DEFAULT_PAGE) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.upstream, description="What feeds it, transitively (FEEDS), nearest "
             "first.", work=WALK)  # fmt: skip
    def upstream(self, max_depth: int = DEFAULT_DEPTH, first: int = DEFAULT_PAGE) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.same_as, description="The same thing in other sources (its SAME_AS "
             "cluster).", work=CLUSTER)  # fmt: skip
    def same_as(self) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.relationships, description="Its relationships, both directions.")
    def relationships(self, types: list[Relation] | None = None) -> list[Relationship]:
        """Declared here, loaded by the fetcher."""

    @batched(reasoning.node_constraints, description="The constraints it must satisfy: its own, "
             "inherited down CONTAINS/SERVES and from regulations, combined, each with its "
             "because chain; conflicts reported.", work=NODE_REASONING)  # fmt: skip
    def effective_constraints(self) -> list[EffectiveConstraint]:
        """Declared here, loaded by the fetcher."""

    @batched(telemetry.history, description="Its past values (points), oldest first: the last "
             "`first` between `start` (inclusive) and `end` (exclusive).")  # fmt: skip
    def history(
        self, start: DateTime | None = None, end: DateTime | None = None, first: int = DEFAULT_PAGE
    ) -> list[HistoryValue]:
        """Declared here, loaded by the fetcher."""

    @batched(telemetry.thresholds, description="Points: the threshold bands its values are "
             "judged by (its sync rule's), null when none applies.")  # fmt: skip
    def thresholds(self) -> PointThresholds | None:
        """Declared here, loaded by the fetcher."""

    @batched(telemetry.node_drift_issues, description="Drift issues concerning it, newest first "
             "(only some `statuses`: open, investigating, auto_corrected, resolved).")  # fmt: skip
    def drift_issues(
        self, statuses: list[str] | None = None, first: int = DEFAULT_PAGE
    ) -> list[DriftIssue]:
        """Declared here, loaded by the fetcher."""

    @batched(prediction.forecast, description="Its forecast (points; null for other nodes) "
             "from `horizon` ahead in steps of `step` (e.g. 24h, 15m, PT6H): mean with 80% "
             "and 95% intervals, the model, its training window and backtest MASE, or a status "
             "saying the history is too short.", work=prediction.FORECAST)  # fmt: skip
    def forecast(self, horizon: str = "24h", step: str = "15m") -> Forecast | None:
        """Declared here, loaded by the fetcher."""

    @batched(simulation.single_points_of_failure, description="The single points of failure "
             "of the supply network under it (FEEDS, SERVES, HAS_PART; ask a building for the "
             "whole building's): each unit whose failure alone cuts supply to other nodes, "
             "the one that cuts most first.", work=SUBTREE_REASONING)  # fmt: skip
    def single_points_of_failure(self) -> list[SinglePointOfFailure]:
        """Declared here, loaded by the fetcher."""

    @batched(
        fetch.lineage,
        description="Sources, import runs, per-property attribution, events (auditor role).",
        permission=Permission.AUDIT,
        work=LINEAGE,
    )
    def lineage(self) -> NodeLineage | None:
        """Declared here, loaded by the fetcher."""


@strawberry.type(
    description="Equipment (with its parts) whose failure alone cuts supply: no redundant "
    "feed goes around it."
)
class SinglePointOfFailure:
    node: Node = strawberry.field(description="The unit's whole (a HAS_PART group's top).")
    members: list[strawberry.ID] = strawberry.field(description="The whole and its parts.")
    dominates: list[Node] = strawberry.field(
        description="What loses supply entirely if it fails (its own members excluded)."
    )


@strawberry.type(description="The caller, as its API key says.")
class Caller:
    key_id: str
    name: str
    role: str


@strawberry.type
class Query:
    @batched(fetch.node_by_id, description="A node by its twin_id; with `includeRetired`, "
             "a retired entity too (see `Node.retired`). With `asOf`, the node as the twin "
             "stood then, and everything under it too (see docs/history.md).")  # fmt: skip
    def node(
        self, twin_id: strawberry.ID, include_retired: bool = False, as_of: AsOf = None
    ) -> Node | None:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.nodes_by_ids, description="Nodes by twin_id (unknown ids are left out); "
             "with `includeRetired`, retired entities too; with `asOf`, as they were "
             "then.")  # fmt: skip
    def nodes_by_id(
        self, twin_ids: list[strawberry.ID], include_retired: bool = False, as_of: AsOf = None
    ) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.node_page, description="Live nodes in twin_id order, filtered, a page at a "
             "time (`after`: the previous page's endCursor). `brickClass` matches the class "
             "and its Brick subclasses (Rooftop_Unit is an Air_Handling_Unit), `exact` only "
             "the class itself; `source` keeps what that import source defines; `asOf`: "
             "the nodes that existed then, as they were.")  # fmt: skip
    def nodes(
        self,
        kind: str | None = None,
        brick_class: str | None = None,
        exact: bool = False,
        ifc_class: str | None = None,
        isa95_level: str | None = None,
        name_contains: str | None = None,
        source: str | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
        as_of: AsOf = None,
    ) -> NodePage:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.search, description="Nodes whose name or twin_id has words starting with "
             "those of `text`, best match first; with `includeRetired`, retired entities "
             "too.", work=SEARCH)  # fmt: skip
    def search(
        self, text: str, kind: str | None = None, first: int = 20, include_retired: bool = False
    ) -> list[Node]:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.source_by_id, description="An imported source.", permission=Permission.AUDIT)
    def source(self, source_id: str) -> Source | None:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.sources, description="Imported sources.", permission=Permission.AUDIT)
    def sources(
        self, source_ids: list[str] | None = None, first: int = DEFAULT_PAGE
    ) -> list[Source]:
        """Declared here, loaded by the fetcher."""

    @batched(reasoning.effective_constraints, description="Node.effectiveConstraints by id.",
             work=NODE_REASONING)  # fmt: skip
    def effective_constraints(self, twin_id: strawberry.ID) -> list[EffectiveConstraint]:
        """Declared here, loaded by the fetcher."""

    @batched(reasoning.violations, description="Every current value in the subtree of `scope` "
             "that breaks an effective constraint, and every broken capacity.",
             work=SUBTREE_REASONING)  # fmt: skip
    def violations(self, scope: strawberry.ID) -> list[Violation]:
        """Declared here, loaded by the fetcher."""

    @batched(reasoning.capacity_checks, description="Capacity constraints in the subtree of "
             "`scope`: each parent's limit against its children's demand.",
             work=SUBTREE_REASONING)  # fmt: skip
    def capacity_checks(self, scope: strawberry.ID) -> list[CapacityCheck]:
        """Declared here, loaded by the fetcher."""

    @batched(telemetry.drift_issues, description="Drift issues, newest first, optionally only "
             "some statuses and types, or those of one entity.")  # fmt: skip
    def drift_issues(
        self,
        statuses: list[str] | None = None,
        types: list[str] | None = None,
        twin_id: strawberry.ID | None = None,
        first: int = DEFAULT_PAGE,
    ) -> list[DriftIssue]:
        """Declared here, loaded by the fetcher."""

    @batched(inbox.inbox, description="What needs attention in the subtree of `scope` (the "
             "whole twin when null), ranked by impact x urgency: open drift issues of every "
             "type (predicted crossings among them), constraint violations and what-if runs' "
             "findings, each with its because chain and evidence.",
             work=SUBTREE_REASONING)  # fmt: skip
    def inbox(
        self, scope: strawberry.ID | None = None, first: int = DEFAULT_PAGE
    ) -> list[InboxItem]:
        """Declared here, loaded by the fetcher."""

    @batched(telemetry.data_sources, description="Live data sources and their health.")
    def data_sources(self) -> list[DataSource]:
        """Declared here, loaded by the fetcher."""

    @batched(simulation.simulation_run, description="A recorded what-if run (`simulate`, "
             "`graphtwin simulate`) by its id.")  # fmt: skip
    def simulation_run(
        self, run_id: Annotated[strawberry.ID, strawberry.argument(name="id")]
    ) -> SimulationRun | None:
        """Declared here, loaded by the fetcher."""

    @batched(simulation.simulation_runs, description="The latest recorded what-if runs, "
             "newest first.")  # fmt: skip
    def simulation_runs(self, first: int = 20) -> list[SimulationRun]:
        """Declared here, loaded by the fetcher."""

    @batched(timeline.twin_diff, description="What changed in the twin between `from` and "
             "`to` (both within its history): nodes and relationships added, removed and "
             "changed, with the changed properties' old and new values and the sources and "
             "import runs that made each change; with `root`, only below it; with `values`, "
             "also the points whose value differs (from the value history), each with the "
             "data source that wrote it. As `graphtwin diff twin`.",
             work=SUBTREE_REASONING)  # fmt: skip
    def twin_diff(
        self,
        from_: Annotated[DateTime, strawberry.argument(name="from")],
        to: DateTime,
        root_id: Annotated[strawberry.ID | None, strawberry.argument(name="root")] = None,
        values: bool = False,
    ) -> TwinDiff:
        """Declared here, loaded by the fetcher."""

    @batched(fetch.caller, description="Who is asking (the API key's name and role).")
    def me(self) -> Caller:
        """Declared here, loaded by the fetcher."""

    @batched(decisions.decisions, description="Accepted actions of what-if runs (the decision "
             "log), newest first, each with the outcome its run predicted and the outcome "
             "observed since (`acceptAction`).")  # fmt: skip
    def decisions(
        self,
        first: int = DEFAULT_PAGE,
        run_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the decisions on this run's actions."),
        ] = None,
    ) -> list[Decision]:
        """Declared here, loaded by the fetcher."""

    @batched(audit.audit_log, description="The twin's audit log, newest first, a page at a "
             "time (`before`: the previous page's nextBefore), only `kinds` and `actor` when "
             "given (auditor role).", permission=Permission.AUDIT)  # fmt: skip
    def audit_log(
        self,
        first: int = DEFAULT_PAGE,
        before: int | None = None,
        kinds: list[str] | None = None,
        actor: str | None = None,
    ) -> AuditLogPage:
        """Declared here, loaded by the fetcher."""

    @batched(audit.audit_chain, description="Whether the audit log's hash chain and MACs "
             "verify, as `graphtwin audit verify` checks them (auditor role).",
             permission=Permission.AUDIT)  # fmt: skip
    def audit_chain(self) -> AuditChainStatus:
        """Declared here, loaded by the fetcher."""


def build_schema() -> TwinSchema:
    """The executable schema, with the permission each guarded field needs and the work of
    each costly one."""
    schema = TwinSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(default_resolver=record_value, scalar_map=SCALARS),
        field_permissions=dict(MUTATION_PERMISSIONS),
    )
    for type_ in schema._schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            resolver = definition.base_resolver if definition else None
            needed = getattr(resolver.wrapped_func, PERMISSION, None) if resolver else None
            if needed is not None:
                schema.field_permissions[(type_.name, name)] = needed
            if resolver is not None and getattr(resolver.wrapped_func, FETCHER, None):
                work = getattr(resolver.wrapped_func, WORK, None)
                schema.field_work[(type_.name, name)] = work or STATEMENT
    return schema
