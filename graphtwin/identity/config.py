"""Matching settings (ontologies/identity_matching.yaml)."""

from __future__ import annotations

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
    elevation_tolerance: float
    """Metres two storeys' elevations may differ by and still be one storey."""

    def with_thresholds(self, auto: float | None, review: float | None) -> MatchingConfig:
        return MatchingConfig(
            auto if auto is not None else self.auto,
            review if review is not None else self.review,
            self.weights,
            self.compatible_kinds,
            self.synonyms,
            self.stopwords,
            self.elevation_tolerance,
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
        elevation_tolerance=float(raw["elevation_tolerance_m"]),
    )
