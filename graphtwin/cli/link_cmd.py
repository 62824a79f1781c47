"""`graphtwin link`: one identity across Brick, IFC, ISA-95 and twin files (SAME_AS edges)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graphtwin.audit import AuditRecord, ChangeAudit
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_json
from graphtwin.config import load_settings
from graphtwin.identity.config import matching_config
from graphtwin.identity.evaluation import evaluate, load_truth
from graphtwin.identity.store import LinkRun, candidates, cluster, reject, run_linking
from graphtwin.store import TwinStore

app = typer.Typer(
    help="Find entities that are one thing across sources and link them with SAME_AS.",
    invoke_without_command=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.callback()
@guarded
def link(
    ctx: typer.Context,
    as_json: Json = False,
    auto: Annotated[
        float | None, typer.Option("--auto", help="Confidence for a SAME_AS edge (0.70).")
    ] = None,
    review: Annotated[
        float | None, typer.Option("--review", help="Confidence for a review candidate (0.45).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, write nothing.")] = False,
    truth: Annotated[
        Path | None,
        typer.Option("--truth", help="YAML of known clusters: print precision and recall."),
    ] = None,
) -> None:
    """Link the twin's entities (run again after imports; rejected pairs stay rejected)."""
    if ctx.invoked_subcommand is not None:
        return
    config = matching_config().with_thresholds(auto, review)
    settings = load_settings()
    audit = ChangeAudit.for_cli(settings)
    if not dry_run:
        audit.check()  # links the log could not record are refused before they are written
    with TwinStore.open(settings) as store:
        run = run_linking(store, config, dry_run=dry_run)
    if not dry_run:
        record_linking(audit, run)
    scores = evaluate(run.result.links, load_truth(truth)) if truth else None
    if as_json:
        print_json(
            {
                "entities": run.entities,
                "links": [k.to_json() for k in run.result.links],
                "candidates": [k.to_json() for k in run.result.candidates],
                "load": run.report.to_json(),
                "evaluation": scores.to_json() if scores else None,
            }
        )
        return
    table = Table("a", "b", "confidence", "method", "evidence", title="SAME_AS")
    for k in run.result.links:
        evidence = ", ".join(f"{n} {v:g}" for n, v in k.evidence.items())
        table.add_row(k.a, k.b, f"{k.confidence:.2f}", k.method, evidence)
    out.print(table)
    r = run.report
    out.print(
        f"{run.entities} entities compared; {len(run.result.links)} links "
        f"(+{r.rels_created} new, -{r.rels_removed} retracted), "
        f"{len(run.result.candidates)} review candidates (`graphtwin link candidates`)"
        + (" [dry run: nothing written]" if dry_run else "")
    )
    if scores:
        out.print(
            f"against {truth}: precision {scores.precision:.3f}, recall {scores.recall:.3f} "
            f"({scores.true_positives} of {scores.true_pairs} true pairs, "
            f"{len(scores.false_positives)} false)"
        )


def record_linking(audit: ChangeAudit, run: LinkRun) -> AuditRecord:
    """The audit record of a linking run that was written (also used by `graphtwin demo`)."""
    return audit.linked(
        run.report.to_json(),
        entities=run.entities,
        links=len(run.result.links),
        candidates=len(run.result.candidates),
    )


@app.command("candidates")
@guarded
def list_candidates(as_json: Json = False) -> None:
    """Pairs the last run found likely but not sure enough to link: for a person to decide."""
    with TwinStore.open() as store:
        found = candidates(store)
    if as_json:
        print_json(found)
        return
    table = Table("a", "b", "confidence", "evidence", title="Review candidates")
    for c in found:
        table.add_row(c["a"], c["b"], f"{c['confidence']:.2f}", ", ".join(c["evidence"] or []))
    out.print(table)


@app.command("reject")
@guarded
def reject_pair(
    a: Annotated[str, typer.Argument(help="twin_id of one entity.")],
    b: Annotated[str, typer.Argument(help="twin_id of the other.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why they differ.")] = None,
) -> None:
    """Record that two entities are not one thing, and re-link without them, for good."""
    settings = load_settings()
    audit = ChangeAudit.for_cli(settings)
    audit.check()
    with TwinStore.open(settings) as store:
        new = reject(store, a, b, reason=reason, by=getpass.getuser())
        audit.link_rejected(a, b, reason=reason, new=new)
        run = run_linking(store, matching_config())
    record_linking(audit, run)
    state = "rejected" if new else "already rejected"
    out.print(f"{a} / {b}: {state}; {len(run.result.links)} links now")


@app.command("cluster")
@guarded
def show_cluster(
    twin_id: Annotated[str, typer.Argument(help="Any member of the cluster.")],
    as_json: Json = False,
) -> None:
    """Every description of one thing: the entity and all it is SAME_AS, with their sources."""
    with TwinStore.open() as store:
        members = cluster(store, twin_id)
    if as_json:
        print_json(members)
        return
    table = Table("twin_id", "kind", "name", "sources", title=f"SAME_AS cluster of {twin_id}")
    for m in members:
        table.add_row(m["twin_id"], m["kind"], m["name"], ", ".join(m["sources"]))
    out.print(table)
