"""Suggestions as a bindings file to review, and as JSON.

The file holds the source, one binding per suggestion with its confidence and reason as a
comment, and at the end the points and addresses nothing was suggested for, as comments. It
reads back with `read_bindings`. Every name in it comes from a server or a model, so each is
written as a quoted scalar or a one-line comment that no character can break out of.

    # Bindings suggested by `graphtwin bind --suggest` for source plant: review each one.
    graphtwin-bindings: 1
    sources:
    - {"id": "plant", "type": "opcua", "endpoint": "opc.tcp://127.0.0.1:4840/"}
    bindings:
    - {source: plant, node_id: "ns=2;s=AHU2.SAT", point: {twin_id: "urn:r:sat"}}  # confidence 1.00
    # Points with no suggestion (1):
    #   urn:r:ahu-1-rat  AHU-1 Return Air Temp
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from graphtwin.control_chars import escape_controls
from graphtwin.telemetry.bindings import DataSource
from graphtwin.telemetry.discovery import DiscoveredAddress
from graphtwin.telemetry.suggest.match import Suggestion, Suggestions

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# What JSON leaves as is and YAML reads as a line break or drops: NEL and the other C1
# controls, DEL, the Unicode line and paragraph separators, a byte order mark.
_YAML_BREAKS = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def _scalar(value: object) -> str:
    """A YAML flow scalar: a simple word plain, a number as JSON, any other text double-quoted
    (JSON escaping, with YAML's own line breaks escaped too)."""
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in ("true", "false", "null", "yes", "no", "on"):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _comment(text: str) -> str:
    """Text for a one-line comment: whitespace runs as one space, controls escaped."""
    flat = " ".join(text.split())
    return _YAML_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", escape_controls(flat))


def binding_line(suggestion: Suggestion) -> str:
    """One binding as a flow mapping, with its confidence and reason as a comment."""
    fields = [f"source: {_scalar(suggestion.source_id)}"]
    fields += [f"{k}: {_scalar(v)}" for k, v in suggestion.address.binding_fields.items()]
    fields.append(f"point: {{twin_id: {_scalar(suggestion.twin_id)}}}")
    note = _comment(f"confidence {suggestion.score:.2f}: {suggestion.reason}")
    return f"- {{{', '.join(fields)}}}  # {note}"


def _address_text(address: DiscoveredAddress) -> tuple[str, ...]:
    where = address.reference or "/".join([*address.path, address.name])
    return (where, address.name, f"({address.units})") if address.units else (where, address.name)


def _listed(title: str, rows: list[tuple[str, ...]]) -> Iterable[str]:
    if rows:
        yield f"# {title} ({len(rows)}):"
        yield from ("#   " + "  ".join(_comment(part) for part in row) for row in rows)


def bindings_document(result: Suggestions, source: DataSource, min_score: float) -> str:
    """The bindings file to review: the source, the suggested bindings, what stayed unmatched."""
    matched, points, addresses = result.matched, result.unmatched_points, result.unmatched_addresses
    header = [
        f"# Bindings suggested by `graphtwin bind --suggest` for source {_comment(source.id)}: "
        "review each one before syncing.",
        f"# {len(matched)} binding(s) with confidence >= {min_score:.2f}; "
        f"{len(points)} point(s) and {len(addresses)} address(es) unmatched, listed at the end.",
        "graphtwin-bindings: 1",
        "sources:",
        f"- {json.dumps(source.model_dump(mode='json', exclude_defaults=True))}",
        "bindings:" if matched else "bindings: []",
    ]
    body = [binding_line(s) for s in matched]
    tail = [
        *_listed("Points with no suggestion", [(p.twin_id, p.name) for p in points]),
        *_listed("Addresses with no suggestion", [_address_text(a) for a in addresses]),
    ]
    return "".join(line + "\n" for line in [*header, *body, *tail])


def suggestions_json(result: Suggestions) -> dict[str, Any]:
    """The suggestions as one JSON document (`graphtwin bind --suggest --json`)."""
    return {
        "source": result.source_id,
        "suggestions": [
            {
                "twin_id": s.twin_id,
                "confidence": s.score,
                "reason": s.reason,
                "binding": {
                    "source": s.source_id,
                    **s.address.binding_fields,
                    "point": {"twin_id": s.twin_id},
                },
                "address": _address_json(s.address),
            }
            for s in result.matched
        ],
        "unmatched_points": [
            {"twin_id": p.twin_id, "name": p.name} for p in result.unmatched_points
        ],
        "unmatched_addresses": [_address_json(a) for a in result.unmatched_addresses],
    }


def _address_json(address: DiscoveredAddress) -> dict[str, Any]:
    return {
        "name": address.name,
        "reference": address.reference,
        "units": address.units,
        "path": list(address.path),
        "binding_fields": dict(address.binding_fields),
    }
