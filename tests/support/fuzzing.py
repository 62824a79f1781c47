"""Seeded random mutations of real input files, and a harness that feeds them to an importer.

Every mutation is made by its own `random.Random(seed)`, so one failing case is reproduced from
its seed alone: `mutate(original, seed)` gives the same bytes on every machine and every run.
The kinds are what a broken copy, a bad disk or a careless edit does to a file: cut it short,
flip a few bytes, repeat a line, drop a line, or several of those at once.
"""

from __future__ import annotations

import random
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graphtwin.errors import GraphTwinError, InputError
from graphtwin.model import TwinGraph

_SYNTAX = b"0123456789-+.,;:()'\"#$*<>/=&[]{}@_ aezAEZ\n\t\\"
KINDS = ("truncate", "flip_bytes", "duplicate_line", "delete_line", "mixed")


@dataclass(frozen=True, slots=True)
class Mutation:
    """One mutated copy of a file: how it was made, reproducible from `seed`."""

    seed: int
    kind: str
    detail: str
    data: bytes

    def describe(self) -> str:
        return f"seed {self.seed} ({self.kind}: {self.detail})"


def mutate(original: bytes, seed: int) -> Mutation:
    """The mutation of `original` that `seed` picks."""
    rng = random.Random(seed)
    kind = KINDS[rng.randrange(len(KINDS))]
    if kind == "mixed":
        data, steps = original, []
        for _ in range(rng.randint(2, 4)):
            step = rng.choice(KINDS[:-1])
            data, detail = _STEPS[step](data, rng)
            steps.append(f"{step} {detail}")
        return Mutation(seed, kind, "; ".join(steps), data)
    data, detail = _STEPS[kind](original, rng)
    return Mutation(seed, kind, detail, data)


def mutations(original: bytes, seeds: Sequence[int]) -> Iterator[Mutation]:
    for seed in seeds:
        yield mutate(original, seed)


def _truncate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    at = rng.randrange(len(data)) if data else 0
    return data[:at], f"cut at byte {at} of {len(data)}"


def _flip_bytes(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    if not data:
        return data, "empty"
    buffer = bytearray(data)
    flips = []
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(buffer))
        # half the time a byte of the format's own syntax, so the text stays text and the
        # parser gets further than its first decoding error
        value = rng.choice(_SYNTAX) if rng.random() < 0.5 else rng.randrange(256)
        flips.append(f"{at}:{buffer[at]:#04x}->{value:#04x}")
        buffer[at] = value
    return bytes(buffer), "bytes " + ", ".join(flips)


def _duplicate_line(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data, "no lines"
    at = rng.randrange(len(lines))
    to = rng.randrange(len(lines) + 1)
    copy = lines[at] if lines[at].endswith(b"\n") else lines[at] + b"\n"
    lines.insert(to, copy)
    return b"".join(lines), f"line {at + 1} copied before line {to + 1}"


def _delete_line(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data, "no lines"
    at = rng.randrange(len(lines))
    del lines[at]
    return b"".join(lines), f"line {at + 1} deleted"


_STEPS: dict[str, Callable[[bytes, random.Random], tuple[bytes, str]]] = {
    "truncate": _truncate,
    "flip_bytes": _flip_bytes,
    "duplicate_line": _duplicate_line,
    "delete_line": _delete_line,
}


@dataclass(slots=True)
class FuzzOutcome:
    """What a batch of mutations did to a parser."""

    parsed: list[tuple[Mutation, TwinGraph]] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    """Typed input errors by class name."""
    crashes: list[str] = field(default_factory=list)
    """Every case that ended in anything but a graph or an `InputError`, reproducible."""
    slowest_s: float = 0.0

    @property
    def cases(self) -> int:
        return len(self.parsed) + sum(self.refused.values()) + len(self.crashes)


def fuzz_parser(
    parse: Callable[[Path], TwinGraph],
    original: Path,
    seeds: Sequence[int],
    workdir: Path,
    *,
    label: str,
) -> FuzzOutcome:
    """Parse every mutation of `original` (written under its own name in `workdir`, so the
    extension still picks the format). A graph or an `InputError` is an answer; any other
    exception is a crash, recorded with the seed and the mutation that made it."""
    outcome = FuzzOutcome()
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / original.name
    source = original.read_bytes()
    for mutation in mutations(source, seeds):
        target.write_bytes(mutation.data)
        started = time.perf_counter()
        try:
            graph = parse(target)
        except InputError as exc:
            name = type(exc).__name__
            outcome.refused[name] = outcome.refused.get(name, 0) + 1
        except GraphTwinError as exc:  # typed, but not "invalid input": exit 1, a defect
            outcome.crashes.append(_crash(label, original, mutation, exc))
        except Exception as exc:  # the point of a fuzzer: report, never hide
            outcome.crashes.append(_crash(label, original, mutation, exc))
        else:
            outcome.parsed.append((mutation, graph))
        outcome.slowest_s = max(outcome.slowest_s, time.perf_counter() - started)
    return outcome


def _crash(label: str, original: Path, mutation: Mutation, exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    return (
        f"{label} {original.name} {mutation.describe()}: "
        f"{type(exc).__name__}: {str(exc)[:300]}{place}"
    )
