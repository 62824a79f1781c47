"""Load benchmark: a generated twin through the store vs the same rows through the bare driver.

Every round wipes the twin (TwinStore.reset) before each of three loads of the
same generated graph, in a different order each round:

- store: TwinStore.load, the product (reads first, diffs, writes the difference, lineage);
  right after it, the same graph is loaded again and must report 0 created / 0 updated;
- same-state baseline: the end state of that store load written blind with plain UNWINDs;
- minimal baseline: the nodes and relationships alone, without provenance.

The first round is a warm-up (JIT, page cache, query plans) and does not count. The end state of
every load is checked, so a baseline can never be fast because it wrote less than the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j.exceptions import TransientError

from benchmarks.baseline import Writer, in_one_transaction, write_minimal, write_same_state
from benchmarks.harness import (
    Samples,
    info_table,
    load_average,
    markdown_table,
    note,
    paired_ratio,
    ratio,
    rotated,
    samples_table,
    timed,
)
from benchmarks.neo4j_server import BenchServer, bare_driver
from benchmarks.profiling import Profile, profile_baseline, profile_store_load
from benchmarks.twin_generator import generate_twin
from graphtwin.model import TwinGraph
from graphtwin.statements import cypher
from graphtwin.store import LoadReport, TwinStore

STORE = "store load"
SAME_STATE = "same-state baseline"
MINIMAL = "minimal baseline"
RELOAD = "store re-load (unchanged)"
VARIANTS = (STORE, SAME_STATE, MINIMAL)

TARGET_LOAD_S = 60.0
TARGET_RATIO = 1.3

_OUT_OF_TX_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


class BenchmarkFailedError(Exception):
    """A variant could not run at all (as opposed to running slowly)."""


class ReloadChangedError(AssertionError):
    """Re-loading an unchanged graph created or updated something: the diff is broken."""


@dataclass(frozen=True, slots=True)
class LoadOptions:
    nodes: int = 100_000
    rels: int = 200_000
    repeat: int = 3
    warmup: int = 1
    seed: int = 42
    profile: bool = True


@dataclass(slots=True)
class LoadResults:
    options: LoadOptions
    batch_size: int
    generate_s: float
    samples: dict[str, Samples]
    reload_report: LoadReport
    fingerprint: dict[str, int]
    profiles: list[Profile]
    load_avg_at_end: list[float]
    server: dict[str, object]

    @property
    def store(self) -> Samples:
        return self.samples[STORE]

    def ratios(self) -> dict[str, float]:
        return {
            "store / same-state baseline": ratio(self.store, self.samples[SAME_STATE]),
            "store / minimal baseline": ratio(self.store, self.samples[MINIMAL]),
            "same-state / minimal baseline": ratio(self.samples[SAME_STATE], self.samples[MINIMAL]),
            "store / same-state baseline, median of per-round ratios": paired_ratio(
                self.store, self.samples[SAME_STATE]
            ),
            "store re-load / store load": ratio(self.samples[RELOAD], self.store),
        }

    def targets(self) -> dict[str, dict[str, Any]]:
        headline = ratio(self.store, self.samples[SAME_STATE])
        return {
            "store load median <= 60 s": {
                "value": round(self.store.median, 2),
                "met": self.store.median <= TARGET_LOAD_S,
            },
            "store / same-state baseline <= 1.3x": {
                "value": round(headline, 2),
                "met": headline <= TARGET_RATIO,
            },
            "re-load reports 0 created / 0 updated": {
                "value": _changes(self.reload_report),
                "met": True,  # checked after every re-load; a failure aborts the benchmark
            },
        }

    def report(self) -> str:
        o = self.options
        entities = o.nodes + o.rels
        lines = [
            f"## Load: {o.nodes:,} nodes + {o.rels:,} relationships",
            "",
            f"Generated twin (seed {o.seed}, {self.generate_s:.1f} s to generate, not timed), "
            f"batch size {self.batch_size:,}, {o.repeat} measured round(s) after {o.warmup} "
            "warm-up round(s); variants alternate their order every round.",
            "",
            info_table(self.server),
            "",
            samples_table([self.samples[n] for n in (*VARIANTS, RELOAD)], reference=self.store),
            "",
            markdown_table(
                ["ratio of medians", "value"],
                [[name, f"{value:.2f}x"] for name, value in self.ratios().items()],
            ),
            "",
            markdown_table(
                ["target", "measured", "met"],
                [[k, v["value"], "yes" if v["met"] else "NO"] for k, v in self.targets().items()],
            ),
            "",
            f"Store throughput: {entities / self.store.median:,.0f} nodes+relationships/s "
            f"(same-state baseline {entities / self.samples[SAME_STATE].median:,.0f}/s).",
            f"Load average (1 min, 5 min) at the end: {self.load_avg_at_end}.",
        ]
        for profile in self.profiles:
            lines += ["", profile.table()]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": self.options.nodes,
            "relationships": self.options.rels,
            "seed": self.options.seed,
            "batch_size": self.batch_size,
            "server": self.server,
            "repeat": self.options.repeat,
            "warmup": self.options.warmup,
            "generate_s": round(self.generate_s, 3),
            "samples": {name: s.to_json() for name, s in self.samples.items()},
            "ratios": {name: round(v, 3) for name, v in self.ratios().items()},
            "targets": self.targets(),
            "reload_report": self.reload_report.to_json(),
            "end_state": self.fingerprint,
            "profiles": {p.name: p.to_json() for p in self.profiles},
            "load_avg_at_end": self.load_avg_at_end,
        }


def run_load(options: LoadOptions, server: BenchServer) -> LoadResults:
    note(f"generating a twin of {options.nodes:,} nodes and {options.rels:,} relationships ...")
    generate_s, graph = timed(lambda: generate_twin(options.nodes, options.rels, seed=options.seed))
    target = server.target
    server_info = server.info()
    with TwinStore.open(server.settings) as store, bare_driver(target) as driver:
        bench = _LoadBench(store, driver, target.database, graph)
        bench.run_rounds(warmup=options.warmup, repeat=options.repeat)
        profiles = bench.profile() if options.profile else []
        store.reset()
    assert bench.reload_report is not None and bench.reference is not None
    return LoadResults(
        options=options,
        batch_size=store.batch_size,
        generate_s=generate_s,
        samples=bench.samples,
        reload_report=bench.reload_report,
        fingerprint=bench.reference,
        profiles=profiles,
        load_avg_at_end=load_average(),
        server=server_info,
    )


class _LoadBench:
    def __init__(
        self, store: TwinStore, driver: neo4j.Driver, database: str, graph: TwinGraph
    ) -> None:
        self.store = store
        self.driver = driver
        self.database = database
        self.graph = graph
        self.samples = {name: Samples(name) for name in (*VARIANTS, RELOAD)}
        self.reload_report: LoadReport | None = None
        self.reference: dict[str, int] | None = None  # the end state of a store load
        self._writers: dict[str, Writer] = {SAME_STATE: write_same_state, MINIMAL: write_minimal}

    @property
    def batch_size(self) -> int:
        return self.store.batch_size

    def run_rounds(self, *, warmup: int, repeat: int) -> None:
        for round_no in range(warmup + repeat):
            measured = round_no >= warmup
            label = f"round {round_no - warmup + 1}/{repeat}" if measured else "warm-up"
            states: dict[str, dict[str, int]] = {}
            for variant in rotated(VARIANTS, round_no):
                self._fresh()
                try:
                    if variant == STORE:
                        seconds = self._store_round(measured)
                    else:
                        seconds = self._baseline_round(variant, measured)
                except TransientError as exc:
                    if exc.code != _OUT_OF_TX_MEMORY:
                        raise
                    raise BenchmarkFailedError(
                        f"{variant} ran out of transaction memory ({exc.message}); Neo4j allows "
                        "one transaction 70% of the heap: give the server more with --heap"
                    ) from exc
                states[variant] = self._fingerprint()
                note(f"  {label}: {variant} {seconds:.2f} s")
            self._check_end_states(states)

    def profile(self) -> list[Profile]:
        """One extra, profiled load of each kind (not part of the medians)."""
        note("  profiling one more load of each kind (not part of the medians) ...")
        self._fresh()
        store_profile, report = profile_store_load(
            self.driver, self.database, self.graph, self.batch_size, name="store load"
        )
        _check_created(report, self.graph)
        reload_profile, report = profile_store_load(
            self.driver, self.database, self.graph, self.batch_size, name="store re-load"
        )
        _check_unchanged(report, self.graph)
        profiles = [store_profile, reload_profile]
        for name, writer in self._writers.items():
            self._fresh()
            profiles.append(
                profile_baseline(
                    self.driver, self.database, name, writer, self.graph, self.batch_size
                )
            )
        return profiles

    # --- rounds -----------------------------------------------------------------------------

    def _store_round(self, measured: bool) -> float:
        seconds, reports = timed(lambda: self.store.load([self.graph]))
        _check_created(reports[0], self.graph)
        self.samples[STORE].add(seconds, measured=measured)
        reload_s, reloads = timed(lambda: self.store.load([self.graph]))
        self.reload_report = _check_unchanged(reloads[0], self.graph)
        self.samples[RELOAD].add(reload_s, measured=measured)
        note(f"  re-load {reload_s:.2f} s: {_changes(self.reload_report)}")
        return seconds

    def _baseline_round(self, name: str, measured: bool) -> float:
        writer = self._writers[name]
        seconds, _ = timed(
            lambda: in_one_transaction(
                self.driver, self.database, writer, self.graph, self.batch_size
            )
        )
        self.samples[name].add(seconds, measured=measured)
        return seconds

    def _fresh(self) -> None:
        """An empty twin (Community Edition has no db.checkpoint() to flush it, too)."""
        self.store.reset()

    # --- checks -----------------------------------------------------------------------------

    def _fingerprint(self) -> dict[str, int]:
        records, _, _ = self.driver.execute_query(
            cypher("bench/fingerprint"), database_=self.database, routing_="r"
        )
        return {k: v or 0 for k, v in records[0].data().items()}

    def _check_end_states(self, states: dict[str, dict[str, int]]) -> None:
        store_state = states[STORE]
        expected = {
            "nodes": len(self.graph.nodes),
            "assertions": len(self.graph.nodes),
            "relationships": len(self.graph.relationships),
            "sources": 1,
        }
        wrong = {k: store_state[k] for k, v in expected.items() if store_state[k] != v}
        if wrong:
            raise AssertionError(f"the store load left {wrong}, expected {expected}")
        if states[SAME_STATE] != store_state:
            raise AssertionError(
                "the same-state baseline wrote another end state than the store:\n"
                f"  store:    {store_state}\n  baseline: {states[SAME_STATE]}"
            )
        core = ("nodes", "node_properties", "relationships")
        if any(states[MINIMAL][k] != store_state[k] for k in core):
            raise AssertionError(
                f"the minimal baseline wrote other nodes or relationships: {states[MINIMAL]}"
            )
        self.reference = store_state


def _check_created(report: LoadReport, graph: TwinGraph) -> None:
    if (report.nodes_created, report.rels_created) != (len(graph.nodes), len(graph.relationships)):
        raise AssertionError(f"a load into an empty twin did not create everything: {report}")


def _check_unchanged(report: LoadReport, graph: TwinGraph) -> LoadReport:
    changes = (report.nodes_created, report.nodes_updated, report.rels_created, report.rels_updated)
    unchanged = (report.nodes_unchanged, report.rels_unchanged)
    if any(changes) or unchanged != (len(graph.nodes), len(graph.relationships)):
        raise ReloadChangedError(
            f"re-loading the same graph must report 0 created / 0 updated, got "
            f"{_changes(report)}: {report}"
        )
    return report


def _changes(report: LoadReport) -> str:
    return (
        f"nodes {report.nodes_created} created / {report.nodes_updated} updated / "
        f"{report.nodes_unchanged} unchanged, relationships {report.rels_created} created / "
        f"{report.rels_updated} updated / {report.rels_unchanged} unchanged"
    )
