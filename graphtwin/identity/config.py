"""Matching settings (ontologies/identity_matching.yaml) and the Brick class hierarchy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class MatchingConfig:
    auto: float
    review: float
    weights: dict[str, float]
    compatible_kinds: dict[str, frozenset[str]]
    synonyms: tuple[tuple[str, str], ...]
    """(variant phrase, canonical word), longest phrases first."""
    stopwords: frozenset[str]

    def with_thresholds(self, auto: float | None, review: float | None) -> MatchingConfig:
        return MatchingConfig(
            auto if auto is not None else self.auto,
            review if review is not None else self.review,
            self.weights,
            self.compatible_kinds,
            self.synonyms,
            self.stopwords,
        )


@cache
def matching_config() -> MatchingConfig:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("ontologies").joinpath("identity_matching.yaml").read_text("utf-8")
    )
    compatible: dict[str, frozenset[str]] = {}
    for group in raw["compatible_kinds"]:
        for kind in group:
            compatible[kind] = compatible.get(kind, frozenset()) | frozenset(group)
    synonyms = [
        (variant, canonical)
        for canonical, variants in raw["synonyms"].items()
        for variant in variants
    ]
    synonyms.sort(key=lambda pair: -len(pair[0]))
    return MatchingConfig(
        auto=float(raw["thresholds"]["auto"]),
        review=float(raw["thresholds"]["review"]),
        weights={k: float(v) for k, v in raw["weights"].items()},
        compatible_kinds=compatible,
        synonyms=tuple(synonyms),
        stopwords=frozenset(raw["stopwords"]),
    )


@cache
def brick_ancestors() -> dict[str, frozenset[str]]:
    """Brick class -> every class above it (aliases resolved), from brick_classes.json."""
    table = json.loads(
        resources.files("ontologies").joinpath("brick_classes.json").read_text("utf-8")
    )["classes"]
    parents = {name: list(entry.get("parents", [])) for name, entry in table.items()}

    def up(name: str, seen: frozenset[str]) -> frozenset[str]:
        found: set[str] = set()
        for parent in parents.get(name, []):
            if parent not in seen:
                found |= {parent} | up(parent, seen | {parent})
        return frozenset(found)

    result = {name: up(name, frozenset({name})) for name in parents}
    for name, entry in table.items():
        alias = entry.get("alias_of")
        if alias:
            result[name] = result.get(alias, frozenset()) | {alias}
    return result
