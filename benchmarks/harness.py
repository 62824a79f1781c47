"""What every benchmark shares: timing, medians, machine and version info, tables and JSON."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import graphtwin
from graphtwin.config import Settings
from graphtwin.errors import GraphTwinError
from graphtwin.neo4j_local.java import find_java

T = TypeVar("T")


# --- timing -------------------------------------------------------------------------------


@dataclass(slots=True)
class Stopwatch:
    seconds: float = 0.0


@contextmanager
def stopwatch() -> Iterator[Stopwatch]:
    """`with stopwatch() as t: ...` leaves the elapsed wall-clock seconds in `t.seconds`."""
    watch = Stopwatch()
    started = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - started


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Run `fn` and return (seconds, its result)."""
    with stopwatch() as watch:
        result = fn()
    return watch.seconds, result


@dataclass(slots=True)
class Samples:
    """The measured seconds of one thing, round after round (warm-up rounds kept apart)."""

    name: str
    values: list[float] = field(default_factory=list)
    warmup: list[float] = field(default_factory=list)

    def add(self, seconds: float, *, measured: bool) -> None:
        (self.values if measured else self.warmup).append(seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def max(self) -> float:
        return max(self.values)

    def to_json(self) -> dict[str, Any]:
        return {
            "median_s": round(self.median, 3),
            "min_s": round(self.min, 3),
            "max_s": round(self.max, 3),
            "rounds_s": [round(v, 3) for v in self.values],
            "warmup_s": [round(v, 3) for v in self.warmup],
        }


def ratio(numerator: Samples, denominator: Samples) -> float:
    """Ratio of the medians (how many times slower `numerator` is than `denominator`)."""
    return numerator.median / denominator.median


def paired_ratio(numerator: Samples, denominator: Samples) -> float:
    """Median of the per-round ratios: less sensitive to a machine that slows down and speeds
    up between rounds, since both sides of each ratio ran in the same round."""
    return statistics.median(
        n / d for n, d in zip(numerator.values, denominator.values, strict=True)
    )


def rotated(items: Sequence[T], by: int) -> list[T]:
    """`items` starting at position `by`: each round runs the variants in another order."""
    shift = by % len(items)
    return [*items[shift:], *items[:shift]]


# --- machine and versions -----------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """Where the numbers were measured: CPU, memory, load, Python and library versions."""
    load1, load5, _ = os.getloadavg()
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host_cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "ram_gib": _ram_gib(),
        "load_avg_at_start": [round(load1, 2), round(load5, 2)],
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "java": _java(),
        "neo4j_driver": metadata.version("neo4j"),
        "graphtwin": graphtwin.__version__,
    }


def _java() -> str:
    try:
        java = find_java(Settings().java)
    except GraphTwinError as exc:
        return f"not found ({exc})"
    return f"{java.major} ({java.executable})"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float]:
    load1, load5, _ = os.getloadavg()
    return [round(load1, 2), round(load5, 2)]


# --- output -------------------------------------------------------------------------------


def note(message: str) -> None:
    """Progress on stderr, so that stdout stays the report."""
    print(message, file=sys.stderr, flush=True)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table, columns padded so that it also reads well in a terminal."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [
        any(_cell(row[i]) for row in rows)
        and all(_is_number(row[i]) for row in rows if _cell(row[i]))
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [
        ("-" * (w - 1) + ":") if num else "-" * w for w, num in zip(widths, numeric, strict=True)
    ]
    return "\n".join([line(cells[0]), line(rule), *(line(row) for row in cells[1:])])


def samples_table(samples: Sequence[Samples], *, reference: Samples) -> str:
    """Median, min and max of each measurement, with the reference's median divided by its."""
    rows = [
        [
            s.name,
            f"{s.median:.2f}",
            f"{s.min:.2f}",
            f"{s.max:.2f}",
            len(s.values),
            f"{reference.median / s.median:.2f}x",
        ]
        for s in samples
    ]
    headers = ["measurement", "median s", "min s", "max s", "rounds", f"{reference.name} ÷ this"]
    return markdown_table(headers, rows)


def info_table(info: dict[str, Any]) -> str:
    return markdown_table(["", ""], [[k, _cell(v)] for k, v in info.items()])


def write_json(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return "" if value is None else str(value)


def _is_number(text: object) -> bool:
    try:
        float(str(text).removesuffix("x"))
    except ValueError:
        return False
    return True
