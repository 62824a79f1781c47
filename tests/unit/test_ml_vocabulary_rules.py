"""The vocabulary's domain and range (ontologies/relationship_rules.yaml): the loader, the rule
finding for a relationship the vocabulary forbids, and candidates it never lets the network
propose."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from graphtwin.ml.dataset import building
from graphtwin.ml.features import kinds
from graphtwin.ml.relationship_rules import RelationshipRulesError, relationship_rules
from graphtwin.ml.rules import structural_findings
from graphtwin.ml.scoring import judge_edges
from graphtwin.ml.tensors import GraphArrays, relationship_types
from graphtwin.ml.training import Prior, TrainConfig, train
from tests.support.ml_buildings import building_file


def _arrays(tmp_path: Path, vavs: int = 4) -> GraphArrays:
    return building(building_file(tmp_path, "alpha", vavs=vavs)).arrays


def _with_edge(arrays: GraphArrays, start: str, rel: str, end: str) -> GraphArrays:
    edge = [arrays.index[start], relationship_types().index(rel), arrays.index[end]]
    return arrays.with_edges(np.concatenate([arrays.edges, [edge]]))


def _without(arrays: GraphArrays, start: str, rel: str, end: str) -> GraphArrays:
    key = [arrays.index[start], relationship_types().index(rel), arrays.index[end]]
    return arrays.with_edges(arrays.edges[~np.all(arrays.edges == key, axis=1)])


def test_the_shipped_rules_say_what_a_building_engineer_would() -> None:
    rules = relationship_rules()
    assert rules.verdict("Point", "FEEDS", "Equipment") == "forbidden"
    assert rules.verdict("Equipment", "FEEDS", "Zone") == "allowed"
    assert rules.verdict("Equipment", "LOCATED_IN", "Space") == "allowed"  # an AHU in its room
    assert rules.scored("Equipment", "LOCATED_IN", "Space")
    assert rules.verdict("Regulation", "HAS_PART", "Constraint") == "allowed"
    assert not rules.scored("Regulation", "HAS_PART", "Constraint")  # its own clauses
    assert not rules.scored("Regulation", "APPLIES_TO", "Space")
    assert rules.verdict("Entity", "FEEDS", "Zone") == "allowed"  # an unknown kind fits ...
    assert rules.verdict("Entity", "FEEDS", "Point") == "forbidden"  # ... but nothing feeds a point
    assert rules.verdict("Person", "MEMBER_OF", "Role") == "unruled"


@pytest.mark.parametrize(
    ("text", "entry", "reason"),
    [
        ("relationship_types:\n  FEEDS:\n    allowed:\n      - {from: [Pointt], to: [Space]}\n",
         "relationship_types.FEEDS.allowed[0].from", "unknown node kind(s) Pointt"),
        ("relationship_types:\n  FLOWS:\n    scored: true\n",
         "relationship_types.FLOWS", "unknown relationship type"),
        ("relationship_types:\n  FEEDS:\n    scored: maybe\n",
         "relationship_types.FEEDS.scored", "true or false"),
        ("relationship_types:\n  FEEDS:\n    allowed:\n      - {from: [Equipment]}\n",
         "relationship_types.FEEDS.allowed[0]", "`from` and `to`"),
    ],
)  # fmt: skip
def test_a_bad_rules_file_is_refused_naming_the_file_and_the_entry(
    tmp_path: Path, text: str, entry: str, reason: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(RelationshipRulesError) as caught:
        relationship_rules(path)
    assert str(path) in caught.value.message
    assert f"{entry}: " in caught.value.message and reason in caught.value.message
    assert caught.value.exit_code == 2


def test_a_rules_file_that_is_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("relationship_types:\n  FEEDS: [\n")
    with pytest.raises(RelationshipRulesError, match=rf"{path}:\d+: not valid YAML"):
        relationship_rules(path)


def test_a_relationship_the_vocabulary_forbids_is_a_rule_finding(tmp_path: Path) -> None:
    arrays = _with_edge(_arrays(tmp_path), "alpha.vav0.p0", "FEEDS", "alpha.vav1")
    found = [f for f in structural_findings(arrays) if f.rule == "vocabulary_violation"]
    assert [arrays.twin_ids[f.row] for f in found] == ["alpha.vav0.p0"]
    assert found[0].evidence["patterns"] == ["Point-FEEDS->Equipment"]
    assert found[0].evidence["relationships"] == [
        {"start": "alpha.vav0.p0", "type": "FEEDS", "end": "alpha.vav1"}
    ]


def test_a_vocabulary_rule_forbids_a_nonsense_candidate(tmp_path: Path) -> None:
    arrays = _arrays(tmp_path)
    trained = train(arrays, TrainConfig(seed=1, hidden=8, semantic_epochs=2, structural_epochs=2))
    equipment, point = kinds().index("Equipment"), kinds().index("Point")
    feeds = relationship_types().index("FEEDS")
    # a prior learnt from a building that (wrongly) had points feeding equipment
    nonsense = Prior(
        {(equipment, feeds): 1.0},
        {(equipment, feeds): [point, equipment]},
        trained.prior.roles,
    )
    lacking = _without(arrays, "alpha.ahu", "FEEDS", "alpha.vav2")  # a VAV fed by nothing
    lacking = _with_edge(lacking, "alpha.vav0.p1", "FEEDS", "alpha.vav0")  # and a forbidden one

    judged = judge_edges(replace(trained, prior=nonsense), lacking, samples=200)

    proposed_for = {lacking.twin_ids[int(e[2])] for e in judged.missing}
    assert "alpha.vav2" in proposed_for  # a candidate was proposed ...
    assert not (lacking.kinds[judged.missing[:, 0]] == point).any()  # ... never from a point
    judged_types = {
        (lacking.twin_ids[int(a)], lacking.twin_ids[int(b)]) for a, _, b in judged.edges
    }
    assert ("alpha.vav0.p1", "alpha.vav0") not in judged_types  # the rules judge that one
    assert ("alpha.ahu", "alpha.vav1") in judged_types
