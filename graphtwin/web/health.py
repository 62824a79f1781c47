"""A point's live value as people read it: one state word, written out, never a colour alone.

The API answers `current { health quality ... }` (health: ok, stale, fault or unknown; quality:
good, uncertain or bad). The pages show one state per value, the worst of the two, as text and
as a CSS class (`state-<state>`) that colours it:

>>> state_of({"health": "ok", "quality": "uncertain"})
'uncertain'
>>> state_of({"health": "fault", "quality": "good"})
'bad'
>>> state_of(None)
'no value'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

STATES = ("ok", "no value", "uncertain", "stale", "bad")
"""Every state a value can be in, best first."""

_RANK = {state: rank for rank, state in enumerate(STATES)}


def state_of(current: Mapping[str, Any] | None) -> str:
    """The state of a point's `current` value (None: the point has none)."""
    if not current:
        return "no value"
    health, quality = current.get("health"), current.get("quality")
    if health == "fault" or quality == "bad":
        return "bad"
    if health == "stale":
        return "stale"
    if quality == "uncertain":
        return "uncertain"
    if health == "ok":
        return "ok"
    return "no value"


def worst(states: Iterable[str]) -> str | None:
    """The worst of `states` (None when there are none).

    >>> worst(["ok", "stale", "uncertain"])
    'stale'
    """
    return max(states, key=_RANK.__getitem__, default=None)


def css_class(state: str) -> str:
    """The CSS class that colours a state: `state-ok`, `state-no-value`, ...

    >>> css_class("no value")
    'state-no-value'
    """
    return "state-" + state.replace(" ", "-")


def shown_value(current: Mapping[str, Any] | None) -> str:
    """A value with its unit for a table cell ('' when there is none).

    >>> shown_value({"value": 21.456, "unit": "degC"})
    '21.46 degC'
    >>> shown_value({"value": None, "text": "on", "unit": None})
    'on'
    """
    if not current:
        return ""
    value = current.get("value")
    if isinstance(value, int | float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = current.get("text") or ""
    unit = current.get("unit")
    return f"{text} {unit}" if text and unit and unit != "none" else text
