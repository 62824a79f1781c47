"""Hostile YAML: alias bombs, recursive aliases and deep nesting are refused while loading, in
bounded time and memory, by every reader of graphtwin's YAML files (twin, governance, bindings)."""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graphtwin.errors import MalformedFileError, NotARegularFileError, YamlLimitError
from graphtwin.telemetry.bindings import read_bindings
from graphtwin.yamlio import YamlLimits, load_yaml, parse_yaml
from importers.governance import GovernanceImporter
from importers.twinfile import TwinFileImporter

MAX_SECONDS = 2.0
MAX_PEAK_BYTES = 300 * 2**20


def billion_laughs(header: str, levels: int = 9) -> str:
    """The classic: 9 levels of 9 aliases each, 9**9 (387 million) strings from 400 bytes."""
    lines = [header, 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
        previous = name
    return "\n".join(lines) + "\n"


def merge_bomb(header: str) -> str:
    """The same through merge keys: each level merges the previous one nine times."""
    lines = [header, "a: &a {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1}"]
    previous = "a"
    for name in "bcdefghijk":
        lines.append(f"{name}: &{name} {{<<: [{', '.join([f'*{previous}'] * 9)}]}}")
        previous = name
    return "\n".join(lines) + "\n"


@contextmanager
def bounded() -> Iterator[None]:
    """Assert that the block ran in under 2 s with a Python allocation peak under 300 MB."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"took {elapsed:.2f} s"
    assert peak < MAX_PEAK_BYTES, f"peak {peak / 2**20:.0f} MB"


READERS: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "twin": ("graphtwin: 1", lambda path: TwinFileImporter().parse(path)),
    "governance": ("graphtwin-governance: 1", lambda path: GovernanceImporter().parse(path)),
    "bindings": ("graphtwin-bindings: 1", read_bindings),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("bomb", [billion_laughs, merge_bomb])
def test_an_alias_bomb_is_refused_quickly_in_little_memory_by_every_yaml_reader(
    tmp_path: Path, reader: str, bomb: Callable[[str], str]
) -> None:
    header, read = READERS[reader]
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(header))
    assert path.stat().st_size < 1024
    with bounded(), pytest.raises(YamlLimitError) as caught:
        read(path)
    assert caught.value.file == str(path)
    assert caught.value.line is not None and caught.value.line > 1
    assert "aliases expand to more than" in caught.value.reason
    assert isinstance(caught.value, MalformedFileError)  # exit code 2, like any bad YAML


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &a [*a]\n", 1),
        ("x: 1\na: &a {b: [1, {c: *a}]}\n", 2),
        ("- &a\n  - 1\n  - *a\n", 1),
    ],
)
def test_a_recursive_alias_is_a_typed_error_not_a_recursion_error(text: str, line: int) -> None:
    with pytest.raises(YamlLimitError) as caught:
        parse_yaml(text, "loop.yaml")
    assert "recursive alias" in caught.value.reason
    assert caught.value.line == line


@pytest.mark.parametrize("flow", [True, False])
def test_nesting_deeper_than_the_limit_is_refused_naming_the_line(flow: bool) -> None:
    depth = 150
    if flow:
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + f"{'  ' * depth}v\n"
    with bounded(), pytest.raises(YamlLimitError) as caught:
        parse_yaml(text, "deep.yaml")
    assert "nested more than 100 levels" in caught.value.reason
    assert caught.value.line == (1 if flow else 100)


def test_libyaml_refuses_absurd_flow_nesting_itself_as_malformed() -> None:
    text = "[" * 100_000 + "]" * 100_000
    with bounded(), pytest.raises(MalformedFileError):
        parse_yaml(text, "deeper.yaml")


def test_aliases_within_the_limits_load_and_merge_keys_let_own_keys_win() -> None:
    text = (
        "defaults: &d {kind: Point, unit: degC}\n"
        "points:\n"
        "  - {<<: *d, id: p1}\n"
        "  - {<<: *d, id: p2, unit: K}\n"
        "  - {<<: [{unit: Pa}, *d], id: p3}\n"
        "shared: [*d, *d]\n"
    )
    data, lines = parse_yaml(text, "ok.yaml")
    assert data["points"][0] == {"kind": "Point", "unit": "degC", "id": "p1"}
    assert data["points"][1] == {"kind": "Point", "unit": "K", "id": "p2"}
    assert data["points"][2]["unit"] == "Pa"  # the first merged mapping wins
    assert data["shared"] == [{"kind": "Point", "unit": "degC"}] * 2
    assert lines.line(("points", 1, "unit")) == 4
    # a duplicate of the mapping's own keys is still an error
    with pytest.raises(MalformedFileError, match="duplicate key 'id'"):
        parse_yaml("d: &d {a: 1}\nx: {<<: *d, id: 1, id: 2}\n", "dup.yaml")


def test_a_large_document_may_use_aliases_in_proportion_to_its_size() -> None:
    limits = YamlLimits(max_alias_nodes=100)
    body = "".join(f"  - {{<<: *d, id: p{i}}}\n" for i in range(200))
    text = f"defaults: &d {{kind: Point, unit: degC}}\npoints:\n{body}"
    data, _ = parse_yaml(text, "big.yaml", limits=limits)
    assert len(data["points"]) == 200
    with pytest.raises(YamlLimitError):
        parse_yaml(billion_laughs("x: 1", levels=4), "small.yaml", limits=limits)


def test_a_named_pipe_is_refused_before_it_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with bounded(), pytest.raises(NotARegularFileError) as caught:
        load_yaml(fifo)
    assert "named pipe, not a regular file" in caught.value.reason
