"""A trained model on disk: `weights.pt` and `manifest.json`.

The manifest says what trained the model (each building's file and sha256), how (hyper-
parameters, seed), how well (metrics), with what (graphtwin version and commit, torch, PyG,
numpy, scikit-learn), the people's labels it learnt from (`labels`: each label's id, entity,
verdict, who and when, and a sha256 of the set; graphtwin.ml.labels) and the sha256 of the
weights. The model's id is that sha256, or, when labels trained it, the sha256 of the weights'
and the labels' sha256 (`<weights>:<labels>`), so the id changes when the labels do. Loading
verifies the weights against the manifest, so a drift issue that names a model id leads to
exactly these weights and, through the manifest, to the data and labels that trained them.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from graphtwin import __version__
from graphtwin.errors import InputError, SourceLocation
from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.networks import ClassNet, EdgeNet
from graphtwin.ml.training import Prior, TrainConfig, Trained

MANIFEST = "manifest.json"
WEIGHTS = "weights.pt"
FORMAT = "graphtwin-model/1"


class ModelIntegrityError(InputError):
    """The weights on disk are not the ones the manifest describes, or the manifest is not one."""


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def weights_bytes(trained: Trained) -> bytes:
    buffer = io.BytesIO()
    torch.save(
        {"classes": trained.classes.state_dict(), "edges": trained.edges.state_dict()}, buffer
    )
    return buffer.getvalue()


def save_model(
    trained: Trained,
    out_dir: Path,
    *,
    config: TrainConfig,
    sources: list[dict[str, Any]],
    metrics: dict[str, Any] | None = None,
    labels: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`labels`: `LabelledArrays.manifest()` of the labels training used, if any."""
    out_dir.mkdir(parents=True, exist_ok=True)
    blob = weights_bytes(trained)
    (out_dir / WEIGHTS).write_bytes(blob)
    vocab = class_vocabulary()
    labels = labels or {"sha256": None, "used": [], "unused": []}
    manifest = {
        "format": FORMAT,
        "model_id": model_id(hashlib.sha256(blob).hexdigest(), labels["sha256"]),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "weights": {"file": WEIGHTS, "sha256": hashlib.sha256(blob).hexdigest()},
        "training_sources": sources,
        "hyperparameters": config.to_json(),
        "seed": config.seed,
        "training_seconds": trained.seconds,
        "metrics": metrics or {},
        "labels": labels,
        "candidate_classes": [vocab.names[c] for c in trained.candidates],
        "structural_prior": trained.prior.to_json(),
        "code": {"graphtwin": __version__, "commit": _commit()},
        "versions": _versions(),
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def model_id(weights_sha256: str, labels_sha256: str | None) -> str:
    """The weights' sha256, or with labels, the sha256 of `<weights sha256>:<labels sha256>`."""
    if labels_sha256 is None:
        return weights_sha256
    return hashlib.sha256(f"{weights_sha256}:{labels_sha256}".encode()).hexdigest()


def read_manifest(model_dir: Path) -> dict[str, Any]:
    path = model_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ModelIntegrityError(
            "no model here (manifest.json missing)", location=SourceLocation(str(path))
        ) from exc
    except json.JSONDecodeError as exc:
        raise ModelIntegrityError(
            f"not JSON: {exc.msg}", location=SourceLocation(str(path), exc.lineno)
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelIntegrityError(f"not a {FORMAT} manifest", location=SourceLocation(str(path)))
    return manifest


def verify_model(model_dir: Path) -> dict[str, Any]:
    """The manifest, once the weights on disk are shown to be the ones it names."""
    manifest = read_manifest(model_dir)
    weights = model_dir / manifest["weights"]["file"]
    if not weights.is_file():
        raise ModelIntegrityError("weights file missing", location=SourceLocation(str(weights)))
    actual = sha256_file(weights)
    if actual != manifest["weights"]["sha256"]:
        raise ModelIntegrityError(
            f"weights sha256 is {actual}, the manifest says {manifest['weights']['sha256']}",
            location=SourceLocation(str(weights)),
        )
    return manifest


def load_model(model_dir: Path) -> tuple[Trained, dict[str, Any]]:
    manifest = verify_model(model_dir)
    if "roles" not in manifest["structural_prior"]:
        raise ModelIntegrityError(
            "trained by an older graphtwin, without the relationship roles it saw: train it "
            "again (graphtwin ml train)",
            location=SourceLocation(str(model_dir / MANIFEST)),
        )
    hp = manifest["hyperparameters"]
    state = torch.load(model_dir / manifest["weights"]["file"], weights_only=True)
    classes, edges = ClassNet(hp["hidden"], hp["layers"]), EdgeNet(hp["hidden"], hp["layers"])
    classes.load_state_dict(state["classes"])
    edges.load_state_dict(state["edges"])
    vocab = class_vocabulary()
    trained = Trained(
        classes=classes.eval(),
        edges=edges.eval(),
        candidates=[vocab.index[n] for n in manifest["candidate_classes"] if n in vocab.index],
        prior=Prior.from_json(manifest["structural_prior"]),
        seconds=manifest.get("training_seconds", {}),
    )
    return trained, manifest


def _commit() -> str | None:
    """The git commit of the code, when it runs from a checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _versions() -> dict[str, str]:
    import numpy
    import sklearn
    import torch_geometric

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_geometric": torch_geometric.__version__,
        "numpy": numpy.__version__,
        "scikit_learn": sklearn.__version__,
    }
