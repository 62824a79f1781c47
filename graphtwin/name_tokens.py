"""Name tokens: what a BMS or model name says, as normalised words.

BMS names abbreviate ("AHU2.SAT") what models spell out ("AHU-2 Supply Air Temperature"), so
names are split on punctuation, camelCase and digits, and common abbreviations are expanded.
Shared by binding suggestions (matching variables to points) and the ML features (what a
point's name says about its class).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# BMS abbreviations and the words they stand for. Equipment types stay one token.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "sat": ("supply", "air", "temperature"),
    "rat": ("return", "air", "temperature"),
    "oat": ("outside", "air", "temperature"),
    "mat": ("mixed", "air", "temperature"),
    "dat": ("discharge", "air", "temperature"),
    "eat": ("exhaust", "air", "temperature"),
    "zat": ("zone", "air", "temperature"),
    "znt": ("zone", "air", "temperature"),
    "sa": ("supply", "air"),
    "ra": ("return", "air"),
    "oa": ("outside", "air"),
    "osa": ("outside", "air"),
    "ma": ("mixed", "air"),
    "da": ("discharge", "air"),
    "ea": ("exhaust", "air"),
    "zn": ("zone",),
    "rm": ("room",),
    "sp": ("setpoint",),
    "spt": ("setpoint",),
    "stpt": ("setpoint",),
    "setpt": ("setpoint",),
    "temp": ("temperature",),
    "tmp": ("temperature",),
    "rh": ("humidity",),
    "hum": ("humidity",),
    "press": ("pressure",),
    "pres": ("pressure",),
    "prs": ("pressure",),
    "dp": ("differential", "pressure"),
    "flw": ("flow",),
    "cfm": ("flow",),
    "dmpr": ("damper",),
    "dmp": ("damper",),
    "dpr": ("damper",),
    "pos": ("position",),
    "cmd": ("command",),
    "sts": ("status",),
    "stat": ("status",),
    "spd": ("speed",),
    "sf": ("supply", "fan"),
    "rf": ("return", "fan"),
    "ef": ("exhaust", "fan"),
    "clg": ("cooling",),
    "htg": ("heating",),
    "chw": ("chilled", "water"),
    "hw": ("hot", "water"),
    "cw": ("condenser", "water"),
    "occ": ("occupancy",),
    "eff": ("effective",),
    "kw": ("power",),
    "kwh": ("energy",),
    "chlr": ("chiller",),
    "blr": ("boiler",),
}
# Tokens that say nothing about which point a variable is.
NOISE = frozenset({"objects", "devices", "device", "value", "pv", "point", "sensor", "the", "of"})
# Qualifiers that exclude each other: a supply air temperature is not a return air temperature.
FACETS = (
    frozenset({"supply", "return", "outside", "mixed", "discharge", "exhaust", "zone", "room"}),
    frozenset({"temperature", "humidity", "pressure", "flow", "co2", "speed", "position", "power"}),
)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_WORDS = frozenset(ABBREVIATIONS) | {"ahu", "vav", "fan", "fcu", "rtu"}


def split_name(text: str) -> list[str]:
    """Lowercase word and number pieces: `AHU2.SupplyAirTemp` -> ahu 2 supply air temp. Numbers
    lose leading zeros, so VAV-01 and vav1 agree."""
    pieces = []
    for chunk in re.split(r"[^A-Za-z0-9]+", text):
        for piece in _CAMEL.findall(chunk):
            pieces.append(str(int(piece)) if piece.isdigit() else piece.lower())
    return pieces


def _segment(word: str) -> list[str]:
    """`satsp` -> sat sp, when the whole word is known abbreviations run together; else as is."""
    if word in _WORDS or len(word) < 4:
        return [word]
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 5), end - 1):
            head = best[start]
            if head is not None and word[start:end] in _WORDS:
                best[end] = [*head, word[start:end]]
                break
    return best[-1] or [word]


def expand(pieces: Iterable[str]) -> list[str]:
    """Abbreviations replaced by their words, noise words dropped."""
    words: list[str] = []
    for piece in pieces:
        for part in _segment(piece) if piece.isalpha() else [piece]:
            words.extend(ABBREVIATIONS.get(part, (part,)))
    return [w for w in words if w not in NOISE]


def tokens(text: str) -> set[str]:
    return set(expand(split_name(text)))
