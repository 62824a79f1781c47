"""MQTT topics in bindings: source addresses, wildcard matching and point templates (pure).

A plain binding names a topic, and optionally a JSONPath `field` in its JSON payload; its source
address is `mqtt:<topic>` (`mqtt:<topic>|<field>` with a field). A Sparkplug B binding names a
metric as `<group>/<edge node>/<device or ->/<metric name>`; its address is `spb:` and that.

One binding can bind many points: each `+` level of its topic names a part of the point, which
the point spells as `{1}`, `{2}`, ... (the first, second, ... `+`). With
`topic: "bldg/+/+/temp"` and `point: {twin_id: "urn:bldg/{1}/{2}-temp"}`, the point
`urn:bldg/ahu-1/sa-temp` is updated by the topic `bldg/ahu-1/sa/temp`. The sync binds every
point of the twin that the template spells, when it starts.

>>> template = PointTemplate("urn:bldg/{1}/{2}-temp")
>>> template.match("urn:bldg/ahu-1/sa-temp")
('ahu-1', 'sa')
>>> fill_topic("bldg/+/+/temp", ("ahu-1", "sa"))
'bldg/ahu-1/sa/temp'
>>> topic_matches("bldg/+/temp", "bldg/ahu-1/temp"), topic_matches("bldg/#", "bldg/a/b")
(True, True)
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{(\d+)\}")


def mqtt_address(topic: str | None, field: str | None, metric: str | None) -> str:
    """The source address a binding's MQTT fields spell (the key readings are reported under)."""
    if metric is not None:
        return f"spb:{metric}"
    return f"mqtt:{topic}" if field is None else f"mqtt:{topic}|{field}"


def has_wildcard(topic: str) -> bool:
    return "+" in topic.split("/") or topic.endswith("#")


def topic_matches(pattern: str, topic: str) -> bool:
    """Whether a topic filter (with + and #) matches a topic name."""
    want, have = pattern.split("/"), topic.split("/")
    for i, level in enumerate(want):
        if level == "#":
            return True
        if i >= len(have) or (level != "+" and level != have[i]):
            return False
    return len(want) == len(have)


def fill_topic(pattern: str, parts: tuple[str, ...]) -> str:
    """The topic a pattern's `+` levels filled with `parts`, in order."""
    filled = iter(parts)
    return "/".join(next(filled) if level == "+" else level for level in pattern.split("/"))


def check_topic_binding(topic: str, point: str) -> None:
    """A ValueError unless the topic is a valid binding topic for this point (template)."""
    levels = topic.split("/")
    if any(("+" in level and level != "+") or "#" in level for level in levels):
        raise ValueError(
            f"topic {topic!r}: a binding's topic may use + for whole levels only (# is for "
            "listening, not binding)"
        )
    wildcards = levels.count("+")
    named = {int(n) for n in _PLACEHOLDER.findall(point)}
    if named != set(range(1, wildcards + 1)):
        raise ValueError(
            f"topic {topic!r} has {wildcards} + level(s): the point must name each of them as "
            f"{{1}}..{{{wildcards}}} and nothing else (got {sorted(named) or 'none'})"
        )


def mqtt_binding_problem(sparkplug: bool, metric: str | None) -> str | None:
    """Why a binding does not fit its MQTT source's format, or None."""
    if sparkplug and metric is None:
        return "a Sparkplug B source's bindings name a metric, not a topic"
    if not sparkplug and metric is not None:
        return "a metric binding needs a source with sparkplug settings"
    return None


class PointTemplate:
    """A point's twin_id (or ref) with `{n}` placeholders for a topic's `+` levels."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.prefix = text.split("{", 1)[0]  # literal text before the first placeholder
        pieces = _PLACEHOLDER.split(text)  # literal, number, literal, number, ..., literal
        pattern, order, seen = re.escape(pieces[0]), [], set()
        for number, literal in zip(pieces[1::2], pieces[2::2], strict=True):
            if number in seen:
                pattern += f"(?P=p{number})"
            else:
                pattern += f"(?P<p{number}>[^/]+)"
                seen.add(number)
                order.append(number)
            pattern += re.escape(literal)
        self._regex = re.compile(pattern)
        self._count = len(order)

    def match(self, value: str) -> tuple[str, ...] | None:
        """The parts that fill the placeholders {1}..{n} to spell `value`, or None."""
        found = self._regex.fullmatch(value)
        if found is None:
            return None
        return tuple(found.group(f"p{i}") for i in range(1, self._count + 1))
