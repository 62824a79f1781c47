"""The vocabulary's domain and range per relationship type (ontologies/relationship_rules.yaml):
which kinds may stand at each end, and which relationships the structural network may judge.

>>> rules = relationship_rules()
>>> rules.verdict("Point", "FEEDS", "Equipment")
'forbidden'
>>> rules.verdict("Equipment", "LOCATED_IN", "Space")
'allowed'
>>> rules.scored("Regulation", "HAS_PART", "Constraint")
False
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from graphtwin.errors import InputError, SourceLocation
from graphtwin.vocabulary import vocabulary

DEFAULT_FILE = "relationship_rules.yaml"
Verdict = Literal["allowed", "forbidden", "unruled"]


class RelationshipRulesError(InputError):
    """The relationship rules file is invalid (names the file and the entry)."""


@dataclass(frozen=True, slots=True)
class Pattern:
    starts: frozenset[str]
    ends: frozenset[str]
    scored: bool


@dataclass(frozen=True, slots=True)
class TypeRule:
    scored: bool
    patterns: tuple[Pattern, ...] | None
    """None: the type has no domain and range (anything goes)."""


@dataclass(frozen=True, slots=True)
class RelationshipRules:
    types: dict[str, TypeRule]
    any_kind: frozenset[str]

    def _match(self, start: str, rel: str, end: str) -> tuple[Verdict, Pattern | None]:
        rule = self.types.get(rel)
        if rule is None or rule.patterns is None:
            return "unruled", None
        wild_start, wild_end = start in self.any_kind, end in self.any_kind
        for p in rule.patterns:
            if (wild_start or start in p.starts) and (wild_end or end in p.ends):
                return "allowed", p
        return "forbidden", None

    def verdict(self, start: str, rel: str, end: str) -> Verdict:
        """Whether a (start kind, type, end kind) relationship may exist."""
        return self._match(start, rel, end)[0]

    def scored(self, start: str, rel: str, end: str) -> bool:
        """Whether the structural network judges such a relationship: an allowed pattern of a
        scored type (unless the pattern says otherwise); never a forbidden one."""
        verdict, pattern = self._match(start, rel, end)
        if verdict == "forbidden":
            return False
        if pattern is not None:
            return pattern.scored
        rule = self.types.get(rel)
        return rule is not None and rule.scored

    def table(self, kinds: list[str], types: list[str]) -> KindTable:
        """The verdicts as arrays indexed [start kind, type, end kind] (for whole graphs)."""
        shape = (len(kinds), len(types), len(kinds))
        forbidden, scored = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
        for s, start in enumerate(kinds):
            for r, rel in enumerate(types):
                for e, end in enumerate(kinds):
                    forbidden[s, r, e] = self.verdict(start, rel, end) == "forbidden"
                    scored[s, r, e] = self.scored(start, rel, end)
        return KindTable(forbidden, scored)


@dataclass(frozen=True, slots=True)
class KindTable:
    forbidden: np.ndarray  # bool [kinds, types, kinds]
    scored: np.ndarray

    def of(self, kinds: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per relationship (rows of `edges` [m, 3] over nodes of `kinds`): forbidden, scored."""
        at = (kinds[edges[:, 0]], edges[:, 1], kinds[edges[:, 2]])
        return self.forbidden[at], self.scored[at]

    def other_ends(self, kind: int, rel: int, column: int) -> np.ndarray:
        """Per kind: whether a node of it may be proposed at the other end of a `rel` whose end
        `column` (0 start, 2 end) is a node of `kind` (allowed, and judged by the network)."""
        return self.scored[:, rel, kind] if column == 2 else self.scored[kind, rel, :]


@cache
def kind_table() -> KindTable:
    """The shipped rules over the twin's kinds and relationship types, in the models' order
    (`features.kinds`, `tensors.relationship_types`)."""
    from graphtwin.ml.features import kinds
    from graphtwin.ml.tensors import relationship_types

    return relationship_rules().table(kinds(), relationship_types())


@cache
def relationship_rules(path: Path | None = None) -> RelationshipRules:
    """The rules shipped in ontologies/ (or those of `path`); RelationshipRulesError naming the
    file and the entry when they are not valid."""
    if path is None:
        where = f"ontologies/{DEFAULT_FILE}"
        text = resources.files("ontologies").joinpath(DEFAULT_FILE).read_text("utf-8")
    else:
        where, text = str(path), path.read_text("utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RelationshipRulesError(
            f"not valid YAML: {exc}", location=SourceLocation(where, line)
        ) from exc
    return _parse(raw, where)


def _parse(raw: Any, where: str) -> RelationshipRules:
    location = SourceLocation(where)

    def fail(entry: str, message: str) -> RelationshipRulesError:
        return RelationshipRulesError(message, location=location, entity=entry)

    if not isinstance(raw, dict) or not isinstance(raw.get("relationship_types"), dict):
        raise fail("relationship_types", "a mapping of relationship type to its rule is needed")
    vocab = vocabulary()
    known_kinds = set(vocab.node_kinds)
    any_kind = _kinds(raw.get("any_kind", []), "any_kind", known_kinds, fail)
    types: dict[str, TypeRule] = {}
    for rel, spec in raw["relationship_types"].items():
        entry = f"relationship_types.{rel}"
        if rel not in vocab.relationship_types:
            raise fail(entry, f"unknown relationship type {rel!r}")
        spec = spec or {}
        if not isinstance(spec, dict) or set(spec) - {"scored", "allowed"}:
            raise fail(entry, "only `scored` and `allowed` may be given")
        scored = _flag(spec.get("scored", False), f"{entry}.scored", fail)
        allowed = spec.get("allowed")
        patterns = None
        if allowed is not None:
            if not isinstance(allowed, list) or not allowed:
                raise fail(f"{entry}.allowed", "a non-empty list of from/to patterns is needed")
            patterns = tuple(
                _pattern(p, f"{entry}.allowed[{i}]", scored, known_kinds, fail)
                for i, p in enumerate(allowed)
            )
        types[rel] = TypeRule(scored, patterns)
    return RelationshipRules(types, any_kind)


def _pattern(raw: Any, entry: str, scored: bool, known: set[str], fail: Any) -> Pattern:
    if (
        not isinstance(raw, dict)
        or set(raw) - {"from", "to", "scored"}
        or not {"from", "to"} <= set(raw)
    ):
        raise fail(entry, "a pattern has `from` and `to` (lists of kinds) and may have `scored`")
    return Pattern(
        _kinds(raw["from"], f"{entry}.from", known, fail),
        _kinds(raw["to"], f"{entry}.to", known, fail),
        _flag(raw.get("scored", scored), f"{entry}.scored", fail),
    )


def _kinds(raw: Any, entry: str, known: set[str], fail: Any) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        raise fail(entry, "a list of node kinds is needed")
    unknown = sorted(set(raw) - known)
    if unknown:
        raise fail(entry, f"unknown node kind(s) {', '.join(unknown)}")
    return frozenset(raw)


def _flag(raw: Any, entry: str, fail: Any) -> bool:
    if not isinstance(raw, bool):
        raise fail(entry, f"true or false is needed, not {raw!r}")
    return raw
