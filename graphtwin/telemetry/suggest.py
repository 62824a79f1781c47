"""Binding suggestions for `graphtwin bind --suggest`: browse an OPC UA server, match its
variables to the twin's points by name, and write the likely bindings as YAML to review.

Matching is by normalised name tokens, since BMS names abbreviate ("AHU2.SAT") what the model
spells out ("AHU-2 Supply Air Temperature"): names are split on punctuation, camelCase and
digits, common BMS abbreviations are expanded, and the tokens are compared with weights that
favour the rare ones (an equipment number says more than "air"). A point's timeseries id that
spells the variable's address (after normalisation) is the strongest evidence. Each variable and
each point is used at most once, best score first. Suggestions are proposals for a person, so
the reason for each is written next to it.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass

from asyncua import Client, ua

from graphtwin.name_tokens import FACETS, expand, split_name, tokens
from graphtwin.telemetry.bindings import OpcUaSource
from graphtwin.telemetry.connectors.opcua import (
    close_client,
    format_browse_path,
    open_client,
    plain_node_id,
)

logger = logging.getLogger(__name__)

EXACT_SCORE = 1.0  # the timeseries id spells the address
SUFFIX_SCORE = 0.9  # one ends with the other (a folder more or less)
NAME_SCORE_MAX = 0.85  # token similarity, below any id match
_READ_CHUNK = 500


@dataclass(frozen=True)
class BrowsedVariable:
    node_id: str  # "ns=2;s=AHU2.SAT"
    browse_path: str  # "2:bldg-b/2:AHU2.SAT", from the Objects folder, as bindings write it
    display_name: str
    description: str = ""


@dataclass(frozen=True)
class PointInfo:
    twin_id: str
    name: str
    timeseries_id: str | None = None
    brick_class: str | None = None


@dataclass(frozen=True)
class Suggestion:
    variable: BrowsedVariable
    twin_id: str
    score: float  # 0..1
    reason: str
    source_id: str


# --- browsing ------------------------------------------------------------------------------------


async def browse_variables(source: OpcUaSource, max_nodes: int = 5000) -> list[BrowsedVariable]:
    """Every variable under the Objects folder, breadth first, up to `max_nodes` nodes visited.
    The standard namespace (the Server object and its diagnostics) and properties (units,
    ranges) are skipped: they are not device data."""
    client = await open_client(source)
    try:
        return await _walk(client, max_nodes)
    finally:
        await close_client(client, source.timeout_s)


async def _walk(client: Client, max_nodes: int) -> list[BrowsedVariable]:
    objects = ua.NodeId(ua.ObjectIds.ObjectsFolder)
    has_property = ua.NodeId(ua.ObjectIds.HasProperty)
    queue: deque[tuple[ua.NodeId, list[ua.QualifiedName]]] = deque([(objects, [])])
    seen = {objects}
    found: list[tuple[ua.NodeId, list[ua.QualifiedName], str]] = []
    while queue:
        node_id, path = queue.popleft()
        references = await client.get_node(node_id).get_children_descriptions(
            nodeclassmask=ua.NodeClass.Object | ua.NodeClass.Variable
        )
        for ref in references:
            child = plain_node_id(ref.NodeId)
            if child in seen or child.NamespaceIndex == 0 or ref.ReferenceTypeId == has_property:
                continue
            if len(seen) > max_nodes:  # (seen holds the Objects folder too)
                logger.warning("browsing stopped after %d nodes (max_nodes)", max_nodes)
                queue.clear()
                break
            seen.add(child)
            child_path = [*path, ref.BrowseName]
            if ref.NodeClass == ua.NodeClass.Variable:
                found.append((child, child_path, ref.DisplayName.Text or ref.BrowseName.Name))
            queue.append((child, child_path))
    descriptions: list[str] = []
    for start in range(0, len(found), _READ_CHUNK):
        chunk = [client.get_node(n) for n, _, _ in found[start : start + _READ_CHUNK]]
        for data in await client.read_attributes(chunk, ua.AttributeIds.Description):
            text = data.Value.Value if data.Value is not None else None
            descriptions.append(text.Text or "" if isinstance(text, ua.LocalizedText) else "")
    return [
        BrowsedVariable(n.to_string(), format_browse_path(path), name, description)
        for (n, path, name), description in zip(found, descriptions, strict=True)
    ]


def _path_names(browse_path: str) -> list[str]:
    return [part.partition(":")[2] or part for part in browse_path.split("/")]


def _node_identifier(node_id: str) -> str | None:
    """The identifier of a string NodeId ("ns=2;s=AHU2.SAT" -> "AHU2.SAT"); None for others."""
    try:
        parsed = ua.NodeId.from_string(node_id)
    except ua.UaError:
        return None
    return parsed.Identifier if parsed.NodeIdType == ua.NodeIdType.String else None


# --- matching ------------------------------------------------------------------------------------


@dataclass
class _Variable:
    info: BrowsedVariable
    tokens: set[str]
    id_keys: list[list[str]]  # the address spelt as pieces: node identifier, browse path


@dataclass
class _Point:
    info: PointInfo
    tokens: set[str]
    class_tokens: set[str]
    id_key: list[str] | None


def _prepare_variable(variable: BrowsedVariable) -> _Variable:
    names = _path_names(variable.browse_path)
    words = set(expand(p for name in names for p in split_name(name)))
    words |= tokens(variable.display_name) | tokens(variable.description)
    keys = [split_name("/".join(names))]
    identifier = _node_identifier(variable.node_id)
    if identifier:
        keys.append(split_name(identifier))
    return _Variable(variable, words, [k for k in keys if k])


def _prepare_point(point: PointInfo) -> _Point:
    words = tokens(point.name) | tokens(point.timeseries_id or "")
    class_words = tokens(point.brick_class or "")
    key = split_name(point.timeseries_id) if point.timeseries_id else None
    return _Point(point, words, class_words, key or None)


def _id_match(variable: _Variable, point: _Point) -> tuple[float, str] | None:
    if point.id_key is None:
        return None
    ts = point.info.timeseries_id
    for key in variable.id_keys:
        if key == point.id_key:
            return EXACT_SCORE, f"timeseries id {ts} is the address"
        shorter, longer = sorted((key, point.id_key), key=len)
        if len(shorter) >= 2 and longer[-len(shorter) :] == shorter:
            return SUFFIX_SCORE, f"timeseries id {ts} and the address end alike"
    return None


def _name_match(
    variable: _Variable, point: _Point, weight: dict[str, float]
) -> tuple[float, str] | None:
    theirs = point.tokens | point.class_tokens
    shared = variable.tokens & theirs
    if not shared:
        return None

    def mass(words: set[str]) -> float:
        return sum(weight.get(t, 1.0) for t in words)

    # Half how much of the point the variable explains, half how alike the two are overall: a
    # variable's folders and device names are context that the point's name may well lack.
    coverage = mass(shared) / mass(theirs)
    dice = 2 * mass(shared) / (mass(variable.tokens) + mass(theirs))
    similarity = (coverage + dice) / 2
    notes = []
    ours_numbers = {t for t in variable.tokens if t.isdigit()}
    their_numbers = {t for t in theirs if t.isdigit()}
    if ours_numbers and their_numbers and not ours_numbers & their_numbers:
        similarity *= 0.5
        notes.append("different numbers")
    for facet in FACETS:
        ours, others = variable.tokens & facet, theirs & facet
        if ours and others and not ours & others:
            similarity *= 0.5
            notes.append(f"{'/'.join(sorted(ours))} vs {'/'.join(sorted(others))}")
    if ("setpoint" in variable.tokens) != ("setpoint" in theirs):
        similarity *= 0.6
        notes.append("setpoint vs measurement")
    reason = "shares " + " ".join(sorted(shared, key=lambda t: (-weight.get(t, 1.0), t)))
    if point.class_tokens and point.class_tokens <= variable.tokens:
        reason += f"; fits {point.info.brick_class}"
    if notes:
        reason += f" ({', '.join(notes)})"
    return NAME_SCORE_MAX * similarity, reason


def suggest_bindings(
    variables: list[BrowsedVariable],
    points: list[PointInfo],
    source_id: str,
    min_score: float = 0.5,
) -> list[Suggestion]:
    """The likely binding of each point to a variable, best first, each variable and point used
    at most once (greedily by score), none below `min_score`."""
    prepared_vars = [_prepare_variable(v) for v in variables]
    prepared_points = [_prepare_point(p) for p in points]
    # Rare tokens weigh more (inverse document frequency over both sides).
    counts = Counter(t for v in prepared_vars for t in v.tokens)
    counts.update(t for p in prepared_points for t in p.tokens | p.class_tokens)
    documents = len(prepared_vars) + len(prepared_points)
    weight = {t: math.log(1 + documents / n) for t, n in counts.items()}

    index: dict[str, list[int]] = {}
    for i, variable in enumerate(prepared_vars):
        for token in variable.tokens:
            index.setdefault(token, []).append(i)
    candidates = []
    for j, point in enumerate(prepared_points):
        nearby = {i for t in point.tokens | point.class_tokens for i in index.get(t, ())}
        for i in nearby:
            match = _id_match(prepared_vars[i], point) or _name_match(
                prepared_vars[i], point, weight
            )
            if match is not None and match[0] >= min_score:
                candidates.append((match[0], i, j, match[1]))
    candidates.sort(key=lambda c: (-c[0], variables[c[1]].node_id, points[c[2]].twin_id))

    used_vars: set[int] = set()
    used_points: set[int] = set()
    suggestions = []
    for score, i, j, reason in candidates:
        if i in used_vars or j in used_points:
            continue
        used_vars.add(i)
        used_points.add(j)
        suggestions.append(
            Suggestion(variables[i], points[j].twin_id, round(score, 3), reason, source_id)
        )
    return suggestions


# --- output --------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _scalar(text: str) -> str:
    """A YAML flow scalar: plain when it is a simple word, else double-quoted (JSON escaping is
    valid YAML)."""
    return text if _PLAIN.match(text) else json.dumps(text, ensure_ascii=False)


def suggestions_yaml(suggestions: Iterable[Suggestion]) -> str:
    """Bindings entries, one per line, each with its score and reason as a comment."""
    lines = []
    for s in suggestions:
        reason = " ".join(s.reason.split())
        lines.append(
            f"- {{source: {_scalar(s.source_id)}, node_id: {_scalar(s.variable.node_id)}, "
            f"point: {{twin_id: {_scalar(s.twin_id)}}}}}  # score {s.score:.2f}: {reason}"
        )
    return "".join(line + "\n" for line in lines)
