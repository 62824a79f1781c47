"""Where a load's time goes: seconds per Cypher statement, the commit, and Python in between.

A profiled round wraps the transaction so that each `run` is timed until its last record has
arrived (the records are buffered and handed on). It is one extra round, never part of the
medians: buffering changes nothing the loader sees, but the bookkeeping costs a little.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import neo4j

from benchmarks.baseline import Writer
from benchmarks.harness import markdown_table, stopwatch
from graphtwin.model import TwinGraph
from graphtwin.statements import catalogue, cypher
from graphtwin.store.loader import GraphLoader
from graphtwin.store.report import LoadReport


@dataclass(slots=True)
class StatementTiming:
    calls: int = 0
    rows: int = 0
    """Rows sent: the length of the statement's longest list parameter."""
    records: int = 0
    """Records returned to Python."""
    seconds: float = 0.0


@dataclass(slots=True)
class Profile:
    """One profiled load: wall time, each statement's share, the commit and the rest."""

    name: str
    wall_s: float = 0.0
    commit_s: float = 0.0
    statements: dict[str, StatementTiming] = field(default_factory=dict)

    @property
    def neo4j_s(self) -> float:
        return sum(t.seconds for t in self.statements.values())

    @property
    def python_s(self) -> float:
        """Everything that is not a statement or the commit: row building, hashing, diffing."""
        return self.wall_s - self.neo4j_s - self.commit_s

    def table(self) -> str:
        rows: list[list[object]] = [
            [
                name,
                t.calls,
                t.rows,
                t.records,
                f"{t.seconds:.2f}",
                f"{100 * t.seconds / self.wall_s:.0f}%",
            ]
            for name, t in sorted(self.statements.items(), key=lambda kv: -kv[1].seconds)
        ]
        rows.append(["commit", 1, "", "", f"{self.commit_s:.2f}", self._share(self.commit_s)])
        rows.append(
            [
                "python (rows, hashes, diff)",
                "",
                "",
                "",
                f"{self.python_s:.2f}",
                self._share(self.python_s),
            ]
        )
        rows.append(["total", "", "", "", f"{self.wall_s:.2f}", "100%"])
        return markdown_table(
            [f"{self.name}: step", "calls", "rows sent", "records back", "seconds", "share"], rows
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "wall_s": round(self.wall_s, 3),
            "commit_s": round(self.commit_s, 3),
            "python_s": round(self.python_s, 3),
            "statements": {
                name: {
                    "calls": t.calls,
                    "rows": t.rows,
                    "records": t.records,
                    "seconds": round(t.seconds, 3),
                }
                for name, t in self.statements.items()
            },
        }

    def _share(self, seconds: float) -> str:
        return f"{100 * seconds / self.wall_s:.0f}%"


class _BufferedResult:
    """The parts of neo4j.Result the loader and the writers use, over buffered records."""

    def __init__(self, records: list[neo4j.Record], summary: neo4j.ResultSummary) -> None:
        self._records = records
        self._summary = summary

    def __iter__(self) -> Iterator[neo4j.Record]:
        return iter(self._records)

    def single(self) -> neo4j.Record | None:
        return self._records[0] if self._records else None

    def consume(self) -> neo4j.ResultSummary:
        return self._summary


class _TimedTransaction:
    """Stands in for a neo4j.Transaction and times every statement run through it."""

    def __init__(self, tx: neo4j.Transaction, profile: Profile) -> None:
        self._tx = tx
        self._profile = profile

    def run(self, query: str, parameters: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        with stopwatch() as watch:
            result = self._tx.run(query, parameters, **kwargs)
            records = list(result)
            summary = result.consume()
        timing = self._profile.statements.setdefault(_statement_name(query), StatementTiming())
        timing.calls += 1
        timing.records += len(records)
        timing.seconds += watch.seconds
        params = {**(parameters or {}), **kwargs}
        timing.rows += max((len(v) for v in params.values() if isinstance(v, list)), default=0)
        return _BufferedResult(records, summary)


def profile_transaction(
    driver: neo4j.Driver, database: str, name: str, work: Callable[[Any], object]
) -> tuple[Profile, object]:
    """Run `work(timed_tx)` in one transaction, commit, and say where the time went."""
    profile = Profile(name)
    with stopwatch() as total, driver.session(database=database) as session:
        tx = session.begin_transaction()
        try:
            result = work(_TimedTransaction(tx, profile))
        except BaseException:
            tx.rollback()
            raise
        with stopwatch() as commit:
            tx.commit()
    profile.wall_s = total.seconds
    profile.commit_s = commit.seconds
    return profile, result


def profile_store_load(
    driver: neo4j.Driver, database: str, graph: TwinGraph, batch_size: int, *, name: str
) -> tuple[Profile, LoadReport]:
    """A store load as TwinStore.load runs it (GraphLoader in one transaction), profiled."""

    def work(tx: Any) -> LoadReport:
        loader = GraphLoader(tx, now=datetime.now(UTC), batch_size=batch_size)
        return loader.load(graph)

    profile, report = profile_transaction(driver, database, name, work)
    assert isinstance(report, LoadReport)
    return profile, report


def profile_baseline(
    driver: neo4j.Driver,
    database: str,
    name: str,
    write: Writer,
    graph: TwinGraph,
    batch_size: int,
) -> Profile:
    profile, _ = profile_transaction(
        driver, database, name, lambda tx: write(tx, graph, batch_size)
    )
    return profile


@cache
def _names() -> dict[str, str]:
    return {cypher(name): name for name in catalogue()}


def _statement_name(query: str) -> str:
    return _names().get(query, "(unnamed statement)")
