"""`graphtwin ml train|evaluate|detect|export`: structural and semantic drift with graph neural
networks (PyTorch Geometric), for data scientists and operators."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, out, print_json
from graphtwin.cli.scope_options import Root, Source

app = typer.Typer(help="Graph neural networks for structural and semantic drift.")

Data = Annotated[
    list[Path],
    typer.Option(
        "--data",
        help="Brick models or twin files, or folders of them (one building per file).",
        show_default=False,
    ),
]
HoldOut = Annotated[
    list[str] | None,
    typer.Option("--hold-out", help="Building (file name without suffix) to keep out of training."),
]
Seed = Annotated[int, typer.Option(help="Random seed (same seed, same model on CPU).")]
Epochs = Annotated[int, typer.Option(help="Training epochs of each network.")]


def _config(seed: int, epochs: int):  # noqa: ANN202 - TrainConfig, imported lazily (torch)
    from graphtwin.ml.training import TrainConfig

    return TrainConfig(seed=seed, semantic_epochs=epochs, structural_epochs=epochs)


def _dataset(data: list[Path]):  # noqa: ANN202
    from graphtwin.ml.dataset import TwinDataset

    dataset = TwinDataset.from_paths(data)
    for note in dataset.skipped:
        err.print(f"[yellow]left out:[/] {escape(note)}")
    return dataset


@app.command()
@guarded
def train(
    data: Data,
    output: Annotated[Path, typer.Option("--out", "-o", help="Folder for the model.")],
    hold_out: HoldOut = None,
    seed: Seed = 7,
    epochs: Epochs = 200,
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            help="Drift labels from `graphtwin drift labels --json` (default: the twin's own, "
            "when a Neo4j is reachable).",
        ),
    ] = None,
    no_labels: Annotated[
        bool, typer.Option("--no-labels", help="Learn from no drift labels.")
    ] = False,
) -> None:
    """Train the semantic and structural networks and save them with a manifest. People's
    verdicts on drift findings (`graphtwin drift dismiss|confirm`) teach them too."""
    from graphtwin.ml.workflow import train_and_save

    if labels is not None and no_labels:
        raise typer.BadParameter("give --labels or --no-labels, not both", param_hint="--labels")
    given = [] if no_labels else _labels(labels)
    dataset = _dataset(data)
    manifest = train_and_save(dataset, output, _config(seed, epochs), hold_out or [], given)
    sources = ", ".join(s["building"] for s in manifest["training_sources"])
    out.print(f"model {manifest['model_id'][:16]} in {escape(str(output))}")
    out.print(f"trained on {escape(sources)} in {manifest['training_seconds']} s")
    used, unused = manifest["labels"]["used"], manifest["labels"]["unused"]
    if used or unused:
        out.print(f"labels: {len(used)} used, {len(unused)} not (manifest.json says why)")


def _labels(path: Path | None) -> list:  # list[DriftLabel], imported lazily
    """The labels in `path`, or the twin's when a Neo4j is reachable (none when not)."""
    from graphtwin.drift.labels import labels, read_labels_file
    from graphtwin.errors import StoreUnavailableError
    from graphtwin.store import TwinStore

    if path is not None:
        return read_labels_file(path)
    try:
        with TwinStore.open() as store:
            return labels(store)
    except StoreUnavailableError as exc:
        err.print(f"[yellow]no drift labels:[/] {escape(exc.message)}")
        return []


@app.command()
@guarded
def evaluate(
    data: Data,
    hold_out: HoldOut = None,
    rates: Annotated[str, typer.Option(help="Corruption rates, comma-separated.")] = "0.05,0.10",
    seed: Seed = 7,
    epochs: Epochs = 200,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the scores here.")] = None,
) -> None:
    """Hold each building out in turn (default: those with 100+ classified nodes), train on the
    rest, corrupt it, and score the GNN against the rules and a scikit-learn model."""
    from graphtwin.ml.evaluation import default_held_out, evaluate, markdown_table

    dataset = _dataset(data)
    held = hold_out or default_held_out(dataset)
    for name in held:
        dataset.get(name)  # unknown names fail before any training
    result = evaluate(
        dataset,
        held,
        tuple(float(r) for r in rates.split(",")),
        _config(seed, epochs),
    )
    out.print(markdown_table(result), markup=False)
    out.print(json.dumps(result.train_seconds), markup=False)
    if json_out:
        json_out.write_text(json.dumps(result.to_json(), indent=1) + "\n")


@app.command()
@guarded
def detect(
    model: Annotated[
        Path | None, typer.Option("--model", help="Model folder (from `ml train`).")
    ] = None,
    rules_only: Annotated[bool, typer.Option(help="Run only the rule-based checks.")] = False,
    root: Root = None,
    source: Source = None,
    dry_run: Annotated[bool, typer.Option(help="Report findings, write no drift issues.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Calibrated score every model finding needs (default: 0.9 semantic, 0.95 "
            "structural, about one finding per 1,000 nodes on a sound building; docs/ml.md).",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int,
        typer.Option(min=0, help="Print the N highest-ranked findings (0: all). All are recorded."),
    ] = 50,
) -> None:
    """Find structural and semantic drift in the twin, record it as drift issues, and print the
    findings ranked (calibrated score, severity, nodes touched)."""
    if model is None and not rules_only:  # before torch loads: a usage error answers at once
        raise typer.BadParameter("give --model, or --rules-only", param_hint="--model")
    from graphtwin.audit import AuditKeySource, AuditLog
    from graphtwin.config import load_settings
    from graphtwin.ml.detection import Thresholds
    from graphtwin.ml.groups import groups
    from graphtwin.ml.workflow import detect as run_detection
    from graphtwin.store import TwinStore

    settings = load_settings()
    audit = AuditLog(settings.audit_log_path, key=AuditKeySource.of(settings))
    with TwinStore.open(settings) as store:
        result = run_detection(
            store,
            model,
            root=root,
            source=source,
            dry_run=dry_run,
            audit=audit,
            thresholds=Thresholds.both(threshold),
        )
    shown = result.findings[:top] if top else result.findings
    found_groups = groups(result.findings)  # one rule, one shape: most important first
    if as_json:
        print_json(
            {
                "model_id": result.model_id,
                "nodes": result.nodes,
                "findings": [
                    {
                        "twin_id": f.twin_id,
                        "type": str(f.type),
                        "rule": f.rule,
                        "severity": str(f.severity),
                        "description": f.description,
                        "score": f.score,
                        "group": f.evidence.get("group"),
                    }
                    for f in shown
                ],
                "groups": [
                    {"group": g.key, "count": len(g.findings), "score": g.score}
                    for g in found_groups
                ],
                "total": len(result.findings),
                "recorded": None if result.recorded is None else asdict(result.recorded),
            }
        )
        return
    listed = found_groups[:top] if top else found_groups
    title = f"{len(result.findings)} findings in {len(found_groups)} groups, ranked" + (
        f" (first {len(listed)})" if len(listed) < len(found_groups) else ""
    )
    table = Table("#", "findings", "score", "type", "group", "first", "finding", title=title)
    for i, g in enumerate(listed, 1):
        f = g.first
        score = "rule" if all(x.score is None for x in g.findings) else f"{g.score:.3f}"
        table.add_row(
            str(i), str(len(g.findings)), score, str(f.type), escape(g.key),
            escape(f.twin_id), escape(f.description),
        )  # fmt: skip
    out.print(table)
    if result.recorded:
        r = result.recorded
        out.print(f"drift issues: {r.opened} opened, {r.resolved} resolved, {r.kept} still open")


@app.command()
@guarded
def export(
    output: Annotated[Path, typer.Option("--out", "-o", help="File for torch.save.")],
    root: Root = None,
    source: Source = None,
) -> None:
    """Save the twin as tensors, lists and dicts (node and edge types, x, y, edge_index, the
    twin_id of each row, the class vocabulary) that a plain torch.load reads (docs/ml.md)."""
    from graphtwin.store import TwinStore

    with TwinStore.open() as store:
        exported = store.export(root=root, source=source)  # an unknown root or source: at once
    import torch  # only once there is something to save

    from graphtwin.ml.tensors import graph_arrays, to_tensors

    tensors = to_tensors(graph_arrays(exported.graph))
    torch.save(tensors, output)
    types = len(tensors["node_types"])
    out.print(f"{len(exported.graph)} nodes, {types} node types -> {escape(str(output))}")
