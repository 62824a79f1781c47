"""The early-warning benchmark's scoring: warned crossings, false warnings and their causes."""

import numpy as np

from benchmarks.forecast_warnings import P_GRID, RunWarnings, curve


def _run() -> RunWarnings:
    """One point, 40 origins: a warning before the crossing at 12, a false one after a fault
    (origins 20-22) and a false one in the morning (origins 30-31)."""
    probability = np.zeros((1, 40))
    probability[0, 8:12] = 0.97  # warned 4 steps ahead of the crossing at 12
    probability[0, 20:23] = 0.97  # no crossing follows
    probability[0, 30:32] = 0.97  # no crossing follows
    outside = np.zeros((1, 40), dtype=bool)
    outside[0, 12:14] = True
    morning = np.zeros(40, dtype=bool)
    morning[28:34] = True
    return RunWarnings(
        "run", probability, outside, crossings=[(0, 12)], fault_spans={0: [(15, 25)]},
        morning=morning,
    )  # fmt: skip


def test_a_false_warning_is_counted_by_what_preceded_it():
    score = _run().score(0.95)

    assert (score["warnings"], score["warned"], score["false"]) == (3, 1, 2)
    assert (score["false_after_fault"], score["false_morning"]) == (1, 1)
    assert score["leads_min"] == [60]


def test_the_curve_gives_the_shares_at_every_threshold():
    found = curve([_run()])

    assert list(found) == [str(p) for p in P_GRID]
    assert found["0.95"] == {"warned_share": 1.0, "false_share": 2 / 3}
    assert found["0.3"]["false_share"] == 2 / 3
