"""The rule-based checks, the baseline that needs no model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from graphtwin.ml.dataset import building
from graphtwin.ml.rules import feeds_cycles, semantic_findings, structural_findings
from graphtwin.ml.tensors import GraphArrays, relationship_types
from tests.support.ml_buildings import building_file


def _arrays(tmp_path: Path) -> GraphArrays:
    return building(building_file(tmp_path, "alpha", vavs=4)).arrays


def _without(arrays: GraphArrays, start: str, rel: str, end: str) -> GraphArrays:
    key = [arrays.index[start], relationship_types().index(rel), arrays.index[end]]
    keep = ~np.all(arrays.edges == key, axis=1)
    assert (~keep).sum() == 1
    return arrays.with_edges(arrays.edges[keep])


def _found(arrays: GraphArrays) -> set[tuple[str, str]]:
    return {(f.rule, arrays.twin_ids[f.row]) for f in structural_findings(arrays)}


def test_a_complete_building_passes(tmp_path: Path) -> None:
    arrays = _arrays(tmp_path)
    assert _found(arrays) == set()
    assert semantic_findings(arrays) == []


def test_each_structural_rule_finds_its_gap(tmp_path: Path) -> None:
    arrays = _arrays(tmp_path)
    arrays = _without(arrays, "alpha.vav1", "HAS_POINT", "alpha.vav1.p2")
    arrays = _without(arrays, "alpha.vav2", "LOCATED_IN", "alpha.r2")
    arrays = _without(arrays, "alpha.ahu", "FEEDS", "alpha.vav3")
    assert _found(arrays) == {
        ("point_without_equipment", "alpha.vav1.p2"),
        ("equipment_without_location", "alpha.vav2"),
        ("vav_fed_by_nothing", "alpha.vav3"),
    }


def test_feeds_cycles_are_found(tmp_path: Path) -> None:
    arrays = _arrays(tmp_path)
    feeds = relationship_types().index("FEEDS")
    back = [arrays.index["alpha.vav0"], feeds, arrays.index["alpha.ahu"]]
    loop = [arrays.index["alpha.vav1"], feeds, arrays.index["alpha.vav1"]]
    cyclic = arrays.with_edges(np.concatenate([arrays.edges, [back, loop]]))
    cycles = [[cyclic.twin_ids[r] for r in c] for c in feeds_cycles(cyclic)]
    assert sorted(cycles) == [["alpha.ahu", "alpha.vav0"], ["alpha.vav1"]]
    assert ("feeds_cycle", "alpha.ahu") in _found(cyclic)
    returned = [arrays.index["alpha.r0"], feeds, arrays.index["alpha.ahu"]]
    supplied = [arrays.index["alpha.vav0"], feeds, arrays.index["alpha.r0"]]
    air_loop = arrays.with_edges(np.concatenate([arrays.edges, [supplied, returned]]))
    assert feeds_cycles(air_loop) and "feeds_cycle" not in {r for r, _ in _found(air_loop)}


def test_a_name_that_contradicts_its_class_is_found(tmp_path: Path) -> None:
    arrays = _arrays(tmp_path)
    pieces = list(arrays.name_pieces)
    row = arrays.index["alpha.vav0.p0"]  # a Zone_Air_Temperature_Sensor
    pieces[row] = frozenset({"vav", "100", "rat"})  # named as a return air temperature
    found = semantic_findings(replace(arrays, name_pieces=pieces))
    assert [(arrays.twin_ids[f.row], f.rule) for f in found] == [
        ("alpha.vav0.p0", "name_contradicts_class")
    ]
    assert "return" in found[0].description and "zone" in found[0].description
