"""Structural and semantic drift: the twin as PyTorch Geometric data, the R-GCN models that
judge classes and relationships, the rule-based checks that need no model, their training,
held-out evaluation and provenance. See docs/ml.md."""

import warnings

# torch_geometric 2.8 calls the deprecated torch.jit.script when imported: a warning the user of
# `graphtwin ml` or `make demo` can do nothing about (pyproject's pytest settings say the same)
warnings.filterwarnings(
    "ignore", message="`torch.jit.script` is deprecated", category=FutureWarning
)
