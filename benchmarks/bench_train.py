"""Drift-model training benchmark: the two graph networks against the scikit-learn baseline
fitted on the same data, same run.

The data is the largest Brick model in shared data (groundtruth_gtc_brick.ttl, by default) or
every model in a folder. Variants, rotated every round:
- GNN semantic + structural: `graphtwin.ml.training.train` with the default configuration;
- sklearn baseline: `graphtwin.ml.baselines.fit_baseline` (three gradient-boosted tree models on
  per-node features, six corrupted copies of the data), the non-graph model they are compared
  with in docs/ml.md.
`--device cuda` trains the networks on a GPU (the baseline stays on the CPU).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.harness import Samples, note, ratio, rotated, samples_table, timed

DEFAULT_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "brick" / "groundtruth_gtc_brick.ttl"
)
GNN = "GNN semantic + structural"
SKLEARN = "sklearn baseline"


@dataclass(frozen=True, slots=True)
class TrainOptions:
    data: Path
    repeat: int
    warmup: int
    device: str = "cpu"
    epochs: int = 200


@dataclass(slots=True)
class TrainResult:
    options: TrainOptions
    nodes: int
    relationships: int
    samples: dict[str, Samples] = field(default_factory=dict)
    split: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "data": str(self.options.data),
            "device": self.options.device,
            "epochs": self.options.epochs,
            "nodes": self.nodes,
            "relationships": self.relationships,
            "gnn_split_s": self.split,
            **{name: s.to_json() for name, s in self.samples.items()},
        }

    def report(self) -> str:
        gnn, sk = self.samples[GNN], self.samples[SKLEARN]
        return (
            f"## Drift-model training: {self.options.data.name} on {self.options.device}\n\n"
            f"{self.nodes} nodes, {self.relationships} relationships, {self.options.epochs} "
            f"epochs of each network.\n\n"
            + samples_table([gnn, sk], reference=sk)
            + f"\n\nGNN ÷ sklearn (ratio of medians): {ratio(gnn, sk):.2f}x; last GNN round: "
            f"semantic {self.split.get('semantic')} s, "
            f"structural {self.split.get('structural')} s\n"
        )


def run_train(options: TrainOptions) -> TrainResult:
    from graphtwin.ml.baselines import fit_baseline
    from graphtwin.ml.dataset import TwinDataset
    from graphtwin.ml.training import TrainConfig, train

    arrays = TwinDataset.from_paths([options.data]).union()
    config = TrainConfig(semantic_epochs=options.epochs, structural_epochs=options.epochs)
    result = TrainResult(options, len(arrays), len(arrays.edges))
    variants = {
        GNN: lambda: train(arrays, config, device=options.device),
        SKLEARN: lambda: fit_baseline(arrays, config.seed),
    }
    for name in variants:
        result.samples[name] = Samples(name)
    for round_no in range(options.warmup + options.repeat):
        measured = round_no >= options.warmup
        for name in rotated(list(variants), round_no):
            seconds, out = timed(variants[name])
            result.samples[name].add(seconds, measured=measured)
            if name == GNN:
                result.split = out.seconds
            note(f"train round {round_no + 1}: {name} {seconds:.1f} s")
    return result
