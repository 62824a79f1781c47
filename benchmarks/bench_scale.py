"""Scale benchmark: a portfolio of a million nodes (issue 21), against the same queries on a twin
holding only one of its buildings, in the same run on the same server.

Set-up: the generated portfolio (`benchmarks/portfolio.py`: 40 buildings of 24,000 points with
their systems and FEEDS, 8 sites, 1,011,289 twin nodes by default), loaded through
`TwinStore.load`, one import (one transaction) per building, as a user importing a file per
building would; then a current value on every point (timed apart).

1. One building: the portfolio cut to its first building (the same graph as building 1 of the
   full one) is loaded into the empty server, `graphtwin serve` starts, the queries are timed.
2. The portfolio: the server is emptied, the whole portfolio loaded (timed: nodes/s and
   relationships/s), `graphtwin serve` starts again, the same queries are timed.

The queries, each timed until its answer is parsed, in turns (a rotated order every run) after
warm-up runs: the API benchmark's building query on building 1 (GraphQL over HTTP and the
hand-written Cypher, checked to answer the same data: `bench_api._ApiBench`) and its small
query; `nodes(kind: "Point")` paging, the first page and a deep one (after the middle point in
twin_id order); and a search for one equipment by name (which every building has one of).

Memory: this process's peak RSS (it generates the graphs), the API server's RSS, and Neo4j's:
the JVM heap from its own JMX bean (`dbms.queryJmx('java.lang:type=Memory')`), the page cache
as configured, the store files it caches (their size on disk), and the JVM's RSS (`/proc`).
"""

from __future__ import annotations

import base64
import os
import resource
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import neo4j
import orjson

from benchmarks.api_building import point_value_rows
from benchmarks.bench_api import (
    CYPHER,
    GRAPHQL,
    SMALL,
    STATEMENTS,
    Latencies,
    RunningApi,
    _ApiBench,
    running_api,
)
from benchmarks.harness import info_table, load_average, markdown_table, note, rotated, timed
from benchmarks.neo4j_server import BenchServer, bare_driver
from benchmarks.portfolio import (
    PortfolioShape,
    portfolio_building,
    portfolio_buildings,
    portfolio_graph,
)
from graphtwin.neo4j_local import server as neo4j_server
from graphtwin.store import TwinStore

FIRST_PAGE = "nodes(kind: Point), first page"
DEEP_PAGE = "nodes(kind: Point), deep page"
SEARCH = "search, one equipment by name"
PAGE_QUERY = """query Page($after: String) {
  nodes(kind: "Point", first: 100, after: $after) {
    items { twinId name brickClass }
    pageInfo { hasNextPage endCursor }
  }
}"""
SEARCH_QUERY = """query Find($text: String!) {
  search(text: $text, kind: "Equipment", first: 50) { twinId name }
}"""
SEARCHED = "VAV 0421"
"""An equipment name every building has (api_building numbers its equipment per building), as
words: the full-text index splits `VAV-0421` at its hyphen, and `search(text: "VAV-0421")`
finds nothing (its one prefix term `vav-0421*` matches no token)."""
QUERIES = (GRAPHQL, CYPHER, SMALL, FIRST_PAGE, DEEP_PAGE, SEARCH)
"""Reported, in this order; the building query's GraphQL and Cypher come from bench_api."""
ONE, ALL = "one building", "portfolio"


@dataclass(frozen=True, slots=True)
class ScaleOptions:
    shape: PortfolioShape = field(default_factory=PortfolioShape)
    runs: int = 30
    warmup: int = 5
    seed: int = 42


@dataclass(slots=True)
class Phase:
    """One twin (one building, or the portfolio): its load and what was measured on it."""

    name: str
    counts: dict[str, int]
    load_s: float
    values_s: float
    generate_s: float
    latencies: dict[str, Latencies]
    memory: dict[str, Any]
    database: dict[str, int]
    """Every node and relationship in Neo4j (provenance, sources included)."""

    @property
    def nodes_per_s(self) -> float:
        return self.counts["nodes"] / self.load_s

    @property
    def rels_per_s(self) -> float:
        return self.counts["relationships"] / self.load_s

    def to_json(self) -> dict[str, Any]:
        return {
            "twin": self.counts,
            "database": self.database,
            "generate_s": round(self.generate_s, 2),
            "load_s": round(self.load_s, 2),
            "nodes_per_s": round(self.nodes_per_s),
            "relationships_per_s": round(self.rels_per_s),
            "values_s": round(self.values_s, 2),
            "latency": {name: self.latencies[name].to_json() for name in QUERIES},
            "memory": self.memory,
        }


@dataclass(slots=True)
class ScaleResults:
    options: ScaleOptions
    one: Phase
    all: Phase
    server: dict[str, object]
    load_avg_at_end: list[float]

    def ratios(self) -> dict[str, tuple[float, float]]:
        """Per query: portfolio / one building, at p50 and at p95."""
        a, o = self.all.latencies, self.one.latencies
        return {q: (a[q].p50 / o[q].p50, a[q].p95 / o[q].p95) for q in QUERIES}

    def report(self) -> str:
        o = self.options
        s = o.shape
        b = s.building
        lines = [
            "## Scale: a portfolio of a million nodes against one of its buildings",
            "",
            f"Portfolio: {s.buildings} buildings of {b.points:,} points ({b.floors} floors x "
            f"{b.spaces_per_floor} spaces x {b.equipment_per_space} equipment x "
            f"{b.points_per_equipment} points, plus HVAC and electrical systems and FEEDS) on "
            f"{s.sites} sites: {s.nodes:,} twin nodes and {s.relationships:,} twin "
            "relationships; in Neo4j, with the provenance (one `ASSERTED_IN` per node and "
            f"source), {self.all.database['nodes']:,} nodes and "
            f"{self.all.database['relationships']:,} relationships. Loaded through "
            f"`TwinStore.load`, one import per building. The one-building twin is building 1 "
            "alone (with its site), loaded first into the same server. Every query: "
            f"{o.warmup} warm-up + {o.runs} measured runs, in turns, timed until the answer is "
            "parsed; GraphQL over HTTP to `graphtwin serve`, the hand-written Cypher through "
            "the bare driver.",
            "",
            "### Load",
            "",
            markdown_table(
                [
                    "twin",
                    "nodes",
                    "relationships",
                    "load s",
                    "nodes/s",
                    "relationships/s",
                    "point values s",
                    "generated s (not timed)",
                ],
                [
                    [
                        p.name,
                        f"{p.counts['nodes']:,}",
                        f"{p.counts['relationships']:,}",
                        f"{p.load_s:.1f}",
                        f"{p.nodes_per_s:,.0f}",
                        f"{p.rels_per_s:,.0f}",
                        f"{p.values_s:.1f}",
                        f"{p.generate_s:.1f}",
                    ]
                    for p in (self.one, self.all)
                ],
            ),
            "",
            "### Queries on building 1 (ms)",
            "",
            markdown_table(
                [
                    "query",
                    "one building p50",
                    "p95",
                    "portfolio p50",
                    "p95",
                    "portfolio / one, p50",
                    "p95",
                ],
                [
                    [
                        q,
                        f"{self.one.latencies[q].p50:.1f}",
                        f"{self.one.latencies[q].p95:.1f}",
                        f"{self.all.latencies[q].p50:.1f}",
                        f"{self.all.latencies[q].p95:.1f}",
                        f"{r50:.2f}x",
                        f"{r95:.2f}x",
                    ]
                    for q, (r50, r95) in self.ratios().items()
                ],
            ),
            "",
            "### Memory (MiB)",
            "",
            markdown_table(
                ["twin", *MEMORY_COLUMNS.values()],
                [
                    [p.name, *(_mib(p.memory.get(k)) for k in MEMORY_COLUMNS)]
                    for p in (self.one, self.all)
                ],
            ),
            "",
            "Heap: Neo4j's own JMX bean (`java.lang:type=Memory`, used / committed, after the "
            "queries); page cache: as configured (`server.memory.pagecache.size`), beside the "
            "store files it caches (their size on disk after a restart: its checkpoint writes "
            "them out); JVM and Python "
            "RSS: `/proc/<pid>/status` (VmRSS now, VmHWM the peak).",
            "",
            info_table({**self.server, "load_avg_at_end": self.load_avg_at_end}),
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "shape": {
                **self.options.shape.counts(),
                "building": self.options.shape.building.counts(),
            },
            "seed": self.options.seed,
            "runs": self.options.runs,
            "warmup": self.options.warmup,
            ONE: self.one.to_json(),
            ALL: self.all.to_json(),
            "ratios_portfolio_over_one": {
                q: {"p50": round(r50, 2), "p95": round(r95, 2)}
                for q, (r50, r95) in self.ratios().items()
            },
            "server": self.server,
            "cpus_usable": len(os.sched_getaffinity(0)),
            "load_avg_at_end": self.load_avg_at_end,
        }


MEMORY_COLUMNS = {
    "neo4j_heap_used": "Neo4j heap used",
    "neo4j_heap_committed": "heap committed",
    "neo4j_heap_max": "heap max",
    "neo4j_pagecache": "page cache",
    "neo4j_store_files": "store files",
    "neo4j_rss": "Neo4j JVM RSS",
    "api_rss": "API server RSS",
    "api_rss_peak": "API peak",
    "bench_rss_peak": "this process's peak",
}


def run_scale(options: ScaleOptions, server: BenchServer) -> ScaleResults:
    shape = options.shape
    one = _phase(ONE, PortfolioShape(1, shape.buildings_per_site, shape.building), options, server)
    full = _phase(ALL, shape, options, server)
    return ScaleResults(options, one, full, server.info(), load_average())


def _phase(name: str, shape: PortfolioShape, options: ScaleOptions, server: BenchServer) -> Phase:
    note(f"{name}: {shape.buildings} building(s), {shape.nodes:,} nodes ...")
    generate_s = load_s = values_s = 0.0
    point_ids: list[str] = []
    with TwinStore.open(server.settings) as store:
        store.reset()
        load_s, _ = timed(lambda: store.load([portfolio_graph(shape)]))
        for number, building in enumerate(_timed_buildings(shape, options.seed), start=1):
            generate_s += building.seconds
            seconds, _ = timed(lambda: store.load([building.graph]))  # noqa: B023
            load_s += seconds
            rows = point_value_rows(building.point_ids, seed=options.seed + number - 1)
            seconds, [written] = timed(lambda: store.write("bench/api_point_values", rows=rows))  # noqa: B023
            values_s += seconds
            if written["points"] != len(rows):
                raise AssertionError(f"values written on {written['points']} of {len(rows)}")
            point_ids += building.point_ids
            if number % 5 == 0 or number == shape.buildings:
                note(f"  {number} buildings loaded in {load_s:.1f} s")
        [database] = store.read("bench/scale_counts")
    point_ids.sort()
    middle = point_ids[len(point_ids) // 2]
    del point_ids
    building = portfolio_building(shape, 1, seed=options.seed)  # the one every query reads
    with running_api(server) as api, bare_driver(server.target) as driver:
        bench = _ApiBench(api, driver, server.target.database, building)
        bench.bodies |= {
            FIRST_PAGE: orjson.dumps({"query": PAGE_QUERY, "variables": {"after": None}}),
            DEEP_PAGE: orjson.dumps({"query": PAGE_QUERY, "variables": {"after": _cursor(middle)}}),
            SEARCH: orjson.dumps({"query": SEARCH_QUERY, "variables": {"text": SEARCHED}}),
        }
        latencies = _latency(bench, options)
        memory = _memory(server, api)
    memory["neo4j_store_files"] = _store_files(server)
    phase = Phase(name, shape.counts(), load_s, values_s, generate_s, latencies, memory, database)
    note(f"  {name}: {orjson.dumps(phase.to_json()).decode()}")  # kept, whatever comes next
    return phase


@dataclass(slots=True)
class _Generated:
    graph: Any
    point_ids: list[str]
    seconds: float


def _timed_buildings(shape: PortfolioShape, seed: int) -> Any:
    """The buildings, each with the seconds its generation took (not part of the load)."""
    buildings = portfolio_buildings(shape, seed=seed)
    while True:
        seconds, building = timed(lambda: next(buildings, None))
        if building is None:
            return
        yield _Generated(building.graph, building.point_ids, seconds)


def _latency(bench: _ApiBench, options: ScaleOptions) -> dict[str, Latencies]:
    """Every query of QUERIES, in turns (a rotated order every run), after bench_api's check
    that GraphQL and the hand-written Cypher answer the same building, and one answer of each
    other query that has no errors and is not empty."""
    samples = {name: Latencies(name) for name in QUERIES}
    note(f"  latency: {options.warmup} warm-up + {options.runs} measured runs of each ...")
    with httpx.Client(headers=bench.api.headers, timeout=120) as client:
        bench._check(client)
        for name in (FIRST_PAGE, DEEP_PAGE, SEARCH):
            response = client.post(bench.api.graphql_url, content=bench.bodies[name])
            answer = orjson.loads(response.content)
            if answer.get("errors") or not _answered(answer["data"]):
                raise AssertionError(f"{name} answered {str(answer)[:300]}")
        for run in range(options.warmup + options.runs):
            for name in rotated(QUERIES, run):
                if name == CYPHER:
                    seconds, _ = timed(lambda: bench._cypher(STATEMENTS[CYPHER]))
                else:
                    _, seconds = bench._graphql(client, name)
                samples[name].add(seconds, measured=run >= options.warmup)
    for s in samples.values():
        note(f"  {s.name}: p50 {s.p50:.1f} ms, p95 {s.p95:.1f} ms")
    return samples


def _answered(data: dict[str, Any]) -> bool:
    found = data.get("search") or data.get("nodes", {}).get("items")
    return bool(found)


def _cursor(twin_id: str) -> str:
    """A `nodes` page cursor (the API's: the last twin_id of the page, base64)."""
    return base64.urlsafe_b64encode(twin_id.encode()).decode()


def _memory(server: BenchServer, api: RunningApi) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with TwinStore.open(server.settings) as store:
        try:
            [jvm] = store.read("bench/jvm_memory")
        except neo4j.exceptions.ClientError as exc:  # a managed server (Aura) may refuse JMX
            note(f"  the Neo4j heap is not readable here: {exc.message}")
        else:
            found |= {f"neo4j_heap_{k}": jvm["heap"][k] for k in ("used", "committed", "max")}
            found["neo4j_non_heap_used"] = jvm["non_heap"]["used"]
    found |= {
        "bench_rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        **_rss("api", api.pid),
        **_rss("neo4j", api.neo4j_pid),
    }
    if not server.settings.uses_external_server:
        found["neo4j_pagecache"] = _bytes(server.settings.neo4j_pagecache)
    return found


def _store_files(server: BenchServer) -> int | None:
    """Bytes of the twin database's store files (what the page cache caches), after a restart
    of the local server: its shutdown checkpoint writes the pages out (Community has no
    `db.checkpoint()`); None for a server named by NEO4J_URI."""
    if server.settings.uses_external_server:
        return None
    neo4j_server.stop(server.settings)
    neo4j_server.start(server.settings)
    folder = server.settings.local_instance_dir / "data" / "databases" / server.target.database
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _rss(name: str, pid: int | None) -> dict[str, int]:
    """VmRSS and VmHWM (the peak) of a process, in bytes; nothing when it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text() if pid else ""
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    found = {}
    for key, suffix in (("VmRSS", ""), ("VmHWM", "_peak")):
        if key in fields:
            found[f"{name}_rss{suffix}"] = int(fields[key].split()[0]) * 1024
    return found


def _bytes(size: str) -> int:
    """`512m`, `2g`, `1024k` or bytes."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    unit = size[-1].lower()
    return int(float(size[:-1]) * units[unit]) if unit in units else int(size)


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:.0f}"
