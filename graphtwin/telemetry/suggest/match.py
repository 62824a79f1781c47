"""Matching discovered addresses to the twin's points: by reference first, then names and units.

Pure: no protocol, no graph. Evidence, strongest first:

1. **Reference.** The point's own properties spell the address's reference exactly: its
   `bacnet_*` properties name the same BACnet object, or its `timeseries_id` is the OPC UA
   NodeId, the MQTT topic or the Sparkplug B metric path (score 1.0).
2. **Spelling.** The timeseries id spells the address after normalisation
   (`bldg-b/ahu-2/sat` and `ns=2;s=bldg-b/AHU2.SAT`: 0.95), or the two end alike (0.9).
3. **Names and units.** Normalised name tokens (graphtwin.name_tokens: BMS abbreviations
   expanded, rare tokens weigh more), at most 0.85. An address's units say what it measures: an
   address in degC with no word for it reads as a temperature, and units that contradict the
   point's unit or class (degC for a flow point) cut the score to a third.

Each address and each point is used at most once, best score first, none below the minimum.

>>> from graphtwin.telemetry.discovery import DiscoveredAddress
>>> address = DiscoveredAddress({"node_id": "ns=2;s=AI-3"}, name="AI-3", units="degC",
...                             path=("AHU2", "SupplyAir"), reference="ns=2;s=AI-3")
>>> point = PointInfo("urn:p", "AHU-2 supply air temperature")
>>> [(s.twin_id, s.score, s.reason) for s in suggest_bindings([address], [point], "bms").matched]
[('urn:p', 0.748, 'shares 2 ahu air supply temperature; units degC fit')]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphtwin.name_tokens import FACETS, expand, split_name, tokens
from graphtwin.telemetry.discovery import DiscoveredAddress
from graphtwin.units import unit

REFERENCE_SCORE = 1.0  # the point's properties spell the address's reference
SPELLED_SCORE = 0.95  # the timeseries id spells the address, after normalisation
SUFFIX_SCORE = 0.9  # one ends with the other (a folder more or less)
NAME_SCORE_MAX = 0.85  # token similarity, below any id match
UNIT_VETO = 1 / 3  # units that contradict the point's unit or class
MAX_CANDIDATES = 200  # addresses scored per point (those sharing its rarest words)

# The quantity (graphtwin.units) each measurement word of a point stands for, and back.
_QUANTITY_OF_WORD = {
    "temperature": "temperature",
    "flow": "volume_flow",
    "pressure": "pressure",
    "humidity": "ratio",
    "position": "ratio",
    "co2": "concentration",
    "power": "power",
}
_WORD_OF_QUANTITY = {"temperature": "temperature", "volume_flow": "flow", "pressure": "pressure"}
_STRING_NODE_ID = re.compile(r"^(?:ns=\d+;)?s=(.+)$", re.DOTALL)


@dataclass(frozen=True)
class PointInfo:
    """A twin point as the matcher sees it. `references`: the exact references its properties
    spell besides its timeseries id (a BACnet object, see `timeseries_references`)."""

    twin_id: str
    name: str
    timeseries_id: str | None = None
    brick_class: str | None = None
    unit: str | None = None
    references: frozenset[str] = field(default=frozenset())


@dataclass(frozen=True)
class Suggestion:
    address: DiscoveredAddress
    twin_id: str
    score: float  # 0..1, the confidence
    reason: str
    source_id: str


@dataclass(frozen=True)
class Suggestions:
    """The matches of one source, best first, and what stayed unmatched (in input order)."""

    source_id: str
    matched: list[Suggestion]
    unmatched_points: list[PointInfo]
    unmatched_addresses: list[DiscoveredAddress]


def timeseries_references(timeseries_id: str) -> set[str]:
    """The references a timeseries id may spell: itself (an OPC UA NodeId, or any reference
    written out in full), an MQTT topic, a Sparkplug B metric path (group/node/device/metric).

    >>> sorted(timeseries_references("site/ahu2/sat"))
    ['mqtt:site/ahu2/sat', 'site/ahu2/sat', 'spb:site/ahu2/sat']
    """
    return {timeseries_id, f"mqtt:{timeseries_id}", f"spb:{timeseries_id}"}


def quantity_of(units: str | None) -> str | None:
    """The quantity a unit spelling measures (`degrees-celsius` -> temperature), or None."""
    known = unit(units)
    return known.quantity if known else None


def _identifier(reference: str | None) -> str | None:
    """The part of a reference that is a name: a string NodeId's identifier, a topic or a
    Sparkplug path; None for references that are numbers (BACnet objects, numeric NodeIds)."""
    if reference is None:
        return None
    for prefix in ("mqtt:", "spb:"):
        if reference.startswith(prefix):
            return reference.removeprefix(prefix)
    found = _STRING_NODE_ID.match(reference)
    return found.group(1) if found else None


# --- preparing both sides ------------------------------------------------------------------------


@dataclass
class _Address:
    info: DiscoveredAddress
    tokens: set[str]
    id_keys: list[list[str]]  # the address spelt as pieces: path and name, its identifier
    quantity: str | None


@dataclass
class _Point:
    info: PointInfo
    tokens: set[str]
    class_tokens: set[str]
    id_key: list[str] | None
    references: set[str]
    quantities: set[str]  # what its unit, else its class and name, say it measures


def _prepare_address(address: DiscoveredAddress) -> _Address:
    names = [*address.path, address.name]
    words = set(expand(p for name in names for p in split_name(name)))
    words |= tokens(address.description)
    quantity = quantity_of(address.units)
    word = _WORD_OF_QUANTITY.get(quantity or "")
    if word and not words & FACETS[1]:  # "AI-3" in degC reads as a temperature
        words.add(word)
    keys = [split_name("/".join(names))]
    identifier = _identifier(address.reference)
    if identifier:
        keys.append(split_name(identifier))
    return _Address(address, words, [k for k in keys if k], quantity)


def _prepare_point(point: PointInfo) -> _Point:
    ts = point.timeseries_id
    words = tokens(point.name) | tokens(ts or "")
    class_words = tokens(point.brick_class or "")
    references = set(point.references) | (timeseries_references(ts) if ts else set())
    own = quantity_of(point.unit)
    quantities = (
        {own} if own else {q for w, q in _QUANTITY_OF_WORD.items() if w in words | class_words}
    )
    key = split_name(ts) if ts else None
    return _Point(point, words, class_words, key or None, references, quantities)


# --- scoring -------------------------------------------------------------------------------------


def _units_note(address: _Address, point: _Point) -> tuple[bool, str]:
    """(whether the units contradict the point, a note for the reason)."""
    if address.quantity is None or not point.quantities:
        return False, ""
    if address.quantity in point.quantities:
        return False, f"units {address.info.units} fit"
    wanted = "/".join(sorted(point.quantities))
    return True, f"units {address.info.units} vs a {wanted} point"


def _id_match(address: _Address, point: _Point) -> tuple[float, str] | None:
    reference = address.info.reference
    if reference is not None and reference in point.references:
        return REFERENCE_SCORE, f"reference {reference} is the point's"
    if point.id_key is None:
        return None
    ts = point.info.timeseries_id
    for key in address.id_keys:
        if key == point.id_key:
            return SPELLED_SCORE, f"timeseries id {ts} is the address"
        shorter, longer = sorted((key, point.id_key), key=len)
        if len(shorter) >= 2 and longer[-len(shorter) :] == shorter:
            return SUFFIX_SCORE, f"timeseries id {ts} and the address end alike"
    return None


def _name_match(address: _Address, point: _Point, weight: dict[str, float]) -> tuple[float, str]:
    theirs = point.tokens | point.class_tokens
    shared = address.tokens & theirs

    def mass(words: set[str]) -> float:
        return sum(weight.get(t, 1.0) for t in words)

    # Half how much of the point the address explains, half how alike the two are overall: an
    # address's folders and device names are context that the point's name may well lack.
    coverage = mass(shared) / mass(theirs) if theirs else 0.0
    dice = 2 * mass(shared) / (mass(address.tokens) + mass(theirs) or 1.0)
    similarity = (coverage + dice) / 2
    notes = []
    ours_numbers = {t for t in address.tokens if t.isdigit()}
    their_numbers = {t for t in theirs if t.isdigit()}
    if ours_numbers and their_numbers and not ours_numbers & their_numbers:
        similarity *= 0.5
        notes.append("different numbers")
    for facet in FACETS:
        ours, others = address.tokens & facet, theirs & facet
        if ours and others and not ours & others:
            similarity *= 0.5
            notes.append(f"{'/'.join(sorted(ours))} vs {'/'.join(sorted(others))}")
    if ("setpoint" in address.tokens) != ("setpoint" in theirs):
        similarity *= 0.6
        notes.append("setpoint vs measurement")
    reason = "shares " + " ".join(sorted(shared, key=lambda t: (-weight.get(t, 1.0), t)))
    if point.class_tokens and point.class_tokens <= address.tokens:
        reason += f"; fits {point.info.brick_class}"
    if notes:
        reason += f" ({', '.join(notes)})"
    return NAME_SCORE_MAX * similarity, reason


def _score(address: _Address, point: _Point, weight: dict[str, float]) -> tuple[float, str]:
    contradicts, note = _units_note(address, point)
    found = _id_match(address, point)
    if found is not None:  # an identity: units do not overrule it, but are said
        score, reason = found
    else:
        score, reason = _name_match(address, point, weight)
        if contradicts:
            score *= UNIT_VETO
    return score, f"{reason}; {note}" if note else reason


def suggest_bindings(
    addresses: Sequence[DiscoveredAddress],
    points: Sequence[PointInfo],
    source_id: str,
    min_score: float = 0.5,
) -> Suggestions:
    """The likely binding of each point to an address, best first, each address and point used
    at most once (greedily by score), none below `min_score`."""
    ready = [_prepare_address(a) for a in addresses]
    ready_points = [_prepare_point(p) for p in points]
    # Rare tokens weigh more (inverse document frequency over both sides).
    counts = Counter(t for a in ready for t in a.tokens)
    counts.update(t for p in ready_points for t in p.tokens | p.class_tokens)
    documents = len(ready) + len(ready_points)
    weight = {t: math.log(1 + documents / n) for t, n in counts.items()}

    by_token: dict[str, list[int]] = {}
    by_reference: dict[str, list[int]] = {}
    for i, address in enumerate(ready):
        for token in address.tokens:
            by_token.setdefault(token, []).append(i)
        if address.info.reference is not None:
            by_reference.setdefault(address.info.reference, []).append(i)
    candidates = []
    for j, point in enumerate(ready_points):
        nearby = _nearby(point, by_token)
        nearby.update(i for r in point.references for i in by_reference.get(r, ()))
        for i in nearby:
            score, reason = _score(ready[i], point, weight)
            if score > 0 and score >= min_score:
                candidates.append((score, i, j, reason))
    candidates.sort(key=lambda c: (-c[0], _order(addresses[c[1]]), points[c[2]].twin_id))

    used_addresses: set[int] = set()
    used_points: set[int] = set()
    matched = []
    for score, i, j, reason in candidates:
        if i in used_addresses or j in used_points:
            continue
        used_addresses.add(i)
        used_points.add(j)
        matched.append(
            Suggestion(addresses[i], points[j].twin_id, round(score, 3), reason, source_id)
        )
    return Suggestions(
        source_id,
        matched,
        [p for j, p in enumerate(points) if j not in used_points],
        [a for i, a in enumerate(addresses) if i not in used_addresses],
    )


def _nearby(point: _Point, by_token: dict[str, list[int]]) -> set[int]:
    """The addresses worth scoring for a point: those sharing its rarest words, up to about
    `MAX_CANDIDATES` (all that share the rarest word, however many). Scoring every address
    that shares any word ("air") would compare every point with every address."""
    words = point.tokens | point.class_tokens
    postings = sorted((by_token[t] for t in words if t in by_token), key=len)
    found: set[int] = set()
    for posting in postings:
        if found and len(found) + len(posting) > MAX_CANDIDATES:
            break
        found.update(posting)
    return found


def _order(address: DiscoveredAddress) -> str:
    """A stable tie-break between addresses of equal score."""
    return address.reference or "/".join([*address.path, address.name])
