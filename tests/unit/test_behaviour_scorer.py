"""The learned score over the detectors' episodes (graphtwin/behaviour/scorer.py): trained on
generated buildings with planted faults, it ranks a fault above a sound building's episodes;
the held-out split never trains on its own group; a stored scorer loads with its manifest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graphtwin.behaviour.detect import detect
from graphtwin.behaviour.episodes import Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.scorer import (
    FEATURES,
    LENIENT,
    Scorer,
    ScorerFileError,
    episode_features,
    fit_for_budget,
    leave_one_group_out,
    threshold_for_budget,
)
from graphtwin.behaviour.thresholds import CALIBRATED
from graphtwin.behaviour.workflow import judge
from graphtwin.cli.behaviour_cmd import _scorer
from tests.unit.behaviour_building import Building, at, building

FAULTS = {
    "offset": lambda v: v + 2.5,
    "stuck": lambda v: np.full_like(v, v[0]),
    "noise": lambda v: v + np.random.default_rng(0).normal(0, 1.0, v.size),
}


def _judged(b: Building, frame: Frame, planted: tuple[str, int] | None):
    """The lenient episodes of a frame, their features, and which are on the planted fault."""
    episodes = detect(frame, b.relations, LENIENT)
    labels = np.array([_on(e, frame, planted) for e in episodes], bool)
    return episodes, episode_features(frame, b.relations, episodes), labels


def _on(e: Episode, frame: Frame, planted: tuple[str, int] | None) -> bool:
    return planted is not None and e.point == planted[0] and e.end > frame.history + planted[1]


def _planted(b: Building, seed: int, kind: str) -> tuple[Frame, tuple[str, int]]:
    point, first = f"z{1 + seed % 3}.t", at(1 + seed % 5, 9 + seed % 6)
    change = FAULTS[kind]

    def during(v: np.ndarray) -> np.ndarray:
        v[:12] = change(v[:12].copy())
        return v

    return b.planted(point, first, during), (point, first)


@pytest.fixture(scope="module")
def training() -> tuple[np.ndarray, np.ndarray, list[int], np.ndarray]:
    rows, labels, groups, clean = [], [], [], []
    for seed in range(1, 7):
        b = building(seed)
        cases = [(b.frame, None, True)] + [(*_planted(b, seed, kind), False) for kind in FAULTS]
        for frame, planted, is_clean in cases:
            _, x, y = _judged(b, frame, planted)
            rows.append(x)
            labels.append(y)
            groups += [seed] * len(y)
            clean.append(np.full(len(y), is_clean))
    return np.vstack(rows), np.concatenate(labels), groups, np.concatenate(clean)


def test_the_scorer_ranks_a_planted_fault_above_a_sound_buildings_episodes(training):
    rows, labels, groups, clean = training
    assert labels.any() and not labels.all()
    scorer = fit_for_budget(rows, labels, groups, clean, 6 * 7 * 14.0, budget=1.0,
                            runs=[f"generated-{g}" for g in sorted(set(groups))])  # fmt: skip
    b = building(11)
    _, sound_rows, _ = _judged(b, b.frame, None)
    frame, planted = _planted(b, 11, "offset")
    episodes, fault_rows, on_fault = _judged(b, frame, planted)
    assert on_fault.any(), [(e.point, e.rule) for e in episodes]
    fault_score = scorer.score(fault_rows[on_fault]).max()
    assert fault_score > scorer.score(sound_rows).max(initial=0.0)
    assert fault_score > scorer.score(fault_rows[~on_fault]).max(initial=0.0)


def test_each_held_out_group_is_trained_without_its_own_rows():
    groups = [("office_small", "denver")] * 3 + [("office_small", "miami")] * 2
    groups += [("office_medium", "denver")] * 4
    splits = leave_one_group_out(groups)
    assert sorted(g for g, _, _ in splits) == sorted(set(groups))
    for group, train, test in splits:
        assert {groups[i] for i in test} == {group}
        assert group not in {groups[i] for i in train}
        assert len(train) + len(test) == len(groups)


def test_the_threshold_keeps_the_clean_episodes_within_the_budget():
    scores = np.array([0.05, 0.9, 0.2, 0.7, 0.4])
    threshold = threshold_for_budget(scores, point_days=2000.0, budget=1.0)  # two allowed
    assert (scores >= threshold).sum() == 2
    assert threshold_for_budget(scores, point_days=10_000.0, budget=1.0) == 0.0


def test_a_stored_scorer_loads_with_its_manifest(training, tmp_path: Path):
    rows, labels, groups, clean = training
    scorer = fit_for_budget(rows, labels, groups, clean, 588.0, budget=1.0, runs=["a", "b"])
    loaded = Scorer.load(scorer.save(tmp_path / "scorer"))
    assert loaded.manifest == scorer.manifest
    assert loaded.manifest.features == FEATURES
    assert np.allclose(loaded.score(rows), scorer.score(rows))
    with pytest.raises(ScorerFileError, match="train first"):
        Scorer.load(tmp_path / "nothing")


def test_detection_with_a_scorer_reports_the_planted_fault_with_its_score(training):
    rows, labels, groups, clean = training
    scorer = fit_for_budget(rows, labels, groups, clean, 588.0, budget=1.0, runs=["a"])
    b = building(11)
    frame, (point, _first) = _planted(b, 11, "offset")
    reported = judge(frame, b.relations, CALIBRATED, scorer)
    assert point in {e.point for e in reported}
    assert all(e.evidence["score"] >= scorer.manifest.threshold for e in reported)
    assert judge(frame, b.relations, CALIBRATED, None) == detect(frame, b.relations, CALIBRATED)


def test_without_a_trained_scorer_detect_falls_back_to_the_calibrated_thresholds(tmp_path):
    assert _scorer(None, tmp_path / "behaviour-scorer") is None
    with pytest.raises(ScorerFileError):
        _scorer(tmp_path / "named-but-empty", tmp_path / "behaviour-scorer")
