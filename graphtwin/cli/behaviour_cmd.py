"""`graphtwin behaviour detect`: faults found from how points behave (docs/behaviour.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_json
from graphtwin.errors import InputError

if TYPE_CHECKING:
    from graphtwin.behaviour.scorer import Scorer

app = typer.Typer(
    help="Behaviour-based drift: stuck, offset, noisy or swapped sensors, points that behave "
    "unlike their label or parent, equipment that changed (docs/behaviour.md).",
    no_args_is_help=True,
)


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{option} {text!r} is not an ISO 8601 time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


SCORER_DIR = "behaviour-scorer"


def _scorer(given: Path | None, default: Path) -> Scorer | None:
    """The scorer in `given` (which must hold one), else the one in `default` if trained."""
    from graphtwin.behaviour.scorer import MANIFEST_FILE, Scorer

    if given is not None:
        return Scorer.load(given)
    return Scorer.load(default) if (default / MANIFEST_FILE).is_file() else None


@app.command("detect")
@guarded
def detect_cmd(
    root: Annotated[
        str | None,
        typer.Option(
            "--root", help="Only the points under this twin_id (default: all).", show_default=False
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Start of the window judged (ISO 8601; default: a day before --to).",
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", help="End of the window judged (ISO 8601; default: now).", show_default=False
        ),
    ] = None,
    history_days: Annotated[
        float, typer.Option("--history-days", help="Days before --from that teach what is normal.")
    ] = 14.0,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history", help="The history store (default: TELEMETRY_DIR/history).", file_okay=False
        ),
    ] = None,
    scorer_dir: Annotated[
        Path | None,
        typer.Option(
            "--scorer",
            help="A trained behaviour scorer (default: MODELS_DIR/behaviour-scorer; without "
            "one, the calibrated thresholds).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report; record nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Detect behaviour faults in the window and record them as `behaviour` drift issues."""
    from graphtwin.audit import AuditKeySource, AuditLog
    from graphtwin.behaviour.workflow import run_detection
    from graphtwin.config import load_settings
    from graphtwin.store import TwinStore
    from graphtwin.telemetry.history import open_history

    to = _moment(end, "--to") or datetime.now(UTC)
    since = _moment(start, "--from") or to - timedelta(days=1)
    if history_days <= 0:
        raise InputError(f"--history-days must be positive, not {history_days}")
    settings = load_settings()
    scorer = _scorer(scorer_dir, settings.models_root / SCORER_DIR)
    audit = None if dry_run else AuditLog(settings.audit_log_path, key=AuditKeySource.of(settings))
    with TwinStore.open(settings) as store:
        result = run_detection(store, open_history(settings, history), start=since, end=to,
                               root=root, history_days=history_days, dry_run=dry_run,
                               audit=audit, scorer=scorer)  # fmt: skip
    recorded = result.recorded
    if as_json:
        print_json(
            {
                "points": result.points,
                "with_history": result.with_history,
                "from": since.isoformat(),
                "to": to.isoformat(),
                "findings": [
                    {"twin_id": f.twin_id, "rule": f.rule, "severity": str(f.severity),
                     "cause": f.evidence.get("cause"), "description": f.description,
                     "evidence": f.evidence}
                    for f in result.findings
                ],
                "opened": recorded.opened if recorded else 0,
                "resolved": recorded.resolved if recorded else 0,
                "kept": recorded.kept if recorded else 0,
                "dry_run": dry_run,
                "judged_by": result.judged_by,
            }
        )  # fmt: skip
        return
    window = f"from {since.isoformat()} to {to.isoformat()}"
    out.print(f"judged by the {result.judged_by}", markup=False)
    out.print(f"{result.points} point(s), {result.with_history} with history; "
              f"{len(result.findings)} finding(s) {window}")  # fmt: skip
    for f in result.findings:
        out.print(f"  [{f.evidence.get('cause')}] {f.rule} {f.twin_id}: {f.description}",
                  markup=False)  # fmt: skip
    if recorded is not None:
        out.print(f"issues: {recorded.opened} opened, {recorded.resolved} resolved, "
                  f"{recorded.kept} kept")  # fmt: skip
