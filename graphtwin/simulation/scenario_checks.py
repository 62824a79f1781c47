"""The checks of a scenario that read several fields at once: the horizon against its limit, the
step against the horizon, each intervention's window against the horizon, action names, and the
interventions of one variant against each other. A failed check is a `FieldProblemError`
carrying the path of the field to fix; validation turns it into a ScenarioError.

>>> field_path(("actions", 0, "interventions", 1, "until"))
'actions[0].interventions[1].until'
>>> parse_field("actions[0].interventions[1].until")
('actions', 0, 'interventions', 1, 'until')
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from graphtwin.errors import InputError
from graphtwin.simulation.interventions import (
    AddFeed,
    Intervention,
    OccupancyChange,
    RemoveFeed,
    ScheduleChange,
    SetpointChange,
    TimedIntervention,
)
from graphtwin.simulation.result import INACTION
from graphtwin.virtual.faults.spec import format_duration, parse_duration

if TYPE_CHECKING:
    from graphtwin.simulation.scenario import Action, Scenario, Variant

FieldPath = tuple[str | int, ...]


class FieldProblemError(InputError, ValueError):
    """A check failed at `path` (raised inside validation, turned into a ScenarioError naming
    that field; a ValueError too, which pydantic turns into a validation error)."""

    def __init__(self, path: FieldPath, message: str) -> None:
        super().__init__(message)
        self.path = path


def field_path(path: FieldPath) -> str:
    """A path into the scenario as a field name: list indexes in brackets."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def parse_field(field: str) -> FieldPath:
    """A field name back into its path (`field_path` reversed)."""
    parts = field.replace("]", "").replace("[", ".").split(".")
    return tuple(int(part) if part.isdigit() else part for part in parts)


def scenario_interventions(scenario: Scenario) -> Iterator[tuple[FieldPath, Intervention]]:
    """Every intervention of the scenario and its actions, with its path, in the order written."""
    for i, intervention in enumerate(scenario.interventions):
        yield ("interventions", i), intervention
    for a, action in enumerate(scenario.actions):
        for i, intervention in enumerate(action.interventions):
            yield ("actions", a, "interventions", i), intervention


def check_scenario(scenario: Scenario, *, max_horizon_s: float, max_steps: int) -> None:
    """Raise a FieldProblemError at the first field that breaks a check across fields."""
    horizon = parse_duration(scenario.horizon)
    step = parse_duration(scenario.step)
    if horizon.total_seconds() > max_horizon_s:
        limit = format_duration(timedelta(seconds=max_horizon_s))
        raise FieldProblemError(
            ("horizon",),
            f"horizon {scenario.horizon} is over the limit of {limit} "
            "(setting GRAPHTWIN_SIMULATION_MAX_HORIZON_S)",
        )
    if horizon % step:
        raise FieldProblemError(
            ("step",), f"step {scenario.step} does not divide the horizon {scenario.horizon}"
        )
    if horizon // step > max_steps:
        raise FieldProblemError(
            ("step",),
            f"{horizon // step} steps of {scenario.step} over {scenario.horizon} are over the "
            f"limit of {max_steps} (setting GRAPHTWIN_SIMULATION_MAX_STEPS): take a longer step",
        )
    named_any = False
    for path, intervention in scenario_interventions(scenario):
        _check_window(path, intervention, scenario.horizon)
        named_any = True
    _check_actions(scenario.actions)
    for variant in scenario.variants():
        _check_variant(variant)
    if scenario.scope is None and not named_any:
        raise FieldProblemError(
            ("scope",), "give a scope (a building or site id): no intervention names one"
        )


def _check_window(path: FieldPath, intervention: Intervention, horizon: str) -> None:
    if not isinstance(intervention, TimedIntervention):
        return
    if parse_duration(intervention.at) >= parse_duration(horizon):
        raise FieldProblemError(
            (*path, "at"), f"at {intervention.at} is not before the horizon's end ({horizon})"
        )
    if intervention.until is not None and parse_duration(intervention.until) > parse_duration(
        horizon
    ):
        raise FieldProblemError(
            (*path, "until"), f"until {intervention.until} is after the horizon's end ({horizon})"
        )


def _check_actions(actions: Sequence[Action]) -> None:
    seen: dict[str, int] = {}
    for a, action in enumerate(actions):
        key = action.name.strip().casefold()
        if key == INACTION:
            raise FieldProblemError(
                ("actions", a, "name"),
                f"{INACTION!r} is the variant without actions, always run: name the action "
                "otherwise",
            )
        if key in seen:
            raise FieldProblemError(
                ("actions", a, "name"),
                f"action name {action.name!r} is also the name of actions[{seen[key]}]",
            )
        seen[key] = a


def _check_variant(variant: Variant) -> None:
    """Interventions of one variant that cannot all hold: a feed both added and removed, or
    the same setpoint (or internal gains) set to two absolute values at overlapping times.
    Deltas and factors combine, and a trip and an airflow change on one target may overlap."""
    feeds: dict[tuple[str, str], tuple[str, str]] = {}
    absolute: dict[tuple[str, ...], list[tuple[str, tuple[float, float]]]] = {}
    for field, intervention in zip(variant.fields, variant.interventions, strict=True):
        if isinstance(intervention, RemoveFeed | AddFeed):
            pair = (intervention.from_, intervention.to)
            kind, first = feeds.setdefault(pair, (intervention.type, field))
            if kind != intervention.type:
                raise FieldProblemError(
                    parse_field(field),
                    f"{intervention.type} {pair[0]!r} -> {pair[1]!r} contradicts {kind} of the "
                    f"same feed at {first}" + _in(variant),
                )
            continue
        key = _absolute_key(intervention)
        if key is None:
            continue
        window = _window(intervention)
        for other, other_window in absolute.setdefault(key, []):
            if window[0] < other_window[1] and other_window[0] < window[1]:
                raise FieldProblemError(
                    parse_field(field),
                    f"sets {' '.join(key[1:])} of {key[0]!r} while {other} sets it too"
                    + _in(variant),
                )
        absolute[key].append((field, window))


def _in(variant: Variant) -> str:
    return "" if variant.name == INACTION else f" (in action {variant.name!r})"


def _absolute_key(intervention: Intervention) -> tuple[str, ...] | None:
    if isinstance(intervention, ScheduleChange) or (
        isinstance(intervention, SetpointChange) and intervention.value is not None
    ):
        return (intervention.target, intervention.setpoint, "setpoint")
    if isinstance(intervention, OccupancyChange) and intervention.watts_per_m2 is not None:
        return (intervention.target, "internal gains")
    return None


def _window(intervention: Intervention) -> tuple[float, float]:
    if isinstance(intervention, TimedIntervention):
        return intervention.window_s(float("inf"))
    return 0.0, float("inf")
