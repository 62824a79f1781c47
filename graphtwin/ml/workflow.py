"""The three things `graphtwin ml` does, for the CLI and the demo alike: train and save a model,
evaluate held out by building, detect drift on the twin."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphtwin.audit import AuditLog
from graphtwin.drift.findings import Finding, Recorded, record_findings
from graphtwin.drift.labels import DriftLabel
from graphtwin.errors import InputError
from graphtwin.ml.data_quality import summarise
from graphtwin.ml.dataset import TwinDataset
from graphtwin.ml.detection import (
    DEFAULT_THRESHOLDS,
    MODEL_RULES,
    RULE_NAMES,
    Thresholds,
    model_findings,
    rank,
    rule_findings,
)
from graphtwin.ml.groups import with_groups
from graphtwin.ml.labels import apply_labels
from graphtwin.ml.scopes import detection_arrays
from graphtwin.store import TwinStore

if TYPE_CHECKING:  # torch loads only to train or to use a model: `detect --rules-only` skips it
    from graphtwin.ml.training import TrainConfig


def train_and_save(
    dataset: TwinDataset,
    out_dir: Path,
    config: TrainConfig,
    held_out: list[str],
    labels: Sequence[DriftLabel] = (),
) -> dict[str, Any]:
    """`labels`: people's verdicts on drift findings (graphtwin.ml.labels); the manifest names
    those that applied to the training buildings, and why the others did not."""
    from graphtwin.ml.manifest import save_model
    from graphtwin.ml.training import train

    training = dataset.without(*held_out)
    if not len(training):
        raise InputError("no building left to train on once the held-out ones are taken out")
    labelled = apply_labels(training.union(), labels)
    trained = train(labelled.arrays, config, verified=labelled.verified)
    return save_model(
        trained,
        out_dir,
        config=config,
        sources=[b.source() for b in training.buildings],
        labels=labelled.manifest(),
        metrics={"held_out": held_out},
    )


@dataclass(frozen=True, slots=True)
class Detection:
    findings: list[Finding]
    recorded: Recorded | None  # None on a dry run
    model_id: str | None
    nodes: int


def detect(
    store: TwinStore,
    model_dir: Path | None,
    *,
    root: str | None = None,
    source: str | None = None,
    dry_run: bool = False,
    audit: AuditLog | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Detection:
    """Rules always; the model's judgements too when a model is given, those whose calibrated
    score reaches its threshold. Findings come ranked (`detection.rank`)."""
    exported = store.export(root=root, source=source)
    arrays = detection_arrays(store, exported)  # one member graph per building
    findings = rule_findings(arrays)
    rules_run = set(RULE_NAMES)
    model_id = None
    if model_dir is not None:
        from graphtwin.ml.manifest import load_model

        trained, manifest = load_model(model_dir)
        findings += model_findings(trained, manifest, arrays, thresholds)
        rules_run |= MODEL_RULES
        model_id = manifest["model_id"]
    findings = with_groups(arrays, rank(summarise(arrays, findings)))
    # a run on part of the twin resolves only the issues of that part
    scope = None if root is None and source is None else set(arrays.twin_ids)
    recorded = None if dry_run else record_findings(store, findings, rules_run, audit, scope=scope)
    return Detection(findings, recorded, model_id, len(arrays))
