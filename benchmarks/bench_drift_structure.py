"""Structural and semantic drift benchmark: what a facility manager would be shown.

Three sections, one run (`python -m benchmarks drift-structure`):

- **Sound twins**: the demo campus (examples/demo-campus.yaml), EnergyPlus's small and medium
  office (the EnergyPlus importer, when pyenergyplus is installed) and a generated building of
  about 10,000 points, judged by a model trained on every Brick model in the data folder (none of
  them is in it): findings per 1,000 nodes at the default threshold. Nothing is planted.
- **Real buildings**: every Brick model in the data folder, each alone, judged by a model that
  never saw it: findings per 1,000 nodes, groups where detection forms them, and a seeded random
  sample of 20 findings per building with their evidence, to judge by hand (docs/ml.md).
- **Injected corruption** (`evaluation.score_building`): semantic and structural F1 and edge
  ROC-AUC per held-out building, with the uncalibrated detector, the rules and the sklearn
  baseline on the same corruption, for several corruption seeds (mean and spread).

CPU budget: the buildings are split into folds, one per building with at least
`evaluation.MIN_CLASSIFIED` classified nodes, the small ones spread over them; one model and one
baseline are trained per fold (without the fold's buildings) and serve every building of the
fold and every seed of corruption. Fewer epochs than `ml train`'s default (`--epochs`).
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.harness import machine_info, markdown_table, note

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "brick"
SAMPLE = 20
GENERATED_POINTS = 10_000


@dataclass(frozen=True, slots=True)
class DriftStructureOptions:
    data: Path = DEFAULT_DATA
    seeds: int = 3
    epochs: int = 100
    rates: tuple[float, ...] = (0.05, 0.10)
    threshold: float | None = None  # None: detection.Thresholds' defaults
    sound: bool = True
    corruption: bool = True  # False: the real buildings' counts only (`--no-corruption`)
    generated_points: int = GENERATED_POINTS


@dataclass(slots=True)
class TwinCount:
    """Findings on one twin at the threshold."""

    twin: str
    section: str  # sound | real
    nodes: int
    findings: int
    by_rule: dict[str, int]
    groups: int | None = None
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def per_1000(self) -> float:
        return 1000.0 * self.findings / max(self.nodes, 1)


@dataclass(slots=True)
class DriftStructureResult:
    options: DriftStructureOptions
    threshold: Any  # detection.Thresholds
    folds: dict[str, list[str]] = field(default_factory=dict)
    train_seconds: dict[str, dict[str, float]] = field(default_factory=dict)
    twins: list[TwinCount] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "options": {**asdict(self.options), "data": str(self.options.data)},
            "threshold": asdict(self.threshold),
            "machine": machine_info(),
            "folds": self.folds,
            "train_seconds": self.train_seconds,
            "twins": [{**asdict(t), "per_1000": round(t.per_1000, 2)} for t in self.twins],
            "scores": self.scores,
            "seconds": round(self.seconds, 1),
        }

    def report(self) -> str:
        o = self.options
        parts = [
            f"## Structural and semantic drift (thresholds: semantic {self.threshold.semantic}, "
            f"structural {self.threshold.structural}; {o.epochs} epochs, "
            f"{o.seeds} corruption seeds, {self.seconds / 60:.1f} min)\n",
            "### Twins known to be sound (target <= 1 finding per 1,000 nodes)\n",
            self._twin_table("sound"),
            "### Real buildings, each judged by a model that never saw it "
            "(target <= 20 per 1,000 nodes)\n",
            self._twin_table("real"),
            "### Injected corruption, held out by building (mean ± spread over seeds)\n",
            corruption_table(self.scores),
        ]
        return "\n".join(parts)

    def _twin_table(self, section: str) -> str:
        rows = [
            [
                t.twin,
                t.nodes,
                t.findings,
                f"{t.per_1000:.1f}",
                "n/a" if t.groups is None else t.groups,
                ", ".join(f"{r} {n}" for r, n in sorted(t.by_rule.items())) or "none",
            ]
            for t in self.twins
            if t.section == section
        ]
        headers = ["twin", "nodes", "findings", "per 1,000 nodes", "groups", "by rule"]
        return markdown_table(headers, rows) + "\n"


def corruption_table(scores: list[dict[str, Any]]) -> str:
    """Per building, rate and drift: F1 of each method and the edge ROC-AUC, mean ± spread
    (population standard deviation) over the corruption seeds."""
    methods = ("gnn", "uncalibrated", "network", "consensus", "rules", "sklearn")
    keyed: dict[tuple[str, float, str, str], list[dict[str, Any]]] = {}
    for s in scores:
        keyed.setdefault((s["building"], s["rate"], s["drift"], s["method"]), []).append(s)
    rows = []
    for building, rate, drift in dict.fromkeys(
        (s["building"], s["rate"], s["drift"]) for s in scores
    ):
        cells: list[object] = [building, f"{rate:.0%}", drift]
        for m in methods:
            cells.append(_spread([s["f1"] for s in keyed.get((building, rate, drift, m), [])]))
        for m in ("gnn", "sklearn"):
            got = keyed.get((building, rate, drift, m), [])
            cells.append(_spread([s["edge_roc_auc"] for s in got if s["edge_roc_auc"] is not None]))
        gnn = keyed[(building, rate, drift, "gnn")]
        cells.append(_spread([s["precision"] for s in gnn]))
        rows.append(cells)
    headers = [
        "held-out building",
        "corruption",
        "drift",
        "GNN F1 (calibrated)",
        "uncalibrated F1",
        "network alone F1",
        "consensus alone F1",
        "rules F1",
        "sklearn F1",
        "GNN edge ROC-AUC",
        "sklearn edge ROC-AUC",
        "GNN precision",
    ]
    return markdown_table(headers, rows) + "\n"


def _spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.fmean(values):.2f} ± {statistics.pstdev(values):.2f}"


def run_drift_structure(options: DriftStructureOptions) -> DriftStructureResult:
    from graphtwin.ml.dataset import TwinDataset
    from graphtwin.ml.detection import Thresholds
    from graphtwin.ml.evaluation import MIN_CLASSIFIED, score_building, train_without
    from graphtwin.ml.training import TrainConfig

    threshold = Thresholds.both(options.threshold)
    result = DriftStructureResult(options, threshold)
    started = time.perf_counter()
    dataset = TwinDataset.from_paths([options.data])
    config = TrainConfig(semantic_epochs=options.epochs, structural_epochs=options.epochs)
    result.folds = folds(
        [(b.name, len(b.arrays.classified())) for b in dataset.buildings], MIN_CLASSIFIED
    )
    if options.sound:
        note("drift-structure: training on every building for the sound twins")
        trained, _, secs = train_without(dataset, [], config)
        result.train_seconds["all"] = secs
        for name, graph in sound_twins(options.generated_points):
            result.twins.append(_count(name, "sound", graph, trained, threshold))
            note(f"drift-structure: {name}: {result.twins[-1].findings} findings")
    for lead, members in result.folds.items():
        note(f"drift-structure: training without {', '.join(members)}")
        trained, baseline, secs = train_without(dataset, members, config)
        result.train_seconds[lead] = secs
        for name in members:
            building = dataset.get(name)
            result.twins.append(_count(name, "real", [building.graph], trained, threshold))
            note(f"drift-structure: {name}: {result.twins[-1].findings} findings")
        if not options.corruption:
            continue
        seeds = [config.seed + i for i in range(options.seeds)]
        for s in score_building(
            lead, dataset.get(lead).arrays, trained, baseline, options.rates, seeds
        ):
            result.scores.append(asdict(s))
    result.seconds = time.perf_counter() - started
    return result


def folds(buildings: list[tuple[str, int]], min_classified: int) -> dict[str, list[str]]:
    """One fold per building with `min_classified` classified nodes or more (it leads the fold
    and is scored on corruption); the others spread over the folds in turn, by size.

    >>> folds([("a", 500), ("b", 300), ("c", 10), ("d", 5), ("e", 1)], 100)
    {'a': ['a', 'c', 'e'], 'b': ['b', 'd']}
    """
    ordered = sorted(buildings, key=lambda b: (-b[1], b[0]))
    leads = [name for name, classified in ordered if classified >= min_classified]
    out = {lead: [lead] for lead in leads}
    small = [name for name, classified in ordered if classified < min_classified]
    for i, name in enumerate(small):
        out[leads[i % len(leads)]].append(name)
    return out


def sound_twins(points: int) -> list[tuple[str, Any]]:
    """(name, its TwinGraphs) of each twin known to be sound that can be built here."""
    from benchmarks.twin_generator import TwinShape, generate_twin
    from importers import IMPORTERS

    examples = REPO / "examples"
    campus = [  # Building A's twin file and Building B's Brick model, as the demo imports them
        IMPORTERS["twin"].parse(examples / "demo-campus.yaml"),
        IMPORTERS["brick"].parse(examples / "riverside-building-b.ttl"),
    ]
    twins: list[tuple[str, Any]] = [("demo campus", campus)]
    try:
        from benchmarks.energyplus_listing import ASHRAE
        from importers.energyplus import EnergyPlusImporter

        for label in ("office_small", "office_medium"):
            twins.append((f"EnergyPlus {label}", [EnergyPlusImporter().parse(Path(ASHRAE[label]))]))
    except ImportError as exc:  # pyenergyplus is an optional extra
        note(f"drift-structure: EnergyPlus buildings skipped ({exc})")
    nodes = points * 100 // 70  # TwinShape gives points about 70% of the nodes
    shape = TwinShape.for_nodes(nodes)
    generated = generate_twin(nodes, shape.structural_relationships + nodes // 10)
    twins.append((f"generated ({shape.points:,} points)", [generated]))
    return twins


def _count(name: str, section: str, graphs: list, trained: Any, threshold: Any) -> TwinCount:
    from graphtwin.ml.data_quality import summarise
    from graphtwin.ml.detection import model_findings, rank, rule_findings
    from graphtwin.ml.groups import with_groups
    from graphtwin.ml.tensors import graph_arrays, union

    arrays = union([graph_arrays(g, f"{name}/{i}") for i, g in enumerate(graphs)])
    manifest = {"model_id": "benchmark", "training_sources": []}
    found = rule_findings(arrays) + model_findings(trained, manifest, arrays, threshold)
    found = with_groups(arrays, rank(summarise(arrays, found)))  # as `ml detect` reports them
    groups = {f.evidence["group"] for f in found if "group" in f.evidence} or None
    sample = random.Random(f"{name}/sample").sample(found, min(SAMPLE, len(found)))
    return TwinCount(
        twin=name,
        section=section,
        nodes=len(arrays),
        findings=len(found),
        by_rule=dict(Counter(f.rule for f in found)),
        groups=None if groups is None else len(groups),
        sample=[
            {
                "twin_id": f.twin_id,
                "rule": f.rule,
                "score": f.score,
                "description": f.description,
                "evidence": {
                    k: v for k, v in f.evidence.items() if k not in ("model_id", "trained_on")
                },
            }
            for f in sample
        ]
        if section == "real"
        else [],
    )
