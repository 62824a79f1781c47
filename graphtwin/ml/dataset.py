"""Training data: a set of buildings, each one Brick model or twin file, kept whole so that
evaluation can hold a building out (never test on a building you trained on).

`TwinDataset` is a sequence of `HeteroData` (what PyTorch Geometric users expect from a dataset)
that also remembers where each building came from and its sha256, which the model manifest
records as provenance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, overload

from graphtwin.errors import InputError, NoTwinEntitiesError, SourceLocation
from graphtwin.ml.tensors import GraphArrays, IdMap, graph_arrays, to_hetero_data, union
from graphtwin.model import TwinGraph

if TYPE_CHECKING:
    from torch_geometric.data import HeteroData

BRICK_SUFFIXES = frozenset({".ttl", ".nt", ".n3", ".rdf", ".owl", ".jsonld", ".xml"})
TWIN_FILE_SUFFIXES = frozenset({".yaml", ".yml"})


@dataclass(frozen=True, slots=True)
class Building:
    name: str
    path: Path
    sha256: str
    graph: TwinGraph
    arrays: GraphArrays

    def source(self) -> dict[str, str | int]:
        return {
            "building": self.name,
            "file": self.path.name,
            "sha256": self.sha256,
            "nodes": len(self.graph),
        }


def parse_building(path: Path) -> TwinGraph:
    """A Brick model or a twin file, by its suffix."""
    from importers.brick import BrickImporter
    from importers.twinfile import TwinFileImporter

    suffix = path.suffix.lower()
    if suffix in TWIN_FILE_SUFFIXES:
        return TwinFileImporter().parse(path)
    if suffix in BRICK_SUFFIXES:
        return BrickImporter().parse(path)
    raise InputError(
        f"not a Brick model or twin file (suffix {suffix!r}; expected one of "
        f"{', '.join(sorted(BRICK_SUFFIXES | TWIN_FILE_SUFFIXES))})",
        location=SourceLocation(str(path)),
    )


def building(path: Path) -> Building:
    graph = parse_building(path)
    name = path.stem
    return Building(name, path, graph.source.sha256, graph, graph_arrays(graph, name))


class TwinDataset(Sequence["HeteroData"]):
    """Buildings in a stable order (by name)."""

    def __init__(self, buildings: Iterable[Building], skipped: Iterable[str] = ()) -> None:
        self.buildings = sorted(buildings, key=lambda b: b.name)
        self.skipped = list(skipped)
        """Files of a folder that hold no twin entities (and why), left out."""
        names = [b.name for b in self.buildings]
        if len(set(names)) != len(names):
            raise InputError(f"two buildings share a file name: {sorted(names)}")

    @classmethod
    def from_paths(cls, paths: Iterable[Path]) -> TwinDataset:
        """Files as given (an unreadable one is an error); folders contribute every Brick model
        and twin file in them, leaving out those with no twin entities (an s223 model, say)."""
        found: list[Building] = []
        skipped: list[str] = []
        for path in paths:
            if not path.is_dir():
                found.append(building(path))
                continue
            for file in sorted(path.iterdir()):
                if file.suffix.lower() not in BRICK_SUFFIXES | TWIN_FILE_SUFFIXES:
                    continue
                try:
                    found.append(building(file))
                except NoTwinEntitiesError as exc:
                    skipped.append(f"{file.name}: {exc.message}")
        return cls(found, skipped)

    def __len__(self) -> int:
        return len(self.buildings)

    @overload
    def __getitem__(self, i: int) -> HeteroData: ...
    @overload
    def __getitem__(self, i: slice) -> list[HeteroData]: ...
    def __getitem__(self, i: int | slice) -> HeteroData | list[HeteroData]:
        if isinstance(i, slice):
            return [self.hetero(j)[0] for j in range(*i.indices(len(self)))]
        return self.hetero(i)[0]

    def hetero(self, i: int) -> tuple[HeteroData, IdMap]:
        return to_hetero_data(self.buildings[i].arrays)

    def names(self) -> list[str]:
        return [b.name for b in self.buildings]

    def get(self, name: str) -> Building:
        for b in self.buildings:
            if b.name == name:
                return b
        raise InputError(f"no building named {name!r} (have: {', '.join(self.names())})")

    def without(self, *names: str) -> TwinDataset:
        for name in names:
            self.get(name)
        return TwinDataset([b for b in self.buildings if b.name not in names], self.skipped)

    def union(self) -> GraphArrays:
        return union([b.arrays for b in self.buildings])
