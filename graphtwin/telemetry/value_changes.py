"""Which points' values differ between two times, and which data source (the sync, an HTTP push)
wrote each: the values part of `graphtwin diff twin --values` and of GraphQL `twinDiff(values:
true)`. Values are not versioned in the graph; they come from the history store.

>>> changes = value_changes(history, ["urn:b1:zone-1-temp"], t1, t2, lookback=timedelta(days=1))
>>> changes[0].to_json()["new"]["source"]
'opcua-bms'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from graphtwin.telemetry.history import HistoryStore

Reading = tuple[datetime, float, str, str]
"""(time, value, quality, source) as HistoryStore.values_at gives it."""


@dataclass(frozen=True, slots=True)
class ValueChange:
    """A point's value at each time (None: no value within the look-back), the later one
    naming the data source that wrote it."""

    twin_id: str
    old: Reading | None
    new: Reading | None

    def to_json(self) -> dict[str, Any]:
        def reading(found: Reading | None) -> dict[str, Any] | None:
            if found is None:
                return None
            at, value, quality, source = found
            return {"value": value, "at": at.isoformat(), "quality": quality, "source": source}

        return {"twin_id": self.twin_id, "old": reading(self.old), "new": reading(self.new)}


def value_changes(
    history: HistoryStore,
    point_ids: Sequence[str],
    from_: datetime,
    to: datetime,
    *,
    lookback: timedelta,
) -> list[ValueChange]:
    """The points among `point_ids` whose value at `to` is not their value at `from_` (another
    value, or one where there was none, or none any more), in twin_id order."""
    before = history.values_at(point_ids, from_, lookback)
    after = history.values_at(point_ids, to, lookback)
    changes = []
    for twin_id in sorted(set(point_ids)):
        old, new = before.get(twin_id), after.get(twin_id)
        if _value(old) != _value(new):
            changes.append(ValueChange(twin_id, old, new))
    return changes


def _value(found: Reading | None) -> tuple[float, str] | None:
    return None if found is None else (found[1], found[2])
