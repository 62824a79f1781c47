"""Per-building calibration of the networks' probabilities, cross-fitted inside the building.

A network trained on other buildings is over- or under-confident on a building whose naming it
never saw: a building that names every point `p0001` gives true relationships low scores, and
uncalibrated, every one of them would be a finding. Most of what a building declares is true, so
the building itself is the calibration set:

- **Relationships** (Platt scaling, per relationship type): the building's present
  relationships of the type (label 1) against random non-edges of the same type whose moved end
  is a node of the same kind in the same building (label 0; `corruption.rewire`), one per
  present relationship. A logistic
  map `p = sigmoid(a * logit + b)` (a >= 0, so it never inverts the network's order) is fitted
  on one half of the relationships and applied to the other half, and vice versa (cross-fitting),
  so no relationship is judged by a map fitted on itself. The calibrated probability is that of
  a relationship being real against a random wiring of the same kinds, at even odds.
- **Declared classes** (temperature scaling): the network's logits over the candidate classes
  are divided by a temperature `T` that maximises the likelihood of the building's own declared
  classes, fitted on one half of the classified nodes and applied to the other (and vice versa).
  A network that is confidently wrong about a building's conventions gets a high `T` and its
  disagreements soften; one that agrees with the building keeps its sharpness.

Why these two: both are one- or two-parameter maps, so a few dozen relationships or classes fit
them without over-fitting, and both are monotone, so the ranking inside a half is the network's
own. Conformal p-values were the alternative; with a few hundred relationships they cannot go
below 1/(n+1), too coarse for a threshold of about one finding per 1,000 nodes.

Example:
    >>> import numpy as np
    >>> platt = fit_platt(np.array([2.0, 3.0, 1.0, 2.5]), np.array([-1.0, 0.5, -2.0, -0.5]))
    >>> bool(platt.apply(np.array([3.0]))[0] > platt.apply(np.array([-2.0]))[0])
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, log_softmax, logit

MIN_EXAMPLES = 8
"""Fewer examples than this in a half (of either label): the map is fitted on the whole building,
and with fewer than this in all, the network's own probabilities are kept."""
SEED = 0
"""Halves and non-edges are drawn with a fixed seed: the same graph is judged the same way."""


@dataclass(frozen=True, slots=True)
class Platt:
    """`p = sigmoid(a * logit + b)`; the identity map is `Platt(1.0, 0.0)`."""

    a: float = 1.0
    b: float = 0.0

    def apply(self, logits: np.ndarray) -> np.ndarray:
        return expit(self.a * logits + self.b)


def fit_platt(positive: np.ndarray, negative: np.ndarray) -> Platt:
    """The logistic map of the logits that best separates `positive` (label 1) from `negative`
    (label 0), each label weighing the same in total; `a` is kept >= 0."""
    if min(len(positive), len(negative)) < MIN_EXAMPLES:
        return Platt()
    x = np.concatenate([positive, negative])
    y = np.concatenate([np.ones(len(positive)), np.zeros(len(negative))])
    w = np.concatenate(
        [np.full(len(positive), 0.5 / len(positive)), np.full(len(negative), 0.5 / len(negative))]
    )

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = params[0] * x + params[1]
        p = expit(z)
        nll = np.sum(w * (np.logaddexp(0.0, z) - y * z))
        grad = w * (p - y)
        return float(nll), np.array([np.sum(grad * x), np.sum(grad)])

    fitted = minimize(
        loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", bounds=[(0.0, 50.0), (-50, 50)]
    )
    return Platt(float(fitted.x[0]), float(fitted.x[1]))


def halves(count: int, seed: int = SEED) -> np.ndarray:
    """A random half of `count` items: True for the first half, False for the second."""
    mask = np.zeros(count, dtype=bool)
    mask[np.random.default_rng(seed).permutation(count)[: count // 2]] = True
    return mask


@dataclass(frozen=True, slots=True)
class CrossFit:
    """The maps fitted on half A, on half B, and on the whole set."""

    on_a: Platt
    on_b: Platt
    whole: Platt


def cross_fit(
    present: np.ndarray, negative: np.ndarray, in_a: np.ndarray, neg_a: np.ndarray
) -> CrossFit | None:
    """Platt maps fitted on each half and on the whole set; None when a half is too small."""
    if min(in_a.sum(), (~in_a).sum(), neg_a.sum(), (~neg_a).sum()) < MIN_EXAMPLES:
        return None
    return CrossFit(
        fit_platt(present[in_a], negative[neg_a]),
        fit_platt(present[~in_a], negative[~neg_a]),
        fit_platt(present, negative),
    )


@dataclass(frozen=True, slots=True)
class EdgeCalibration:
    """Cross-fitted maps per relationship type (types with too few relationships share the
    building's pooled maps; a building too small for those keeps the network's probabilities),
    and which half each present relationship is in."""

    types: np.ndarray  # relationship type of each present relationship
    in_a: np.ndarray
    maps: dict[int, CrossFit]
    pooled: CrossFit

    def _map(self, rel: int) -> CrossFit:
        return self.maps.get(rel, self.pooled)

    def present(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of the present relationships, each from the map fitted on
        the other half."""
        out = np.zeros(len(logits))
        for rel in np.unique(self.types):
            fit, mine = self._map(int(rel)), self.types == rel
            out[mine] = np.where(
                self.in_a[mine], fit.on_b.apply(logits[mine]), fit.on_a.apply(logits[mine])
            )
        return out

    def proposed(self, types: np.ndarray, p: np.ndarray, candidates: int) -> np.ndarray:
        """Calibrated probabilities of proposed missing relationships, each the best of up to
        `candidates` random ones: its odds against a random wiring are shared among them (prior
        odds 1 : candidates), or every node lacking a relationship would get one."""
        z = logit(np.clip(p, 1e-7, 1 - 1e-7)) - np.log(candidates)
        out = np.zeros(len(p))
        for rel in np.unique(types):
            mine = types == rel
            out[mine] = self._map(int(rel)).whole.apply(z[mine])
        return out


def calibrate_edges(
    types: np.ndarray, present: np.ndarray, negative: np.ndarray, negative_of: np.ndarray
) -> EdgeCalibration:
    """Cross-fitted Platt maps from the logits of the present relationships (of relationship
    `types`) and of random non-edges; `negative_of[j]` is the present relationship non-edge `j`
    was drawn from (same type), so both follow it into its half."""
    in_a = halves(len(present))
    neg_a = in_a[negative_of] if len(negative) else np.zeros(0, dtype=bool)
    neg_types = types[negative_of] if len(negative) else np.zeros(0, dtype=types.dtype)
    identity = CrossFit(Platt(), Platt(), Platt())
    pooled = cross_fit(present, negative, in_a, neg_a) or identity
    maps = {}
    for rel in np.unique(types):
        mine, theirs = types == rel, neg_types == rel
        fit = cross_fit(present[mine], negative[theirs], in_a[mine], neg_a[theirs])
        if fit is not None:
            maps[int(rel)] = fit
    return EdgeCalibration(types, in_a, maps, pooled)


def usual_in_building(
    kinds: np.ndarray,
    graph_of: np.ndarray,
    present: np.ndarray,
    proposals: np.ndarray,
    dependent_column: dict[int, int],
) -> np.ndarray:
    """Per proposed missing relationship `(start, type, end)`: do at least half of the nodes of
    the dependent end's kind in its building have a relationship of that type? Where most lack
    it, lacking it is the building's habit (rice leaves two thirds of its points without
    equipment), which a data-quality summary reports once; a proposal per node would repeat it.

    >>> kinds, graph_of = np.array([0, 1, 1, 1]), np.zeros(4, dtype=np.int64)
    >>> present = np.array([[0, 5, 1]])  # node 0 -[5]-> node 1; the end depends (column 2)
    >>> usual_in_building(kinds, graph_of, present, np.array([[0, 5, 2]]), {5: 2}).tolist()
    [False]
    """
    usual = np.zeros(len(proposals), dtype=bool)
    for rel, col in dependent_column.items():
        mine = np.flatnonzero(proposals[:, 1] == rel)
        if not len(mine):
            continue
        having = np.unique(present[present[:, 1] == rel][:, col])
        has = np.zeros(len(kinds), dtype=bool)
        has[having] = True
        for i in mine:
            row = proposals[i, col]
            peers = (kinds == kinds[row]) & (graph_of == graph_of[row])
            usual[i] = has[peers].sum() >= 0.5 * peers.sum()
    return usual


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The temperature that maximises the likelihood of `targets` (column per row) under
    `softmax(logits / T)`; 1.0 with fewer than `MIN_EXAMPLES` rows. Columns at -inf (classes
    of another kind) stay impossible."""
    if len(targets) < MIN_EXAMPLES:
        return 1.0
    rows = np.arange(len(targets))

    def nll(log_t: float) -> float:
        picked = log_softmax(logits / np.exp(log_t), axis=1)[rows, targets]
        return -float(np.mean(np.maximum(picked, -1e3)))  # a declared class of another kind

    fitted = minimize_scalar(nll, bounds=(np.log(0.05), np.log(50.0)), method="bounded")
    return float(np.exp(fitted.x))


def calibrated_softmax(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float]:
    """Class probabilities per row with a temperature fitted on the other half of the rows
    (cross-fitted), and the temperature fitted on all rows (for the evidence)."""
    in_a = halves(len(targets))
    whole = fit_temperature(logits, targets)
    probs = np.zeros_like(logits, dtype=np.float64)
    for fit_on, apply_to in ((in_a, ~in_a), (~in_a, in_a)):
        t = fit_temperature(logits[fit_on], targets[fit_on]) if fit_on.sum() else whole
        t = whole if fit_on.sum() < MIN_EXAMPLES else t
        probs[apply_to] = np.exp(log_softmax(logits[apply_to] / t, axis=1))
    return probs, whole
