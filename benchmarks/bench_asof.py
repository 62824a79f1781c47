"""As-of benchmark: the building query as the twin stood at a past time against the same query
for the present, and what 100 re-imports that each change 1% of the nodes cost the store and the
present-time query (issue 19's targets), in one run.

Set-up (untimed): the API benchmark's generated building (`benchmarks/api_building.py`, 10,000
points) loaded through `TwinStore.load`; every point gets a value, written both on the graph (as
the pipeline leaves it) and in the history store the API reads (as the pipeline appends it); the
real `graphtwin serve` runs in its own process over that history. The present answer is recorded
at a time T; one re-import then changes 1% of the nodes (names and a property), so an answer as
of T reads those from their closed versions.

- (a) Latency: the building query (building -> floors -> spaces -> equipment -> points with
  `current`) POSTed over HTTP for the present and `asOf: T`, taking turns in a rotated order
  after warm-up runs, each timed until its JSON is parsed. The answer as of T must equal the
  present answer recorded at T (checked before and after the re-imports).
- (b) Growth: 99 more re-imports, each changing another 1% of the nodes (chosen at random,
  seeded). Store size before (after the first load) and after: the Neo4j store files on disk
  after a restart (whose shutdown checkpoint writes the page cache out; Community has no
  `db.checkpoint()`), transaction logs left out (data/transactions: Neo4j prunes them), and
  the records (nodes,
  relationships, properties) counted in Cypher. The present and as-of queries are timed again
  the same way (after / before: the versions, the live graph's churn and the machine's drift
  together).
- (c) Same-run baseline for the present query's slowdown: on the restarted server after the
  re-imports, the present query timed with the closed versions kept, then (every NodeVersion,
  EdgeVersion and SourceVersion deleted) without them: kept / deleted is the versions' effect.

Targets (issue 19): as-of <= 1.5x the present query; storage growth <= 2x; present-time query
slowdown <= 10%.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.api_building import (
    BUILDING_ID,
    BuildingShape,
    GeneratedBuilding,
    generate_building,
    point_value_rows,
)
from benchmarks.bench_api import BUILDING_QUERY, Latencies, RunningApi, running_api
from benchmarks.harness import info_table, load_average, markdown_table, note, rotated, timed
from benchmarks.neo4j_server import BenchServer
from graphtwin.model import SourceInfo, TwinGraph
from graphtwin.neo4j_local import server as neo4j_server
from graphtwin.store import TwinStore
from graphtwin.telemetry.history import HistoryStore

TARGET_RATIO = 1.5
TARGET_GROWTH = 2.0
TARGET_SLOWDOWN = 0.10

QUERY = BUILDING_QUERY.replace("($id: ID!)", "($id: ID!, $at: DateTime)").replace(
    "node(twinId: $id)", "node(twinId: $id, asOf: $at)"
)
"""The API benchmark's building query with `asOf` (null: the present)."""
PRESENT = "present"
AS_OF = "as of T"
KEPT = "present, closed versions kept"
DELETED = "present, closed versions deleted"


@dataclass(frozen=True, slots=True)
class AsOfOptions:
    shape: BuildingShape = field(default_factory=BuildingShape)
    runs: int = 30
    warmup: int = 5
    reimports: int = 100
    changed_share: float = 0.01
    seed: int = 42


@dataclass(slots=True)
class StoreSize:
    bytes_on_disk: int | None
    """Neo4j store files (None for a server named by NEO4J_URI: its disk is not ours)."""
    records: dict[str, int]
    files: dict[str, int] = field(default_factory=dict)
    """Bytes by store: strings, properties, nodes, ..., and the indexes (`schema`)."""

    def to_json(self) -> dict[str, Any]:
        return {"bytes_on_disk": self.bytes_on_disk, "records": self.records, "files": self.files}


@dataclass(slots=True)
class AsOfResults:
    options: AsOfOptions
    counts: dict[str, int]
    changed_per_import: int
    reimport_s: list[float]
    before: dict[str, Latencies]
    after: dict[str, Latencies]
    size_before: StoreSize
    size_after: StoreSize
    baseline: dict[str, Latencies]
    """The same-run baseline: the present query timed with the closed versions kept, then with
    them deleted, on one server right after the re-imports."""
    versions_deleted: int
    server: dict[str, object]
    load_avg_at_end: list[float]

    def ratios(self) -> dict[str, float]:
        b, a = self.before, self.after
        found = {
            "as of T / present, p50": b[AS_OF].p50 / b[PRESENT].p50,
            "as of T / present, p95": b[AS_OF].p95 / b[PRESENT].p95,
            "present after / before the re-imports, p50": a[PRESENT].p50 / b[PRESENT].p50,
            "present after / before the re-imports, p95": a[PRESENT].p95 / b[PRESENT].p95,
            "as of T after / before the re-imports, p50": a[AS_OF].p50 / b[AS_OF].p50,
            "present, versions kept / deleted, p50": (
                self.baseline[KEPT].p50 / self.baseline[DELETED].p50
            ),
            "present, versions kept / deleted, p95": (
                self.baseline[KEPT].p95 / self.baseline[DELETED].p95
            ),
            "records after / before": _total(self.size_after) / _total(self.size_before),
        }
        if self.size_before.bytes_on_disk and self.size_after.bytes_on_disk:
            found["store files after / before"] = (
                self.size_after.bytes_on_disk / self.size_before.bytes_on_disk
            )
        return found

    def targets(self) -> dict[str, dict[str, Any]]:
        r = self.ratios()
        ratio = max(r["as of T / present, p50"], r["as of T / present, p95"])
        growth = r.get("store files after / before", r["records after / before"])
        slowdown = r["present, versions kept / deleted, p50"] - 1
        churn = r["present after / before the re-imports, p50"] - 1
        return {
            f"as-of query <= {TARGET_RATIO}x the present one (p50 and p95)": {
                "value": f"{r['as of T / present, p50']:.2f}x / {r['as of T / present, p95']:.2f}x",
                "met": ratio <= TARGET_RATIO,
            },
            f"store growth after {self.options.reimports} re-imports <= {TARGET_GROWTH}x": {
                "value": f"{growth:.2f}x",
                "met": growth <= TARGET_GROWTH,
            },
            f"present-time query slowdown from the versions <= {TARGET_SLOWDOWN:.0%} (p50, "
            "kept / deleted)": {
                "value": f"{slowdown:+.1%} (after / before the re-imports: {churn:+.1%})",
                "met": slowdown <= TARGET_SLOWDOWN,
            },
        }

    def report(self) -> str:
        o, c = self.options, self.counts
        rows = [s.row() for s in self.before.values()]
        rows += [[f"{s.name}, after the re-imports", *s.row()[1:]] for s in self.after.values()]
        rows += [s.row() for s in self.baseline.values()]
        sizes = [
            ["store files on disk (MB)", _mb(self.size_before.bytes_on_disk),
             _mb(self.size_after.bytes_on_disk)],
            *([name, self.size_before.records[name], self.size_after.records[name]]
              for name in self.size_before.records),
            *([f"{name} (MB)", _mb(self.size_before.files.get(name)), _mb(size)]
              for name, size in sorted(self.size_after.files.items(), key=lambda f: -f[1])[:6]),
        ]  # fmt: skip
        return "\n".join(
            [
                f"## As-of queries: one building, {c['points']:,} points, "
                f"{o.reimports} re-imports of {o.changed_share:.0%} of its nodes",
                "",
                f"Generated building ({c['nodes']:,} nodes; the API benchmark's). The building "
                "query (4 levels down to every point's `current`) over HTTP for the present and "
                f"`asOf` a time T before {o.reimports} re-imports, each changing "
                f"{self.changed_per_import} nodes (a name and a property; median "
                f"{_median(self.reimport_s):.1f} s per re-import). {o.runs} measured runs after "
                f"{o.warmup} warm-up runs, in a rotated order; the answer as of T equals the "
                "present answer recorded at T (checked before and after). Same-run baseline "
                "for the present query's slowdown: after the re-imports, on a restarted server, "
                f"{o.warmup} + {o.runs} runs of the present query with the closed versions kept, "
                f"then {o.warmup} + {o.runs} runs with them deleted ({self.versions_deleted:,} "
                "versions), back to back: the versions' own effect, apart from the live graph's "
                "churn and the machine's drift that before / after also holds.",
                "",
                info_table(self.server),
                "",
                markdown_table(
                    ["measurement", "p50 ms", "p95 ms", "min ms", "max ms", "runs"], rows
                ),
                "",
                markdown_table(["store", "before", f"after {o.reimports} re-imports"], sizes),
                "",
                markdown_table(
                    ["ratio", "value"], [[k, f"{v:.2f}x"] for k, v in self.ratios().items()]
                ),
                "",
                markdown_table(
                    ["target", "measured", "met"],
                    [
                        [k, v["value"], "yes" if v["met"] else "NO"]
                        for k, v in self.targets().items()
                    ],
                ),
                "",
                f"Load average (1 min, 5 min) at the end: {self.load_avg_at_end}.",
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "building": self.counts,
            "runs": self.options.runs,
            "warmup": self.options.warmup,
            "reimports": self.options.reimports,
            "changed_per_import": self.changed_per_import,
            "reimport_s": [round(s, 2) for s in self.reimport_s],
            "server": self.server,
            "latency_before": {k: v.to_json() for k, v in self.before.items()},
            "latency_after": {k: v.to_json() for k, v in self.after.items()},
            "latency_baseline": {k: v.to_json() for k, v in self.baseline.items()},
            "versions_deleted": self.versions_deleted,
            "store_before": self.size_before.to_json(),
            "store_after": self.size_after.to_json(),
            "ratios": {k: round(v, 3) for k, v in self.ratios().items()},
            "targets": self.targets(),
            "load_avg_at_end": self.load_avg_at_end,
        }


def run_asof(options: AsOfOptions, server: BenchServer) -> AsOfResults:
    shape = options.shape
    note(f"generating a building of {shape.points:,} points ({shape.nodes:,} nodes) ...")
    building = generate_building(shape, seed=options.seed)
    rng = random.Random(options.seed)
    changed = max(1, round(shape.nodes * options.changed_share))
    with tempfile.TemporaryDirectory(prefix="graphtwin-bench-asof-") as tmp:
        telemetry = Path(tmp) / "telemetry"
        with TwinStore.open(server.settings) as store:
            store.reset()
            load_s, _ = timed(lambda: store.load([building.graph]))
            _values(store, telemetry, building, options.seed)
        size_before = _size(server)
        note(f"  loaded in {load_s:.1f} s; store: {size_before.records}")
        # The first answers of a cold server on a busy machine can take longer than the API's
        # 15 s limit; the measured runs come after warm-up runs anyway.
        env = {"GRAPHTWIN_TELEMETRY_DIR": str(telemetry), "GRAPHTWIN_API_QUERY_TIMEOUT_S": "300"}
        with (
            running_api(server, env_extra=env) as api,
            httpx.Client(headers=api.headers, timeout=120) as client,
        ):
            time.sleep(0.05)
            at = datetime.now(UTC).isoformat()
            then = _answer(client, api, None)
            time.sleep(0.05)
            reimport_s = [_reimport(server, building, rng, changed, 1)]
            _check(client, api, at, then)
            before = _latency(client, api, {PRESENT: None, AS_OF: at}, options)
            note(f"  {options.reimports - 1} more re-imports of {changed} nodes each ...")
            for i in range(2, options.reimports + 1):
                reimport_s.append(_reimport(server, building, rng, changed, i))
            _check(client, api, at, then)
            after = _latency(client, api, {PRESENT: None, AS_OF: at}, options)
        size_after = _size(server)  # restarts a local Neo4j: the API is stopped first
        with (
            running_api(server, env_extra=env) as api,
            httpx.Client(headers=api.headers, timeout=120) as client,
        ):
            baseline = _latency(client, api, {KEPT: None}, options)
            with TwinStore.open(server.settings) as store:
                [row] = store.write("bench/versions_delete")
            baseline |= _latency(client, api, {DELETED: None}, options)
        with TwinStore.open(server.settings) as store:
            store.reset()
    return AsOfResults(
        options=options,
        counts=shape.counts(),
        changed_per_import=changed,
        reimport_s=reimport_s,
        before=before,
        after=after,
        size_before=size_before,
        size_after=size_after,
        baseline=baseline,
        versions_deleted=row["deleted"],
        server={**server.info(), "api_server": "graphtwin serve (uvicorn, 1 process)"},
        load_avg_at_end=load_average(),
    )


def _values(store: TwinStore, telemetry: Path, building: GeneratedBuilding, seed: int) -> None:
    """A value on every point: on the graph, and the same in the history the API reads."""
    rows = [{**r, "health": "ok"} for r in point_value_rows(building.point_ids, seed=seed)]
    [written] = store.write("bench/api_point_values", rows=rows)
    if written["points"] != len(rows):
        raise AssertionError(f"values written on {written['points']} of {len(rows)} points")
    history = HistoryStore(telemetry / "history", retention_days=None)
    history.append(
        [r["twin_id"] for r in rows],
        [int(r["at"].timestamp()) * 1_000_000_000 for r in rows],
        [r["value"] for r in rows],
        [r["quality"] for r in rows],
        [r["source"] for r in rows],
    )
    history.flush()


def _reimport(
    server: BenchServer, building: GeneratedBuilding, rng: random.Random, changed: int, i: int
) -> float:
    """Re-import the building with `changed` nodes renamed and given a new property value."""
    chosen = set(rng.sample(sorted(building.graph.nodes), changed))
    source = building.graph.source
    graph = TwinGraph(SourceInfo(source.source_id, source.format, source.file_name,
                                 f"{source.sha256[:56]}{i:08d}"))  # fmt: skip
    for node in building.graph.nodes.values():
        if node.twin_id in chosen:
            node = replace(node, name=f"{node.name} r{i}",
                           properties={**node.properties, "revision": i})  # fmt: skip
        graph.add_node(node)
    for rel in building.graph.iter_relationships():
        graph.add_relationship(rel)
    building.graph = graph  # the next re-import starts from this one
    with TwinStore.open(server.settings) as store:
        seconds, _ = timed(lambda: store.load([graph]))
    return seconds


def _answer(client: httpx.Client, api: RunningApi, at: str | None) -> bytes:
    body = orjson.dumps({"query": QUERY, "variables": {"id": BUILDING_ID, "at": at}})
    response = client.post(api.graphql_url, content=body)
    response.raise_for_status()
    payload = orjson.loads(response.content)
    if payload.get("errors"):
        raise AssertionError(f"the building query answered errors: {payload['errors']}")
    return response.content


def _check(client: httpx.Client, api: RunningApi, at: str, then: bytes) -> None:
    if orjson.loads(_answer(client, api, at)) != orjson.loads(then):
        raise AssertionError(f"the answer as of {at} differs from the answer recorded then")


def _latency(
    client: httpx.Client, api: RunningApi, times: dict[str, str | None], options: AsOfOptions
) -> dict[str, Latencies]:
    """The building query at each of `times` (name -> asOf, None: the present), in turns."""
    samples = {name: Latencies(name) for name in times}
    note(f"  latency: {options.warmup} warm-up + {options.runs} measured runs of each ...")
    for run in range(options.warmup + options.runs):
        for name in rotated(tuple(times), run):
            seconds, _ = timed(lambda: orjson.loads(_answer(client, api, times[name])))  # noqa: B023
            samples[name].add(seconds, measured=run >= options.warmup)
    for s in samples.values():
        note(f"  {s.name}: p50 {s.p50:.1f} ms, p95 {s.p95:.1f} ms")
    return samples


def _size(server: BenchServer) -> StoreSize:
    """The store's files on disk (a local server, restarted first: its shutdown checkpoint
    writes the page cache out) and its records, counted."""
    on_disk = None
    groups: dict[str, int] = {}
    if not server.settings.uses_external_server:
        neo4j_server.stop(server.settings)
        neo4j_server.start(server.settings)
        folder = server.settings.local_instance_dir / "data" / "databases"
        with TwinStore.open(server.settings) as store:
            folder = folder / store.database
        files = [p for p in folder.rglob("*") if p.is_file()]
        on_disk = sum(p.stat().st_size for p in files)
        for path in files:
            group = path.relative_to(folder).parts[0].removeprefix("neostore.")
            groups[group] = groups.get(group, 0) + path.stat().st_size
    with TwinStore.open(server.settings) as store:
        [counts] = store.read("bench/store_records")
    return StoreSize(on_disk, dict(counts), groups)


def _total(size: StoreSize) -> int:
    """Records of every kind (the version counts are among the nodes already)."""
    kinds = ("nodes", "relationships", "node_properties", "relationship_properties")
    return sum(size.records[k] for k in kinds)


def _mb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:.1f}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")
