"""The changes made to the twin, as audit records naming who made them.

The CLI and the API both record through `ChangeAudit`, so a change reads the same in the log
whichever door it came through. The entry point makes the change (one Neo4j transaction) and
then records it: a change that failed records nothing. `check()` beforehand refuses a change
that could not be recorded, so a broken or unwritable log stops it before anything is written.

Record kinds (the payloads are documented in docs/audit.md):

- `import`: the files of one import and, per file, its source id, format, sha256 and the counts
  of its report (created, updated, unchanged, removed and retired nodes; created, updated,
  unchanged, removed and deleted relationships), and whether it retired more than the
  mass-retirement guard allows because it was told to (`retire_guard_overridden`).
- `source_taken_over`: an import wrote to a source another format or file lineage owned, on
  purpose (`--take-over-source`); one record per source, after the import's record.
- `link`: a linking run (`graphtwin link`, and the re-link after a rejection).
- `link_rejected`: two entities a person says are not one thing.
- `reset`: the twin was emptied, with what it held just before.
- `apikey_created`, `apikey_revoked`: an API key (never its secret).
- `simulated`: a what-if run recorded (`graphtwin simulate`, the API's `simulate`): its run and
  scenario ids, variants, winner, the entities it links to and its trajectory file's sha256.
- `drift_labelled`: a person's verdict on a drift issue (`false_alarm` or `confirmed`), with
  the note saying why and who gave it (graphtwin.drift.labels).
- `drift_label_withdrawn`: a drift label withdrawn (`graphtwin drift withdraw`, the API's
  `withdrawDriftLabel`): the label with `withdrawn_at`, `withdrawn_by` and `withdrawn_note`.
- `drift_acknowledged`, `drift_assigned`, `drift_reconciliation_accepted`: a person acted on a
  drift issue (graphtwin.drift.triage; the flight deck's inbox): the issue, its status after,
  the assignee or the reconciliation, who, when and the note saying why.
- `action_accepted`: an action of a what-if run accepted (the API's `acceptAction`): the
  decision with its run, action, note, who, when and the outcome the run predicted for it.

Actors: `cli:<os user>` for the command line, `apikey:<key id>:<key name>` for the API (the
form POST /telemetry records its pushes with).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphtwin.audit.keys import AuditKeySource
from graphtwin.audit.log import AuditLog, AuditRecord
from graphtwin.config import Settings

IMPORT = "import"
LINK = "link"
LINK_REJECTED = "link_rejected"
RESET = "reset"
APIKEY_CREATED = "apikey_created"
APIKEY_REVOKED = "apikey_revoked"
SOURCE_TAKEN_OVER = "source_taken_over"
SIMULATED = "simulated"
DRIFT_LABELLED = "drift_labelled"
DRIFT_LABEL_WITHDRAWN = "drift_label_withdrawn"
DRIFT_ACKNOWLEDGED = "drift_acknowledged"
DRIFT_ASSIGNED = "drift_assigned"
DRIFT_RECONCILIATION_ACCEPTED = "drift_reconciliation_accepted"
ACTION_ACCEPTED = "action_accepted"
KINDS = (
    IMPORT,
    LINK,
    LINK_REJECTED,
    RESET,
    APIKEY_CREATED,
    APIKEY_REVOKED,
    SOURCE_TAKEN_OVER,
    SIMULATED,
    DRIFT_LABELLED,
    DRIFT_LABEL_WITHDRAWN,
    DRIFT_ACKNOWLEDGED,
    DRIFT_ASSIGNED,
    DRIFT_RECONCILIATION_ACCEPTED,
    ACTION_ACCEPTED,
)

REPORT_COUNTS = (
    "nodes_created",
    "nodes_updated",
    "nodes_unchanged",
    "nodes_removed",
    "nodes_retired",
    "rels_created",
    "rels_updated",
    "rels_unchanged",
    "rels_removed",
    "rels_deleted",
)
"""The counts of an import report (`graphtwin import --json`) that an audit record keeps."""


def os_user() -> str:
    """Who runs the process, as the OS names them (`uid-<n>` when the system has no name for
    it, as in a container started with an arbitrary uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


def cli_actor() -> str:
    """`cli:<os user>`: who runs the command line."""
    return f"cli:{os_user()}"


def api_key_actor(key_id: str, name: str) -> str:
    """`apikey:<key id>:<key name>`: the caller of the API (names need not be unique; ids are)."""
    return f"apikey:{key_id}:{name}"


@dataclass(frozen=True, slots=True)
class ChangeAudit:
    """Records the changes one actor makes, in one audit log (with a MAC on each record when
    it has a key)."""

    path: Path
    actor: str
    key: AuditKeySource | None = None

    @classmethod
    def for_cli(cls, settings: Settings) -> ChangeAudit:
        """The twin's audit log (`Settings.audit_log_path`), as the user running the CLI."""
        return cls.for_actor(settings, cli_actor())

    @classmethod
    def for_actor(cls, settings: Settings, actor: str) -> ChangeAudit:
        """The twin's audit log with its MAC key (`Settings.audit_key_path`), as `actor`."""
        return cls(settings.audit_log_path, actor, AuditKeySource.of(settings))

    def check(self) -> None:
        """Raise AuditLogError (AuditKeyError) now if a record could not be appended later."""
        with AuditLog(self.path, key=self.key) as log:
            log.check()

    def imported(self, reports: Sequence[Mapping[str, Any]]) -> AuditRecord:
        """One import (all its files, one transaction), from the reports' JSON form, then one
        `source_taken_over` record for each source the import took over."""
        files = [_import_file(report) for report in reports]
        last = reports[-1] if reports else {}
        payload = {
            "files": files,
            "sources": [f["source_id"] for f in files],
            "totals": {key: sum(f[key] for f in files) for key in REPORT_COUNTS},
            "selector_rels_created": int(last.get("selector_rels_created", 0)),
            "selector_rels_deleted": int(last.get("selector_rels_deleted", 0)),
            "retire_guard_overridden": any(f["retire_guard_overridden"] for f in files),
        }
        record = self._append(IMPORT, payload)
        for report in reports:
            taken = report.get("source_taken_over")
            if taken:
                self._append(
                    SOURCE_TAKEN_OVER,
                    {
                        "source_id": report["source_id"],
                        "file": report["file"],
                        "sha256": report["sha256"],
                        **taken,
                    },
                )
        return record

    def linked(
        self, report: Mapping[str, Any], *, entities: int, links: int, candidates: int
    ) -> AuditRecord:
        """A linking run: how many entities it compared, the links and review candidates it
        left, and what its load (the link source's SAME_AS edges) changed."""
        payload = {
            "source_id": report["source_id"],
            "sha256": report["sha256"],
            "entities": entities,
            "links": links,
            "candidates": candidates,
            **{key: int(report[key]) for key in REPORT_COUNTS if key.startswith("rels_")},
        }
        return self._append(LINK, payload)

    def link_rejected(self, a: str, b: str, *, reason: str | None, new: bool) -> AuditRecord:
        """A person's decision that a and b are not one thing (`new`: not recorded before)."""
        return self._append(LINK_REJECTED, {"a": a, "b": b, "reason": reason, "new": new})

    def reset(
        self, *, nodes: int, relationships: int, sources: Sequence[str], retired: int
    ) -> AuditRecord:
        """The twin was emptied; what it held just before."""
        payload = {
            "nodes": nodes,
            "relationships": relationships,
            "sources": list(sources),
            "retired": retired,
        }
        return self._append(RESET, payload)

    def apikey_created(self, key_id: str, name: str, role: str) -> AuditRecord:
        return self._append(APIKEY_CREATED, {"key_id": key_id, "name": name, "role": role})

    def apikey_revoked(self, key_id: str) -> AuditRecord:
        return self._append(APIKEY_REVOKED, {"key_id": key_id})

    def simulated(
        self,
        *,
        run_id: str,
        scenario_id: str,
        name: str,
        variants: Sequence[str],
        best: str | None,
        affected: Sequence[str],
        trajectories: str,
        trajectories_sha256: str,
    ) -> AuditRecord:
        """A what-if run recorded in the graph: which scenario, the variants it compared and
        the best of them, the entities it links to (`SIMULATES`), and its trajectory file with
        a sha256 that proves the file is the one the run wrote. The live twin itself is not
        changed by a run; this records that it ran and what it wrote."""
        payload = {
            "run_id": run_id,
            "scenario_id": scenario_id,
            "scenario": name,
            "variants": list(variants),
            "best": best,
            "affected": sorted(affected),
            "trajectories": trajectories,
            "trajectories_sha256": trajectories_sha256,
        }
        return self._append(SIMULATED, payload)

    def drift_labelled(self, label: Mapping[str, Any]) -> AuditRecord:
        """A person's verdict on a drift issue: the label as the twin keeps it (its id, the
        issue, the finding key, the verdict, the note, who and when)."""
        return self._append(DRIFT_LABELLED, dict(label))

    def drift_label_withdrawn(self, label: Mapping[str, Any]) -> AuditRecord:
        """A drift label withdrawn: the label as the twin keeps it now (as `drift_labelled`,
        plus who withdrew it, when and why)."""
        return self._append(DRIFT_LABEL_WITHDRAWN, dict(label))

    def drift_acknowledged(self, done: Mapping[str, Any]) -> AuditRecord:
        """A person is on a drift issue: `issue_id`, `status`, `by`, `at`, `note`."""
        return self._append(DRIFT_ACKNOWLEDGED, dict(done))

    def drift_assigned(self, done: Mapping[str, Any]) -> AuditRecord:
        """A drift issue given to a person: as `drift_acknowledged`, plus `person` and
        `person_name`."""
        return self._append(DRIFT_ASSIGNED, dict(done))

    def drift_reconciliation_accepted(self, done: Mapping[str, Any]) -> AuditRecord:
        """A drift issue's proposed reconciliation applied: as `drift_acknowledged`, plus
        `proposal` (what it did)."""
        return self._append(DRIFT_RECONCILIATION_ACCEPTED, dict(done))

    def action_accepted(self, decision: Mapping[str, Any]) -> AuditRecord:
        """An action of a what-if run accepted: the decision as the twin keeps it (its id, the
        run, the action, the note, who and when, the predicted outcome)."""
        return self._append(ACTION_ACCEPTED, dict(decision))

    def _append(self, kind: str, payload: dict[str, Any]) -> AuditRecord:
        with AuditLog(self.path, key=self.key) as log:
            return log.append(kind, payload, actor=self.actor)


def _import_file(report: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "source_id": report["source_id"],
        "format": report["format"],
        "file": report["file"],
        "sha256": report["sha256"],
        **{key: int(report[key]) for key in REPORT_COUNTS},
        "warnings": len(report.get("warnings") or []),
        "retire_guard_overridden": bool(report.get("retire_guard_overridden")),
    }
