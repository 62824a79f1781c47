"""What callers may change: import a model file (importer role), push point values (operator).

Imports run the same contract as `graphtwin import` (parse everything, load in one
transaction, idempotent) in a worker thread, so the server keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path, PurePath
from typing import Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from graphtwin.api.context import ApiContext
from graphtwin.api.fetchers import BadArgumentError
from graphtwin.api.roles import Permission
from graphtwin.audit import ChangeAudit, api_key_actor
from graphtwin.config import Settings
from graphtwin.errors import InputError, SourceLocation
from graphtwin.store import TwinStore
from importers import IMPORTERS

ImportFormat = strawberry.enum(
    Enum("ImportFormat", {name.upper(): name for name in IMPORTERS}),  # type: ignore[misc]
    description="A model format graphtwin imports (as `graphtwin import FORMAT`).",
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


@strawberry.input(description="One live value of a point.")
class PointValueInput:
    twin_id: strawberry.ID
    value: float
    at: str | None = strawberry.field(
        default=None, description="ISO 8601 source time with offset (default: now)."
    )
    quality: str = "good"


@strawberry.type(description="What happened to pushed point values.")
class RecordedValues:
    applied: int = strawberry.field(description="Values now current on their point.")
    older: int = strawberry.field(description="Ignored: older than the point's current value.")
    unknown_points: list[strawberry.ID] = strawberry.field(description="No such point.")


class UploadRejectedError(InputError):
    """An uploaded model is invalid (nothing was written); names the file, line and entity."""


def _import_file(
    settings: Settings, audit: ChangeAudit, format_name: str, path: Path, source_id: str | None
) -> dict[str, Any]:
    """Parse, load in one transaction, then record the import in the twin's audit log (the
    same record `graphtwin import` writes; an import the log could not take is refused)."""
    importer = IMPORTERS[format_name]
    graph = importer.parse(path, source_id=source_id)
    audit.check()
    with TwinStore.open(settings, migrate=False) as store:
        [report] = store.load([graph], diff=True)
    report.file = path.name
    report.warnings[:0] = graph.warnings
    payload = report.to_json()
    audit.imported([payload])
    return payload


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
    ) -> ImportResult:
        context: ApiContext = info.context
        name = PurePath(getattr(file, "filename", None) or "").name
        if not name:
            raise BadArgumentError("the uploaded file needs a file name")
        content = await file.read()  # type: ignore[attr-defined]
        with tempfile.TemporaryDirectory(prefix="graphtwin-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            settings = context.services.settings
            audit = ChangeAudit(settings.audit_log_path, _caller(context))
            try:
                report = await asyncio.to_thread(
                    _import_file, settings, audit, format.value, path, source_id
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

    @strawberry.mutation(description="Make values current on their points (operator role).")
    async def record_point_values(
        self, info: strawberry.Info, values: list[PointValueInput]
    ) -> RecordedValues:
        context: ApiContext = info.context
        now = datetime.now(UTC).isoformat()
        rows = []
        for v in values:
            if not math.isfinite(v.value):
                raise BadArgumentError(f"{v.twin_id}: {v.value} is not a finite number")
            at = _timestamp(v.at) if v.at else now
            source = f"api:{context.principal.name}" if context.principal else "api"
            rows.append({"twin_id": str(v.twin_id), "value": v.value, "at": at,
                         "quality": v.quality, "source": source})  # fmt: skip
        written = await context.write("api/point_values_set", rows=rows)
        found = {r["twin_id"]: r["applied"] for r in written}
        return RecordedValues(
            applied=sum(1 for a in found.values() if a),
            older=sum(1 for a in found.values() if not a),
            unknown_points=[strawberry.ID(r["twin_id"]) for r in rows if r["twin_id"] not in found],
        )


def _timestamp(text: str) -> str:
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadArgumentError(f"{text!r} is not an ISO 8601 time") from exc
    if at.tzinfo is None:
        raise BadArgumentError(f"{text!r} has no UTC offset")
    return at.isoformat()


MUTATION_PERMISSIONS = {
    ("Mutation", "importModel"): Permission.IMPORT,
    ("Mutation", "recordPointValues"): Permission.WRITE_VALUES,
}
