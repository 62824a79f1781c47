"""Benchmark `python -m benchmarks drift-behaviour`: behaviour-based drift on the recorded
EnergyPlus runs (docs/behaviour.md).

Each run's twin graph is imported from its epJSON (with the run's mislabels applied, as a twin
that believes them would hold it); the detectors learn on the 14 history days and are scored on
the 28 evaluation days. Features alone: nothing is fitted across runs but the thresholds, held
out by building and climate: every detector runs once at lenient thresholds (LENIENT) on the clean
runs, and for each held-out (building, climate) each detector's threshold is LENIENT's times the
smallest factor that keeps its alarms on the *other* buildings' and climates' clean runs within
BUDGET per 1,000 point-days (`calibrate`); the held-out runs are then judged at those. In the
same run, the learned score (graphtwin.behaviour.scorer, `learned_score`): every detector at
lenient thresholds on every run, each episode labelled by the matching below, and for each
held-out (building, climate) a scorer trained on the other folds' runs only, its threshold
chosen on their clean runs' out-of-fold scores for each of SCORED_BUDGETS.

A fault counts as detected when a finding on one of its targets or affected points, from a rule
that can explain it, opens between its start and its end plus GRACE; a finding matching no
fault is a false positive. Seeds: each seed re-draws one sensor fault of each type (stuck,
offset, drift, noise, swap) into each clean run's served values with the project's own
sensor-fault code (graphtwin.virtual.faults.sensors), at seeded times and points; the recorded
fault runs are the same for every seed. False alarms are counted on the clean runs without
injected faults (the same for every seed).
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.forecast_data import (
    HISTORY_DAYS,
    Run,
    default_datasets_dir,
    load_run,
    unrecorded,
)
from benchmarks.harness import note as note_progress
from graphtwin.behaviour.detect import detect
from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.scorer import (
    FEATURES,
    LENIENT,
    episode_features,
    fit_for_budget,
    fit_model,
    out_of_fold_scores,
    predict,
    threshold_for_budget,
)
from graphtwin.behaviour.thresholds import Thresholds
from graphtwin.model import TwinGraph, TwinRelationship
from graphtwin.virtual.faults import sensors

GRACE = timedelta(hours=2)
CAUSE_OF = {
    "stuck": Cause.SENSOR, "offset": Cause.SENSOR, "drift": Cause.SENSOR,
    "noise": Cause.SENSOR, "swap": Cause.SENSOR, "mislabel": Cause.MODEL,
    "trip": Cause.BEHAVIOUR, "coil_failure": Cause.BEHAVIOUR,
    "setpoint_change": Cause.BEHAVIOUR, "schedule_change": Cause.BEHAVIOUR,
    "degradation": Cause.BEHAVIOUR,
}  # fmt: skip
SENSOR_TYPES = ("stuck", "offset", "drift", "noise", "swap")
EQUIPMENT_TYPES = ("trip", "coil_failure", "setpoint_change", "schedule_change", "degradation")
EXPLAINS = {
    "behaviour-stuck": {"stuck"},
    "behaviour-noise": {"noise"},
    "behaviour-residual": {*SENSOR_TYPES, "mislabel", *EQUIPMENT_TYPES},
    "behaviour-swap": {"swap"},
    "behaviour-profile": set(EQUIPMENT_TYPES),
    "behaviour-command": set(EQUIPMENT_TYPES),
    "behaviour-class": {"mislabel"},
    "behaviour-parent": {"mislabel"},
    "behaviour-response": {"mislabel"},
}
"""The fault types a finding of each rule can plausibly explain."""


@dataclass(slots=True)
class DriftBehaviourOptions:
    datasets: Path = field(default_factory=default_datasets_dir)
    seeds: tuple[int, ...] = (1, 2, 3)
    only: str | None = None
    """Only runs whose name contains this (a quick look)."""
    save_scorer: Path | None = None
    """Store a scorer trained on every run (and the first seed's injected faults) here."""


def run_drift_behaviour(options: DriftBehaviourOptions) -> dict[str, Any]:
    started = time.perf_counter()
    skipped = unrecorded(options.datasets)
    if skipped:
        return {"skipped": skipped}
    names = sorted(
        p.name
        for p in options.datasets.iterdir()
        if (p / "complete.json").is_file() and (not options.only or options.only in p.name)
    )
    prepared = {name: _prepare(options.datasets / name) for name in names}
    note_progress(f"{len(prepared)} runs read ({time.perf_counter() - started:.0f} s)")
    described = {
        name: judge_described(frame, relations)
        for name, (run, frame, relations) in prepared.items()
    }  # every recorded run at lenient thresholds, each episode with its features
    lenient = {
        name: (_point_days(frame), described[name][0])
        for name, (run, frame, relations) in prepared.items()
        if run.variant == "clean"
    }
    note_progress(f"lenient pass on every run ({time.perf_counter() - started:.0f} s)")
    limits = {
        fold: calibrate({n: v for n, v in lenient.items() if _fold(n) != fold})
        for fold in sorted({_fold(n) for n in prepared})
    }
    clean_alarms = []
    point_days = 0.0
    for name, (run, frame, relations) in prepared.items():
        if run.variant == "clean":
            found = judge(frame, relations, limits[_fold(name)])
            clean_alarms += [_row(run, frame, e) for e in found]
            point_days += _point_days(frame)
    recorded = {
        name: judge(frame, relations, limits[_fold(name)])
        for name, (run, frame, relations) in prepared.items()
        if run.variant == "faults"
    }  # the recorded fault runs are the same for every seed
    note_progress(f"clean and fault runs judged ({time.perf_counter() - started:.0f} s)")
    per_seed, scored_seeds, every = [], [], []
    fault_rows: list[dict[str, Any]] = []
    scored_rows: list[dict[str, Any]] = []
    for seed in options.seeds:
        rows, findings = [], []
        cases: list[Case] = []
        for name, (run, frame, relations) in prepared.items():
            if run.variant == "faults":
                labels, used, found = run.labels, frame, recorded[name]
                cases.append(Case(run, frame, labels, *described[name], clean=False))
            else:
                labels, used = _inject(run, frame, relations, seed)
                found = judge(used, relations, limits[_fold(name)])
                cases.append(Case(run, used, labels, *judge_described(used, relations), False))
                cases.append(Case(run, frame, [], *described[name], clean=True))
            rows += _score(run, used, labels, found)
            findings += [_finding(run, used, labels, e) for e in found]
        per_seed.append(_summary(rows, findings))
        save = options.save_scorer if seed == options.seeds[0] else None
        scored = learned_score(cases, seed, save)
        scored_seeds.append(scored)
        every.append(every_episode(cases))
        note_progress(f"seed {seed} ({time.perf_counter() - started:.0f} s)")
        if seed == options.seeds[0]:
            fault_rows = rows
            scored_rows = scored[SCORED_BUDGETS[0]].pop("rows")
        for budget in SCORED_BUDGETS:
            scored[budget].pop("rows", None)
    return {
        "runs": len(names),
        "seeds": list(options.seeds),
        "point_days_clean": round(point_days, 1),
        "false_alarms_clean": len(clean_alarms),
        "false_alarms_per_1000_point_days": round(1000 * len(clean_alarms) / max(point_days, 1), 3),
        "false_alarm_rules": dict(
            sorted(_count(a["rule"] for a in clean_alarms).items(), key=lambda kv: -kv[1])
        ),
        "false_alarm_examples": clean_alarms[:15],
        "thresholds": {
            "/".join(fold): {k: round(v, 4) for k, v in asdict(t).items()}
            for fold, t in limits.items()
        },
        "per_seed": per_seed,
        "mean": _mean_spread(per_seed),
        "faults_first_seed": fault_rows,
        "learned": {
            str(budget): {
                "per_seed": [s[budget] for s in scored_seeds],
                "mean": _mean_spread([s[budget] for s in scored_seeds]),
                "false_alarms_per_1000_point_days": _spread(
                    [s[budget]["false_alarms_per_1000_point_days"] for s in scored_seeds]
                ),
            }
            for budget in SCORED_BUDGETS
        },
        "learned_faults_first_seed": scored_rows,
        "lenient_every_episode": {"per_seed": every, "mean": _mean_spread(every)},
        "wall_s": round(time.perf_counter() - started, 1),
    }


SCALED = {
    "behaviour-residual": ("shift_ratio", "shift_floor"),
    "behaviour-noise": ("noise_ratio",),
    "behaviour-stuck": ("stuck_expected_change",),
    "behaviour-class": ("class_distance",),
    "behaviour-parent": ("parent_margin",),
    "behaviour-swap": ("swap_gain",),
}
"""The thresholds of each detector whose episodes have a strength (how far past them)."""
FACTORS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0)
BUDGET = 0.1
"""False alarms per 1,000 point-days each calibrated detector may raise on the other runs."""


WEEK = 7
"""Days judged per detection: each week of the evaluation window is judged with the 14 days
before it as its history, as a daily or weekly `graphtwin behaviour detect` would."""


def judge(frame: Frame, relations: Relations, limits: Thresholds) -> list[Episode]:
    """The episodes of the frame's evaluation window, judged a week at a time, each week with
    the history days before it (earlier judged days included: what a twin would have)."""
    per_day = frame.steps_per_day
    found: list[Episode] = []
    for first in range(frame.history, frame.steps, WEEK * per_day):
        lo, hi = first - frame.history, min(first + WEEK * per_day, frame.steps)
        week = Frame(frame.time_at(lo), frame.step, frame.ids, frame.values[lo:hi],
                     frame.history, frame.utc_offset)  # fmt: skip
        found += [
            replace(e, start=e.start + lo, end=e.end + lo, opened=e.opened + lo)
            for e in detect(week, relations, limits)
        ]
    return found


SCORED_BUDGETS = (1.0, 0.5)
"""False alarms per 1,000 point-days the learned score's threshold is chosen for, on the other
folds' clean runs (the target, and half of it as a margin)."""
SHIPPED_BUDGET = 0.5
"""The budget of the scorer `--save-scorer` stores: held out, the target's own budget gave 1.04
false alarms per 1,000 point-days (2026-12-08), half of it 0.51 (docs/behaviour.md)."""


@dataclass(slots=True)
class Case:
    """One judged run at lenient thresholds: its episodes, their features and its labels."""

    run: Run
    frame: Frame
    labels: list[dict[str, Any]]
    episodes: list[Episode]
    features: np.ndarray
    clean: bool
    """A clean run without injected faults (false alarms are counted on these)."""


def judge_described(frame: Frame, relations: Relations) -> tuple[list[Episode], np.ndarray]:
    """`judge` at LENIENT thresholds, each episode with its features (scorer.FEATURES) on the
    week it was found in."""
    per_day = frame.steps_per_day
    found: list[Episode] = []
    rows = [np.zeros((0, len(FEATURES)))]
    for first in range(frame.history, frame.steps, WEEK * per_day):
        lo, hi = first - frame.history, min(first + WEEK * per_day, frame.steps)
        week = Frame(frame.time_at(lo), frame.step, frame.ids, frame.values[lo:hi],
                     frame.history, frame.utc_offset)  # fmt: skip
        episodes = detect(week, relations, LENIENT)
        rows.append(episode_features(week, relations, episodes))
        found += [
            replace(e, start=e.start + lo, end=e.end + lo, opened=e.opened + lo) for e in episodes
        ]
    return found, np.vstack(rows)


def learned_score(
    cases: list[Case], seed: int, save: Path | None = None
) -> dict[float, dict[str, Any]]:
    """Held out by (building, climate): for each fold, a scorer trained on the other folds'
    cases, its threshold chosen on their clean runs (out of fold, scorer.fit_for_budget) for
    each of SCORED_BUDGETS; the fold's runs judged by the episodes that reach it. `save`: a
    scorer trained on every case stored there (what `graphtwin behaviour detect` loads)."""
    labels = [
        np.array([_matched(c.run, c.frame, c.labels, e) for e in c.episodes], bool) for c in cases
    ]
    folds = sorted({_fold(c.run.name) for c in cases})
    if save is not None:
        x, y, groups, clean, days = _training(cases, labels, list(range(len(cases))))
        runs = sorted({c.run.name + ("" if c.clean or c.run.variant == "faults" else "+injected")
                       for c in cases})  # fmt: skip
        fit_for_budget(x, y, groups, clean, days, budget=SHIPPED_BUDGET, runs=runs,
                       seed=seed).save(save)  # fmt: skip
    out: dict[float, dict[str, Any]] = {
        b: {"rows": [], "findings": [], "alarms": 0, "point_days": 0.0, "thresholds": {}}
        for b in SCORED_BUDGETS
    }
    for fold in folds:
        train = [i for i, c in enumerate(cases) if _fold(c.run.name) != fold]
        x, y, groups, clean, days = _training(cases, labels, train)
        oof = out_of_fold_scores(x, y, groups, seed)
        model = fit_model(x, y, seed)
        for budget in SCORED_BUDGETS:
            scored = clean & np.isfinite(oof)
            threshold = threshold_for_budget(oof[scored], point_days=days, budget=budget)
            result = out[budget]
            result["thresholds"]["/".join(fold)] = round(threshold, 4)
            for c in (c for c in cases if _fold(c.run.name) == fold):
                scores = predict(model, c.features)
                kept = [e for e, s in zip(c.episodes, scores, strict=True) if s >= threshold]
                if c.clean:
                    result["alarms"] += len(kept)
                    result["point_days"] += _point_days(c.frame)
                    continue
                result["rows"] += _score(c.run, c.frame, c.labels, kept)
                result["findings"] += [_finding(c.run, c.frame, c.labels, e) for e in kept]
    summaries = {}
    for budget, r in out.items():
        summary = _summary(r["rows"], r["findings"])
        summary["false_alarms_clean"] = r["alarms"]
        summary["false_alarms_per_1000_point_days"] = round(
            1000 * r["alarms"] / max(r["point_days"], 1), 3
        )
        summary["thresholds"] = r["thresholds"]
        summary["episodes"] = int(sum(len(c.episodes) for c in cases))
        summary["positives"] = int(sum(int(lab.sum()) for lab in labels))
        summary["rows"] = r["rows"]
        summaries[budget] = summary
    return summaries


def every_episode(cases: list[Case]) -> dict[str, Any]:
    """The scores if every lenient episode were reported: the recall a learned score can reach
    at most (false alarms aside)."""
    rows, findings = [], []
    for c in cases:
        if not c.clean:
            rows += _score(c.run, c.frame, c.labels, c.episodes)
            findings += [_finding(c.run, c.frame, c.labels, e) for e in c.episodes]
    return _summary(rows, findings)


def _training(
    cases: list[Case], labels: list[np.ndarray], chosen: list[int]
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]], np.ndarray, float]:
    """The features, labels, folds and clean mask of the chosen cases' episodes, and the
    point-days of their clean runs."""
    x = np.vstack([np.zeros((0, len(FEATURES)))] + [cases[i].features for i in chosen])
    y = np.concatenate([np.zeros(0, bool)] + [labels[i] for i in chosen])
    groups = [_fold(cases[i].run.name) for i in chosen for _ in cases[i].episodes]
    clean = np.concatenate([np.zeros(0, bool)] + [np.full(len(labels[i]), cases[i].clean)
                                                  for i in chosen])  # fmt: skip
    days = sum(_point_days(cases[i].frame) for i in chosen if cases[i].clean)
    return x, y, groups, clean, days


def calibrate(lenient: dict[str, tuple[float, list[Episode]]]) -> Thresholds:
    """Per detector, the smallest factor on LENIENT's thresholds that keeps its alarms on the
    given clean runs (other buildings and climates) within BUDGET."""
    days = sum(pd for pd, _ in lenient.values())
    changes: dict[str, float] = {}
    for rule, names in SCALED.items():
        strengths = [e.strength for _, found in lenient.values() for e in found if e.rule == rule]
        factor = next(
            (f for f in FACTORS if 1000 * sum(s >= f for s in strengths) / days <= BUDGET),
            FACTORS[-1],
        )
        for name in names:
            base = getattr(LENIENT, name)
            changes[name] = base / factor if name == "swap_gain" else base * factor
    return replace(LENIENT, **changes)


def _fold(name: str) -> tuple[str, str]:
    """(building, climate) of a run's name: what is held out together."""
    building, climate, _season, _variant = name.split("-")
    return building, climate


def _point_days(frame: Frame) -> float:
    return len(frame.ids) * (frame.steps - frame.history) / frame.steps_per_day


def _prepare(folder: Path) -> tuple[Run, Frame, Relations]:
    run = load_run(folder)
    frame = Frame.from_series(run.series, history_end=run.history_end, utc_offset=run.utc_offset)
    return run, frame, Relations.from_graph(_twin_graph(folder, run))


def _twin_graph(folder: Path, run: Run) -> TwinGraph:
    """The run's twin graph as the twin would hold it: ids of the recorded points, the run's
    mislabels applied."""
    from importers.energyplus import EnergyPlusImporter
    from importers.energyplus.ids import model_prefix

    info = json.loads((folder / "run.json").read_text())
    graph = EnergyPlusImporter().parse(folder / "energyplus" / "run.epJSON")
    right = model_prefix(Path(info["model_file"]))
    wrong = model_prefix(folder / "energyplus" / "run.epJSON")
    fixed = TwinGraph(graph.source)

    def rename(twin_id: str) -> str:
        return right + twin_id[len(wrong) :] if twin_id.startswith(wrong) else twin_id

    for node in graph.nodes.values():
        node.twin_id = rename(node.twin_id)
        fixed.nodes[node.twin_id] = node
    for rel in graph.iter_relationships():
        moved = TwinRelationship(rename(rel.start), rel.type, rename(rel.end), rel.properties)
        fixed.relationships[moved.key] = moved
    for label in run.labels:
        if label["type"] != "mislabel":
            continue
        point, params = label["targets"][0], label["parameters"]
        if params.get("brick_class"):
            fixed.nodes[point].properties["brick_class"] = params["brick_class"]
        if params.get("parent"):
            for key in [k for k in fixed.relationships if k[1] == "HAS_POINT" and k[2] == point]:
                del fixed.relationships[key]
            rel = TwinRelationship(params["parent"], "HAS_POINT", point)
            fixed.relationships[rel.key] = rel
    return fixed


def _inject(
    run: Run, frame: Frame, relations: Relations, seed: int
) -> tuple[list[dict[str, Any]], Frame]:
    """A copy of a clean run's frame with one sensor fault of each type drawn into its
    evaluation window (1 to 8 hours, 2 hours apart), applied step by step with the sensor
    effects the virtual buildings use; the labels as a recorded run writes them."""
    rng = random.Random(f"{seed}:{run.name}")
    temperatures = sorted(
        p
        for p in frame.ids
        if p in relations.points and "temperature" in str(relations.kind(p))
        and "setpoint" not in p
    )  # fmt: skip
    values = frame.values.copy()
    index = {p: i for i, p in enumerate(frame.ids)}
    labels, busy = [], []
    for kind in SENSOR_TYPES:
        for _ in range(50):
            steps = rng.randint(4, 32)
            lo = rng.randint(frame.history + 4, frame.steps - steps - 1)
            if all(lo > b_hi + 8 or lo + steps + 8 < b_lo for b_lo, b_hi in busy):
                break
        busy.append((lo, lo + steps))
        points = rng.sample(temperatures, 2 if kind == "swap" else 1)
        effect = {
            "stuck": lambda p: sensors.StuckAt(p[0]),
            "offset": lambda p: sensors.Offset(p[0], rng.choice([-1, 1]) * rng.uniform(1.5, 4)),
            "drift": lambda p: sensors.Drift(p[0], rng.choice([-1, 1]) * rng.uniform(0.1, 0.5)),
            "noise": lambda p: sensors.Noise(p[0], rng.uniform(0.5, 1.5), seed),
            "swap": lambda p: sensors.Swap(p[0], p[1]),
        }[kind](points)
        start = frame.time_at(lo)
        effect.before({p: float(values[lo - 1, index[p]]) for p in points})
        for t in range(lo, lo + steps):
            served = {p: float(values[t, index[p]]) for p in points}
            effect.apply(frame.time_at(t), start, served)
            for p, v in served.items():
                values[t, index[p]] = v
        labels.append(
            {
                "id": f"{kind}-injected", "type": kind, "targets": points, "affected": points,
                "start": start.isoformat(), "end": frame.time_at(lo + steps - 1).isoformat(),
            }
        )  # fmt: skip
    injected = Frame(frame.start, frame.step, frame.ids, values, frame.history, frame.utc_offset)
    return labels, injected


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _window(run: Run, frame: Frame, label: dict[str, Any]) -> tuple[datetime, datetime]:
    start, end = _when(label["start"]), _when(label["end"])
    history_end = frame.time_at(frame.history)
    return max(start, history_end), end + GRACE


def _explains(episode: Episode, label: dict[str, Any]) -> bool:
    return label["type"] in EXPLAINS.get(episode.rule, set())


def _on(episode: Episode, label: dict[str, Any]) -> bool:
    return episode.point in set(label["targets"]) | set(label.get("affected", []))


def _matched(run: Run, frame: Frame, labels: list[dict[str, Any]], e: Episode) -> bool:
    opened = frame.time_at(e.opened)
    for label in labels:
        lo, hi = _window(run, frame, label)
        if _on(e, label) and _explains(e, label) and lo <= opened <= hi:
            return True
    return False


def _score(
    run: Run, frame: Frame, labels: list[dict[str, Any]], found: list[Episode]
) -> list[dict[str, Any]]:
    rows = []
    for label in labels:
        lo, hi = _window(run, frame, label)
        hits = [
            e for e in found
            if _on(e, label) and _explains(e, label) and lo <= frame.time_at(e.opened) <= hi
        ]  # fmt: skip
        first = min(hits, key=lambda e: e.opened) if hits else None
        rows.append(
            {
                "run": run.name, "fault": label["id"], "type": label["type"],
                "detected": first is not None,
                "delay_min": (frame.time_at(first.opened) - lo).total_seconds() / 60
                if first else None,
                "rule": first.rule if first else None,
                "cause": str(first.cause) if first else None,
                "cause_right": first is not None and first.cause is CAUSE_OF[label["type"]],
            }
        )  # fmt: skip
    return rows


def _finding(run: Run, frame: Frame, labels: list[dict[str, Any]], e: Episode) -> dict[str, Any]:
    return {**_row(run, frame, e), "matched": _matched(run, frame, labels, e)}


def _row(run: Run, frame: Frame, e: Episode) -> dict[str, Any]:
    return {
        "run": run.name, "point": e.point, "rule": e.rule, "cause": str(e.cause),
        "opened": frame.time_at(e.opened).isoformat(), "steps": e.end - e.start,
        "description": e.description,
    }  # fmt: skip


def _summary(rows: list[dict[str, Any]], findings: list[dict[str, Any]]) -> dict[str, Any]:
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_type[r["type"]].append(r)
    true_findings = sum(f["matched"] for f in findings)
    precision = true_findings / len(findings) if findings else 0.0
    recall = sum(r["detected"] for r in rows) / len(rows) if rows else 0.0
    detected = [r for r in rows if r["detected"]]
    return {
        "faults": len(rows),
        "types": len(by_type),
        "findings": len(findings),
        "false_positives": len(findings) - true_findings,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(_f1(precision, recall), 3),
        "cause_right": round(sum(r["cause_right"] for r in detected) / max(len(detected), 1), 3),
        "per_type": {
            kind: {
                "faults": len(rs),
                "recall": round(sum(r["detected"] for r in rs) / len(rs), 3),
                "precision": _type_precision(findings, kind),
                "median_delay_min": statistics.median(
                    [r["delay_min"] for r in rs if r["detected"]]
                ) if any(r["detected"] for r in rs) else None,
                "cause_right": round(
                    sum(r["cause_right"] for r in rs if r["detected"])
                    / max(sum(r["detected"] for r in rs), 1), 3),
            }
            for kind, rs in sorted(by_type.items())
        },
    }  # fmt: skip


def _type_precision(findings: list[dict[str, Any]], kind: str) -> float | None:
    """Share of findings of rules that explain `kind` that matched a fault (any)."""
    mine = [f for f in findings if kind in EXPLAINS.get(f["rule"], set())]
    return round(sum(f["matched"] for f in mine) / len(mine), 3) if mine else None


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _mean_spread(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for key in ("precision", "recall", "f1", "cause_right", "faults", "false_positives"):
        values = [s[key] for s in per_seed]
        out[key] = {"mean": round(float(np.mean(values)), 3), "sd": round(float(np.std(values)), 3)}
    return out


def _spread(values: list[float]) -> dict[str, float]:
    return {"mean": round(float(np.mean(values)), 3), "sd": round(float(np.std(values)), 3)}


def _count(items: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    return dict(counts)


def report_drift_behaviour(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"behaviour drift skipped: {result['skipped']}"
    lines = [
        f"behaviour drift on {result['runs']} recorded runs, seeds {result['seeds']} "
        f"({result['wall_s']} s)",
        f"false alarms on clean runs: {result['false_alarms_clean']} in "
        f"{result['point_days_clean']} point-days = "
        f"{result['false_alarms_per_1000_point_days']} per 1,000 (target <= 1); by rule "
        f"{result['false_alarm_rules']}",
    ]
    m = result["mean"]
    lines.append(
        "overall (mean +- sd over seeds): "
        + ", ".join(f"{k} {v['mean']} +- {v['sd']}" for k, v in m.items())
    )
    lines.append(
        "| type | faults | recall | precision of its rules | median delay (min) | cause right |"
    )
    lines.append("|---|---|---|---|---|---|")
    lines += _type_lines(result["per_seed"])
    for budget, learned in result.get("learned", {}).items():
        m = learned["mean"]
        lines.append(
            f"learned score (threshold for {budget} false alarms per 1,000 point-days on the "
            f"other folds' clean runs): "
            + ", ".join(f"{k} {v['mean']} +- {v['sd']}" for k, v in m.items())
            + f"; false alarms per 1,000 point-days {learned['false_alarms_per_1000_point_days']}"
        )
        lines += _type_lines(learned["per_seed"])
    if "lenient_every_episode" in result:
        every = result["lenient_every_episode"]
        lines.append(
            "every lenient episode reported (the learned score's ceiling): "
            + ", ".join(f"{k} {v['mean']} +- {v['sd']}" for k, v in every["mean"].items())
        )
        lines += _type_lines(every["per_seed"])
    return "\n".join(lines)


def _type_lines(per_seed: list[dict[str, Any]]) -> list[str]:
    """One table row per fault type: recall over the seeds, the first seed's other columns."""
    lines = []
    for kind, t in per_seed[0]["per_type"].items():
        recalls = [s["per_type"][kind]["recall"] for s in per_seed]
        lines.append(
            f"| {kind} | {t['faults']} | {np.mean(recalls):.2f} +- {np.std(recalls):.2f} | "
            f"{t['precision']} | {t['median_delay_min']} | {t['cause_right']} |"
        )
    return lines


__all__ = ["HISTORY_DAYS", "DriftBehaviourOptions", "report_drift_behaviour", "run_drift_behaviour"]
