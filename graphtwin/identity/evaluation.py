"""How good linking is against a known truth: precision and recall over pairs.

The truth is a YAML file of clusters (`clusters: [[id, id, ...], ...]`), each the twin_ids that
describe one thing. Predicted pairs are all pairs within the clusters the links make (links are
transitive: queries treat a cluster as one entity), so a wrong link that joins two clusters
costs every pair it wrongly joins.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from graphtwin.errors import SchemaViolationError, SourceLocation
from graphtwin.identity.matcher import Link, Pair, pair_of
from graphtwin.yamlio import load_yaml


class _Truth(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str | None = None
    clusters: list[list[str]]


@dataclass(slots=True)
class Scores:
    precision: float
    recall: float
    true_positives: int
    true_pairs: int
    false_positives: list[Pair]
    missed: list[Pair]

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def load_truth(path: Path) -> list[set[str]]:
    data, _ = load_yaml(path)
    try:
        truth = _Truth.model_validate(data)
    except ValidationError as exc:
        raise SchemaViolationError(
            f"not a truth file (`clusters: [[twin_id, ...], ...]`): {exc.errors()[0]['msg']}",
            location=SourceLocation(str(path)),
        ) from exc
    return [set(c) for c in truth.clusters]


def evaluate(links: list[Link], truth: list[set[str]]) -> Scores:
    true_pairs = {pair_of(a, b) for c in truth for a, b in combinations(sorted(c), 2)}
    predicted = {pair_of(a, b) for c in _clusters(links) for a, b in combinations(sorted(c), 2)}
    hits = predicted & true_pairs
    return Scores(
        precision=round(len(hits) / len(predicted), 4) if predicted else 1.0,
        recall=round(len(hits) / len(true_pairs), 4) if true_pairs else 1.0,
        true_positives=len(hits),
        true_pairs=len(true_pairs),
        false_positives=sorted(predicted - true_pairs),
        missed=sorted(true_pairs - predicted),
    )


def _clusters(links: list[Link]) -> list[set[str]]:
    adjacent: dict[str, set[str]] = defaultdict(set)
    for link in links:
        adjacent[link.a].add(link.b)
        adjacent[link.b].add(link.a)
    seen: set[str] = set()
    clusters = []
    for start in adjacent:
        if start in seen:
            continue
        group, todo = {start}, [start]
        while todo:
            for other in adjacent[todo.pop()] - group:
                group.add(other)
                todo.append(other)
        seen |= group
        clusters.append(group)
    return clusters
