"""Names as comparable token sets: "AHU-02" and "Air handling unit 2" both become {ahu, 2}.

Lower case, letters and digits split apart ("B201" -> b 201), abbreviations and synonyms
rewritten to one form, leading zeros dropped, uninformative words removed. Single letters and
numbers are *codes*: two names whose codes disagree ("AHU-1" / "AHU-2", "Building A" /
"Building B") name different things, however similar the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphtwin.identity.config import MatchingConfig

_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    tokens: frozenset[str]
    numbers: frozenset[str]
    letters: frozenset[str]


def parse_name(text: str, config: MatchingConfig) -> Name:
    s = _NOT_ALNUM.sub(" ", _LETTER_DIGIT.sub(" ", text.lower()))
    s = f" {' '.join(s.split())} "
    for variant, canonical in config.synonyms:
        s = s.replace(f" {variant} ", f" {canonical} ")
    words = [w.lstrip("0") or "0" if w.isdigit() else w for w in s.split()]
    tokens = frozenset(w for w in words if w not in config.stopwords)
    return Name(
        text,
        tokens,
        frozenset(w for w in tokens if w.isdigit()),
        frozenset(w for w in tokens if len(w) == 1 and w.isalpha()),
    )


def similarity(a: Name, b: Name) -> float:
    """Dice coefficient of the token sets (0 when they share nothing)."""
    if not a.tokens or not b.tokens:
        return 0.0
    return 2 * len(a.tokens & b.tokens) / (len(a.tokens) + len(b.tokens))


def codes_conflict(a: Name, b: Name) -> bool:
    """Both names carry numbers (or single letters) and none of them agree."""
    if a.numbers and b.numbers and not a.numbers & b.numbers:
        return True
    return bool(a.letters and b.letters and not a.letters & b.letters)
