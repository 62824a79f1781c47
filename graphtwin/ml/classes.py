"""The classes a node can be declared as: current Brick point and equipment classes.

The semantic model scores a node against these by their words (a class is its name's tokens),
so a class it never saw in training is still comparable. Aliases resolve to the class they
stand for; deprecated classes stay, since old models use them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

import networkx as nx

from graphtwin.name_tokens import FACETS, split_name, tokens
from importers.brick.vocabulary import brick_vocabulary

CLASSIFIED_KINDS: tuple[str, ...] = ("Point", "Equipment")
"""Kinds whose class the semantic model predicts (the issue's "points' and equipment's")."""


@dataclass(frozen=True, slots=True)
class ClassVocabulary:
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    parents: tuple[tuple[str, ...], ...]
    index: dict[str, int]

    def __len__(self) -> int:
        return len(self.names)

    def lookup(self, brick_class: str | None) -> int:
        """Index of a declared class, -1 when it is not a point or equipment class."""
        if not brick_class:
            return -1
        return self.index.get(brick_class, -1)

    def words(self, i: int) -> list[str]:
        return split_name(self.names[i])

    def ancestors(self, i: int) -> frozenset[int]:
        """Every class above class i in the hierarchy, as far as the vocabulary holds it."""
        seen: set[int] = set()
        todo = [self.index[p] for p in self.parents[i] if p in self.index]
        while todo:
            j = todo.pop()
            if j not in seen:
                seen.add(j)
                todo += [self.index[p] for p in self.parents[j] if p in self.index]
        return frozenset(seen)

    def in_line(self, a: int, b: int) -> bool:
        """Whether one class is the other or above it (Fan and Supply_Fan): declaring either is
        saying less, or more, not saying something wrong."""
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)


@cache
def class_vocabulary() -> ClassVocabulary:
    table = brick_vocabulary().classes
    names = sorted(n for n, c in table.items() if c.get("kind") in CLASSIFIED_KINDS)
    index = {n: i for i, n in enumerate(names)}
    for name, spec in table.items():  # aliases point at the class they stand for
        target = spec.get("alias_of")
        if target in index:
            index[name] = index[target]
    return ClassVocabulary(
        names=tuple(names),
        kinds=tuple(table[n]["kind"] for n in names),
        parents=tuple(tuple(table[n].get("parents", ())) for n in names),
        index=index,
    )


def suffix(name: str) -> str:
    """The last word of a class: Sensor, Setpoint, Command, Status, Alarm, Damper, ..."""
    return name.rsplit("_", 1)[-1]


RENAME_MIN = 2
"""A word renamed into another in at least this many Brick classes is a synonym of it; one
rename alone (Handler to Handling) is a spelling, not a convention."""


@cache
def word_synonyms() -> dict[str, str]:
    """Words Brick itself renames into one another, each mapped to one representative word
    (supply, discharge and leaving are one; return and entering), read from the class table's
    `alias_of` and `replaced_by`: where a class and the class it stands for differ by one word
    each, those two words say the same thing.

    >>> synonyms = word_synonyms()
    >>> synonyms["discharge"] == synonyms["supply"] == synonyms["leaving"]
    True
    >>> synonyms["entering"] == synonyms["return"] != synonyms["supply"]
    True
    """
    renames: Counter[tuple[str, str]] = Counter()
    for name, spec in brick_vocabulary().classes.items():
        target = spec.get("alias_of") or spec.get("replaced_by")
        if not target or ":" in target:  # a RealEstateCore class: another vocabulary
            continue
        a, b = tokens(name), tokens(target)
        if len(a - b) == 1 and len(b - a) == 1:
            renames[(min(a - b), min(b - a))] += 1
    same = nx.Graph([pair for pair, n in renames.items() if n >= RENAME_MIN])
    facet_words = frozenset().union(*FACETS)
    out = {}
    for words in nx.connected_components(same):
        # the representative: a facet word when there is one (names are compared on facets)
        representative = min(words, key=lambda w: (w not in facet_words, w))
        out.update({w: representative for w in words})
    return out
