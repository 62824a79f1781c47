"""What callers may change: import a model file (importer role), push point values, run what-if
scenarios, label drift issues and withdraw those labels (operator).

Imports run the same contract as `graphtwin import` (parse everything, load in one
transaction, idempotent) in a worker thread, so the server keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import tempfile
from enum import Enum
from functools import partial
from pathlib import Path, PurePath
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from pydantic import ValidationError
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from graphtwin.api import decision_fetchers as decisions
from graphtwin.api import inbox_mutations as inbox
from graphtwin.api import simulation_fetchers as simulation
from graphtwin.api.context import ApiContext
from graphtwin.api.decision_types import Decision
from graphtwin.api.fetchers import BadArgumentError
from graphtwin.api.records import plain
from graphtwin.api.roles import Permission
from graphtwin.api.simulation_types import ScenarioInput, SimulationRun, scenario_data
from graphtwin.api.telemetry_types import DriftIssue, DriftIssueLabel
from graphtwin.audit import ChangeAudit, api_key_actor
from graphtwin.config import Settings
from graphtwin.drift.labels import Verdict, label_issue, withdraw_label
from graphtwin.errors import GraphAwayError, InputError, SourceLocation
from graphtwin.imports import ImportFile, import_files, parse_files
from graphtwin.store import TwinStore
from graphtwin.telemetry.http_ingest import TelemetryPush
from importers import IMPORTERS

ImportFormat = strawberry.enum(
    Enum("ImportFormat", {name.upper(): name for name in IMPORTERS}),  # type: ignore[misc]
    description="A model format graphtwin imports (as `graphtwin import FORMAT`).",
)


DriftVerdict = strawberry.enum(
    Verdict,
    name="DriftVerdict",
    description="A person's verdict on a drift issue: a false alarm (the twin is right) or "
    "confirmed (a real defect).",
)


@strawberry.type(description="What an import changed (as `graphtwin import --json` reports).")
class ImportResult:
    format: str
    file: str
    source_id: str
    sha256: str
    nodes_created: int
    nodes_updated: int
    nodes_unchanged: int
    nodes_retired: int
    rels_created: int
    rels_updated: int
    rels_unchanged: int
    rels_removed: int
    warnings: list[str]
    report: JSON = strawberry.field(description="The whole report, diff included.")


@strawberry.input(description="One live value of a point (as a reading of POST /telemetry).")
class PointValueInput:
    twin_id: strawberry.ID
    value: float
    at: str | None = strawberry.field(
        default=None,
        description="ISO 8601 source time with offset (default: now); at most the pipeline's "
        "clock skew ahead of the server's clock.",
    )
    quality: str = strawberry.field(default="good", description="good, uncertain or bad.")


@strawberry.type(description="What the ingest pipeline did with pushed point values.")
class RecordedValues:
    applied: int = strawberry.field(description="Values now current on their point.")
    backfilled: int = strawberry.field(
        description="Values older than their point's current value: in its history only."
    )
    unchanged: int = strawberry.field(description="Within their point's deadband: no update.")
    written: bool = strawberry.field(description="Whether the graph took the batch.")
    older: int = strawberry.field(
        description="The number of backfilled values.", deprecation_reason="Use backfilled."
    )


class UploadRejectedError(InputError):
    """An uploaded model is invalid (nothing was written); names the file, line and entity."""


def _import_file(
    settings: Settings,
    audit: ChangeAudit,
    format_name: str,
    path: Path,
    source_id: str | None,
    *,
    allow_retire: bool = False,
    take_over_source: bool = False,
) -> dict[str, Any]:
    """`importModel` through `graphtwin.imports`, as `graphtwin import` runs: parsed before
    Neo4j is opened, loaded in one transaction, recorded in the twin's audit log (the same
    record; an import the log could not take is refused), and named as it was uploaded.
    `allow_retire` and `take_over_source` lift the store's guards, as the CLI's flags do."""
    file = ImportFile(IMPORTERS[format_name], path, name=path.name)
    parsed = parse_files([file], settings=settings, source_id=source_id)
    with TwinStore.open(settings, migrate=False) as store:
        done = import_files(
            store, parsed, audit=audit, allow_retire=allow_retire, take_over_source=take_over_source
        )
    return done.reports[0].to_json()


UPLOAD_CHUNK_BYTES = 1024 * 1024


async def _save(upload: Upload, path: Path) -> None:
    """Copies an upload (which the multipart parser spooled to disk) to `path` a chunk at a
    time: a model of any allowed size never sits in memory whole."""
    with path.open("wb") as out:
        while chunk := await upload.read(UPLOAD_CHUNK_BYTES):  # type: ignore[attr-defined]
            await asyncio.to_thread(out.write, chunk)


def _caller(context: ApiContext) -> str:
    """The audit actor of a request (every mutation has a caller: the executor sees to it)."""
    principal = context.principal
    return api_key_actor(principal.key_id, principal.name) if principal else "api"


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Import a model file (multipart upload; importer role).")
    async def import_model(
        self,
        info: strawberry.Info,
        format: ImportFormat,  # type: ignore[valid-type]
        file: Upload,
        source_id: str | None = None,
        allow_retire: Annotated[
            bool,
            strawberry.argument(
                description="Let the import retire more of its source's entities than the "
                "server's share allows (GRAPHTWIN_IMPORT_MAX_RETIRE_SHARE); audited."
            ),
        ] = False,
        take_over_source: Annotated[
            bool,
            strawberry.argument(
                description="Write to a source another format or file lineage owns, replacing "
                "what it asserts (admin keys only); audited."
            ),
        ] = False,
    ) -> ImportResult:
        context: ApiContext = info.context
        principal = context.principal
        if take_over_source and not (principal and principal.may(Permission.TAKE_OVER_SOURCE)):
            if context.response is not None:
                context.response.status_code = 403
            role = principal.role.value if principal else "none"
            raise GraphQLError(
                f"role {role!r} may not take over a source (takeOverSource): only an admin key "
                "may; nothing was imported",
                extensions={"code": "FORBIDDEN"},
            )
        name = PurePath(getattr(file, "filename", None) or "").name
        if not name:
            raise BadArgumentError("the uploaded file needs a file name")
        with tempfile.TemporaryDirectory(prefix="graphtwin-upload-") as folder:
            path = Path(folder) / name
            await _save(file, path)
            settings = context.services.settings
            audit = ChangeAudit.for_actor(settings, _caller(context))
            try:
                report = await asyncio.to_thread(
                    partial(
                        _import_file,
                        allow_retire=allow_retire,
                        take_over_source=take_over_source,
                    ),
                    settings,
                    audit,
                    format.value,
                    path,
                    source_id,
                )
            except InputError as exc:
                # Name the file as the caller knows it, not the server's temporary copy.
                where = SourceLocation(name, exc.line) if exc.location else None
                raise UploadRejectedError(exc.reason, location=where, entity=exc.entity) from exc
        return ImportResult(
            format=str(report["format"]),
            file=name,
            source_id=str(report["source_id"]),
            sha256=str(report["sha256"]),
            nodes_created=int(report["nodes_created"]),
            nodes_updated=int(report["nodes_updated"]),
            nodes_unchanged=int(report["nodes_unchanged"]),
            nodes_retired=int(report["nodes_retired"]),
            rels_created=int(report["rels_created"]),
            rels_updated=int(report["rels_updated"]),
            rels_unchanged=int(report["rels_unchanged"]),
            rels_removed=int(report["rels_removed"]),
            warnings=[str(w) for w in report["warnings"]],
            report=report,
        )

    @strawberry.mutation(
        description="Push point values through the ingest pipeline, as POST /telemetry does: "
        "validated, current or backfilled into the history, drift checked, audited. All or "
        "nothing: a value the pipeline would refuse is an error naming it (operator role)."
    )
    async def record_point_values(
        self,
        info: strawberry.Info,
        values: list[PointValueInput],
        source: Annotated[
            str | None,
            strawberry.argument(
                description="The http source (default: the only one the server has)."
            ),
        ] = None,
    ) -> RecordedValues:
        context: ApiContext = info.context
        sync = context.services.telemetry
        if sync is None:
            raise BadArgumentError("this server runs no telemetry pipeline")
        try:
            push = TelemetryPush.model_validate(
                {
                    "source": source or sync.http.default_source(),
                    "readings": [
                        {"point": str(v.twin_id), "value": v.value, "at": v.at,
                         "quality": v.quality}
                        for v in values
                    ],
                }
            )  # fmt: skip
        except ValidationError as exc:
            raise InvalidPointValuesError(exc) from exc
        graph = context.services.graph  # Neo4j away: no waiting beyond api_neo4j_wait_s
        result = await sync.http.push(push, _caller(context), all_or_nothing=True, graph=graph)
        try:
            await sync.http.flush(graph)
            written = True
        except GraphAwayError:
            written = False  # taken: in the pipeline's buffer until Neo4j answers again
        return RecordedValues(
            applied=result["current"],
            backfilled=result["backfilled"],
            unchanged=result["unchanged"],
            written=written,
            older=result["backfilled"],
        )

    @strawberry.mutation(
        description="Run a what-if scenario on an overlay of the live twin (never the twin "
        "itself): inaction and each action, compared and ranked; recorded as a SimulationRun "
        "with its lineage and audited (operator role). A bad scenario is an error naming the "
        "field, and nothing is written."
    )
    async def simulate(self, info: strawberry.Info, scenario: ScenarioInput) -> SimulationRun:
        context: ApiContext = info.context
        return await simulation.simulate(  # type: ignore[return-value]
            context, scenario_data(scenario), _caller(context)
        )

    @strawberry.mutation(
        description="Accept an action of a recorded what-if run (decide role: operator, "
        "admin): records a Decision linked to the run with the outcome the run predicted for "
        "the action, who, when and the note saying why; audited (`action_accepted`). An "
        "unknown run or action, an empty note or an action accepted before is an error naming "
        "it, and nothing is written."
    )
    async def accept_action(
        self, info: strawberry.Info, run_id: strawberry.ID, action: str, note: str
    ) -> Decision:
        context: ApiContext = info.context
        return await decisions.accept(  # type: ignore[return-value]
            context, str(run_id), action, note, _caller(context)
        )

    @strawberry.mutation(
        description="Judge a drift issue (operator role): FALSE_ALARM resolves it with the note "
        "as its reason and keeps its finding from being reopened by later detection runs; "
        "CONFIRMED keeps it open until its condition clears. Either teaches the next training "
        "(`graphtwin ml train`). The caller's key is who gave it; audited. One label in force per "
        "issue: an unknown or already labelled issue is an error naming it, and nothing is written."
    )
    async def label_drift_issue(
        self, info: strawberry.Info, issue_id: strawberry.ID, verdict: DriftVerdict, note: str
    ) -> DriftIssue:
        context: ApiContext = info.context
        settings = context.services.settings
        audit = ChangeAudit.for_actor(settings, _caller(context))
        issue = await asyncio.to_thread(
            _label_drift_issue, settings, audit, str(issue_id), Verdict(verdict), note
        )
        return issue  # type: ignore[return-value]

    acknowledge_drift_issue: DriftIssue = inbox.acknowledge
    assign_drift_issue: DriftIssue = inbox.assign
    accept_reconciliation: DriftIssue = inbox.accept

    @strawberry.mutation(
        description="Withdraw a drift label given by mistake (operator role), with a note: it "
        "is kept, marked withdrawn, but no longer suppresses its finding nor teaches training; "
        "the next detection run reopens the finding if it still finds it, and the issue can be "
        "labelled again. The caller's key is who withdrew it; audited. An unknown or already "
        "withdrawn label is an error naming it, and nothing is written."
    )
    async def withdraw_drift_label(
        self, info: strawberry.Info, label_id: strawberry.ID, note: str
    ) -> DriftIssueLabel:
        context: ApiContext = info.context
        audit = ChangeAudit.for_actor(context.services.settings, _caller(context))
        label = await asyncio.to_thread(
            _withdraw_drift_label, context.services.settings, audit, str(label_id), note
        )
        return label  # type: ignore[return-value]


def _withdraw_drift_label(
    settings: Settings, audit: ChangeAudit, label_id: str, note: str
) -> dict[str, Any]:
    """Withdraw the label as `graphtwin drift withdraw` does (by: the caller)."""
    with TwinStore.open(settings, migrate=False) as store:
        return withdraw_label(store, label_id, note, by=audit.actor, audit=audit).to_json()


def _label_drift_issue(
    settings: Settings, audit: ChangeAudit, issue_id: str, verdict: Verdict, note: str
) -> dict[str, Any]:
    """Label the issue as `graphtwin drift dismiss|confirm` does (by: the caller), and read it
    back with its label."""
    with TwinStore.open(settings, migrate=False) as store:
        label_issue(store, issue_id, verdict, note, by=audit.actor, audit=audit)
        [row] = store.read("drift/issue_by_id", issue_id=issue_id)
    return plain(row["issue"])


class InvalidPointValuesError(InputError):
    """recordPointValues was given values that break the push's rules (too many, a quality
    that is not good|uncertain|bad, a time without an offset); names the first few."""

    def __init__(self, exc: ValidationError) -> None:
        problems = "; ".join(f"{_input_path(e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        super().__init__(f"invalid point values, nothing recorded: {problems}")


def _input_path(loc: tuple[int | str, ...]) -> str:
    """A push model's error location as the mutation's arguments name it (values[3].at)."""
    names = {"readings": "values", "point": "twinId"}
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{names.get(part, part)}"
    return path.lstrip(".")


MUTATION_PERMISSIONS = {
    ("Mutation", "importModel"): Permission.IMPORT,
    ("Mutation", "recordPointValues"): Permission.WRITE_VALUES,
    ("Mutation", "simulate"): Permission.SIMULATE,
    ("Mutation", "acceptAction"): Permission.DECIDE,
    ("Mutation", "labelDriftIssue"): Permission.LABEL_DRIFT,
    ("Mutation", "withdrawDriftLabel"): Permission.LABEL_DRIFT,
    ("Mutation", "acknowledgeDriftIssue"): Permission.LABEL_DRIFT,
    ("Mutation", "assignDriftIssue"): Permission.LABEL_DRIFT,
    ("Mutation", "acceptReconciliation"): Permission.LABEL_DRIFT,
}
