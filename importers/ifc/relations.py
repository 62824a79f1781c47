"""IFC relationships read with both ends checked: a null end is left out and counted, never a
crash.

IFC declares both ends of a relationship required, but real files leave some of them null
(`$`): an architecture model exported with space boundaries has an IfcRelDefinesByType whose
RelatingType is null. ifcopenshell reads `$` as None, so every relationship the importer reads
goes through `Relations`, which hands out only complete (relating, related) ends and counts what
it left out per relationship class and attribute, for the import's warnings. Each relationship
class is read once, however many parts of the importer ask for it, so each gap is counted once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import ifcopenshell

Ends = tuple[Any, tuple[Any, ...]]
"""The relating end (an entity, or a tuple where IFC allows a set there) and the related ones."""


class Relations:
    def __init__(self, model: ifcopenshell.file) -> None:
        self._model = model
        self._read: dict[tuple[str, str, str], list[Ends]] = {}
        self.incomplete: Counter[tuple[str, str]] = Counter()
        """(relationship class, attribute) -> how many of them had it null."""

    def ends(self, rel_class: str, relating: str, related: str) -> list[Ends]:
        """Every `rel_class` (and subclass) with both ends, the related end always a tuple (one
        entity for one-to-one relationships such as IfcRelConnectsPorts). A class the file's
        schema does not have gives nothing."""
        key = (rel_class, relating, related)
        if key not in self._read:
            self._read[key] = list(self._complete(rel_class, relating, related))
        return self._read[key]

    def _complete(self, rel_class: str, relating: str, related: str) -> list[Ends]:
        found: list[Ends] = []
        for rel in self._model.by_type(rel_class):
            one = getattr(rel, relating)
            many = getattr(rel, related)
            if one is None:
                self.incomplete[(rel.is_a(), relating)] += 1
                continue
            if many is None:
                self.incomplete[(rel.is_a(), related)] += 1
                continue
            if not isinstance(many, tuple):
                many = (many,)
            found.append((one, many))
        return found

    def warnings(self) -> list[str]:
        return [
            f"{count} {rel_class} {'has' if count == 1 else 'have'} no {attribute} (null in the "
            "file, though IFC requires it); left out"
            for (rel_class, attribute), count in sorted(self.incomplete.items())
        ]
