"""The demo's drift detection: a model trained on the real Brick models beside the project (once,
then reused), one planted mislabel in Building A, and what `graphtwin ml detect` makes of it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rich.markup import escape

from graphtwin.audit import AuditKeySource, AuditLog
from graphtwin.cli.output import err, out
from graphtwin.config import Settings
from graphtwin.drift.issues import DriftType
from graphtwin.store import TwinStore

PLANTED = "vav-202.zat"  # Building A's zone air temperature sensor, one of three named alike ...
PLANTED_AS = "Supply_Air_Flow_Sensor"  # ... declared a supply air flow sensor
DEMO_EPOCHS = 120


def run_drift_detection(settings: Settings, training_data: Path) -> None:
    from graphtwin.ml.groups import groups
    from graphtwin.ml.workflow import detect

    model_dir = None
    if training_data.is_dir():
        model_dir = settings.models_root / f"demo-{_fingerprint(training_data)}"
        if not _usable(model_dir):
            _train(training_data, model_dir)
    else:
        err.print(
            f"[yellow]note:[/] no Brick models at {escape(str(training_data))}: "
            "structural and semantic drift by the rules only"
        )
    with TwinStore.open(settings) as store:
        store.write_versioned(
            "ml/plant_mislabel", [PLANTED], actor="demo", twin_id=PLANTED, brick_class=PLANTED_AS
        )
        audit = AuditLog(settings.audit_log_path, key=AuditKeySource.of(settings))
        result = detect(store, model_dir, audit=audit)
    out.print(f"\nDrift detection (planted: {PLANTED} declared {PLANTED_AS}):")
    found = [f for f in result.findings if f.type in (DriftType.STRUCTURAL, DriftType.SEMANTIC)]
    for group in groups(found):  # one line per rule and shape, most important first
        f, more = group.first, len(group.findings) - 1
        alike = f" [dim](and {more} more alike)[/]" if more else ""
        out.print(f"  [bold]{f.type}[/] {escape(f.twin_id)}: {escape(f.description)}{alike}")
    out.print(f"  {len(found)} structural and semantic findings on {result.nodes} nodes")
    if result.model_id:
        out.print(f"  model {result.model_id[:16]} (manifest: {escape(str(model_dir))})")


def _fingerprint(training_data: Path) -> str:
    """The model is reused while the ML code and the training files are the same."""
    import graphtwin.ml

    digest = hashlib.sha256()
    for folder, pattern in ((Path(graphtwin.ml.__file__).parent, "*.py"), (training_data, "*")):
        for file in sorted(folder.glob(pattern)):
            if file.is_file():
                digest.update(file.name.encode() + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:12]


def _usable(model_dir: Path) -> bool:
    from graphtwin.ml.manifest import ModelIntegrityError, load_model

    try:
        load_model(model_dir)
    except (ModelIntegrityError, RuntimeError, KeyError):  # absent, damaged, or older layout
        return False
    return True


def _train(training_data: Path, model_dir: Path) -> None:
    from graphtwin.ml.dataset import TwinDataset
    from graphtwin.ml.training import TrainConfig
    from graphtwin.ml.workflow import train_and_save

    err.print(
        f"Training the drift models on the Brick models in {escape(str(training_data))} (once)..."
    )
    config = TrainConfig(semantic_epochs=DEMO_EPOCHS, structural_epochs=DEMO_EPOCHS)
    manifest = train_and_save(TwinDataset.from_paths([training_data]), model_dir, config, [])
    err.print(f"  trained in {manifest['training_seconds']} s")
