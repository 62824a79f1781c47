"""Findings of one rule and one shape, grouped: a person reads "27 points say discharge where
their class says return" once, not 27 times.

The shape is what the finding says with the particular node left out: the words of a name and
class that contradict each other, the pattern (start kind, type, end kind) of a relationship
that is forbidden, looks wrong or looks missing, the declared and the likely class, the kind of
node a structural rule found. Each finding keeps its own drift issue (the graph contract); its
evidence gets the `group` key, and `groups` gathers them, most important first.

>>> from graphtwin.drift.issues import DriftType, Severity
>>> f = Finding("p1", DriftType.SEMANTIC, "name_contradicts_class", Severity.WARNING, "...",
...             evidence={"name_says": ["return"], "class_says": ["supply"]})
>>> group_key(f, {})
'name_contradicts_class: name says return, class says supply'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from graphtwin.drift.findings import Finding
from graphtwin.drift.issues import Severity
from graphtwin.ml.features import kinds
from graphtwin.ml.tensors import GraphArrays


def group_key(finding: Finding, kind_of: Mapping[str, str]) -> str:
    """The finding's rule and shape (`kind_of`: twin_id -> kind, for relationship patterns)."""
    e, rule = finding.evidence, finding.rule
    if rule == "name_contradicts_class":
        return (
            f"{rule}: name says {'/'.join(e['name_says'])}, class says {'/'.join(e['class_says'])}"
        )
    if rule == "vocabulary_violation":
        return f"{rule}: {e['patterns'][0]}"
    if rule == "gnn_semantic":
        return f"{rule}: declared {e['declared']}, looks like {e['likely']}"
    if isinstance(e.get("relationship"), dict):
        r = e["relationship"]
        start, end = kind_of.get(r["start"], "?"), kind_of.get(r["end"], "?")
        return f"{rule}: ({start})-[:{r['type']}]->({end})"
    if rule == "data_quality":
        return rule
    kind = kind_of.get(finding.twin_id)
    return f"{rule}: {kind}" if kind else rule


def with_groups(arrays: GraphArrays, findings: list[Finding]) -> list[Finding]:
    """Each finding with its `group` in its evidence (the same order)."""
    names = kinds()
    kind_of = {t: names[int(k)] for t, k in zip(arrays.twin_ids, arrays.kinds, strict=True)}
    return [replace(f, evidence={**f.evidence, "group": group_key(f, kind_of)}) for f in findings]


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    findings: list[Finding]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def score(self) -> float:
        """The group's most certain finding (a rule's finding is certain: 1.0)."""
        return max(1.0 if f.score is None else f.score for f in self.findings)

    @property
    def severity(self) -> Severity:
        critical = any(f.severity is Severity.CRITICAL for f in self.findings)
        return Severity.CRITICAL if critical else Severity.WARNING


def groups(findings: list[Finding]) -> list[Group]:
    """The findings by `group` (their own order inside a group), most important first: the
    more severe, the more certain, the larger."""
    by_key: dict[str, list[Finding]] = {}
    for f in findings:
        by_key.setdefault(str(f.evidence.get("group", f.rule)), []).append(f)
    found = [Group(k, v) for k, v in by_key.items()]
    return sorted(
        found,
        key=lambda g: (g.severity is not Severity.CRITICAL, -g.score, -len(g.findings), g.key),
    )
