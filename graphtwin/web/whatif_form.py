"""The what-if form as a `ScenarioInput`: what the page's fields mean to the `simulate` mutation.

The form names one intervention (what happens: a trip, equipment out of service, more people,
less air) and up to `MAX_ACTIONS` actions, each one change (more air from an AHU, fewer people,
a cooling or heating setpoint moved by some kelvin). A field left empty is left out; a field that
is wrong is a `WebActionError` (400) naming it, before anything runs. What the scenario then
checks (the targets exist, the horizon is allowed) is the API's to refuse, naming the field.

>>> scenario_input({"name": "AHU-1 trips", "horizon": "2h", "intervention_type": "trip",
...                 "intervention_target": "ahu-1", "action_0_name": "more air",
...                 "action_0_type": "airflow", "action_0_target": "ahu-2",
...                 "action_0_value": "1.3"})["actions"]
[{'name': 'more air', 'interventions': [{'type': 'AIRFLOW', 'target': 'ahu-2', 'factor': 1.3}]}]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from graphtwin.web.errors import WebActionError

MAX_ACTIONS = 3
HORIZONS = ("1h", "2h", "4h", "8h", "24h")
STEPS = ("5m", "15m")
INTERVENTIONS = {
    "trip": "Trip (the equipment stops)",
    "out_of_service": "Out of service",
    "occupancy": "Occupancy (gains x factor)",
    "airflow": "Airflow (HVAC capacity x factor)",
}
ACTIONS = {
    "airflow": "Airflow (HVAC capacity x factor)",
    "occupancy": "Occupancy (gains x factor)",
    "cooling_setpoint": "Cooling setpoint change (K)",
    "heating_setpoint": "Heating setpoint change (K)",
}
_FACTOR = frozenset({"occupancy", "airflow"})
_WHAT = "run a what-if"


def scenario_input(form: Mapping[str, str]) -> dict[str, Any]:
    """The `ScenarioInput` variables of a submitted form (see the module doc)."""
    name = _text(form, "name")
    if not name:
        raise WebActionError(_WHAT, "the scenario needs a name (field name)")
    horizon = _choice(form, "horizon", HORIZONS, "4h")
    step = _choice(form, "step", STEPS, "5m")
    scenario: dict[str, Any] = {"name": name, "horizon": horizon, "step": step}
    start = _text(form, "start")
    if start:
        scenario["start"] = _start(start)
    intervention = _change(form, "intervention", INTERVENTIONS)
    if intervention is None:
        raise WebActionError(_WHAT, "choose what happens: a type and a target (field intervention)")
    scenario["interventions"] = [intervention]
    if _text(form, "outdoor") == "constant":
        scenario["outdoor"] = {"source": "CONSTANT", "value": _number(form, "outdoor_value")}
    price = _text(form, "price")
    if price:
        scenario["tariff"] = {"default": _number(form, "price")}
    carbon = _text(form, "carbon")
    if carbon:
        scenario["carbon"] = {"default": _number(form, "carbon")}
    actions = []
    for i in range(MAX_ACTIONS):
        action_name = _text(form, f"action_{i}_name")
        if not action_name:
            continue
        change = _change(form, f"action_{i}", ACTIONS)
        if change is None:
            raise WebActionError(
                _WHAT, f"action {action_name!r} needs a type and a target (field action_{i})"
            )
        actions.append({"name": action_name, "interventions": [change]})
    if actions:
        scenario["actions"] = actions
    return scenario


def _change(
    form: Mapping[str, str], prefix: str, kinds: Mapping[str, str]
) -> dict[str, Any] | None:
    kind, target = _text(form, f"{prefix}_type"), _text(form, f"{prefix}_target")
    if not kind or not target:
        return None
    if kind not in kinds:
        raise WebActionError(_WHAT, f"{prefix}_type: {kind!r} is not one of {', '.join(kinds)}")
    if kind.endswith("_setpoint"):
        return {
            "type": "SETPOINT",
            "target": target,
            "setpoint": kind.removesuffix("_setpoint").upper(),
            "delta": _number(form, f"{prefix}_value"),
        }
    change: dict[str, Any] = {"type": kind.upper(), "target": target}
    if kind in _FACTOR:
        change["factor"] = _number(form, f"{prefix}_value")
    return change


def _text(form: Mapping[str, str], field: str) -> str:
    value = form.get(field)
    return value.strip() if isinstance(value, str) else ""


def _choice(form: Mapping[str, str], field: str, allowed: tuple[str, ...], default: str) -> str:
    value = _text(form, field) or default
    if value not in allowed:
        raise WebActionError(_WHAT, f"{field}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _number(form: Mapping[str, str], field: str) -> float:
    text = _text(form, field)
    try:
        value = float(text)
    except ValueError:
        raise WebActionError(_WHAT, f"{field}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise WebActionError(_WHAT, f"{field}: {text!r} is not a finite number")
    return value


def _start(text: str) -> str:
    """A `datetime-local` value (no offset: UTC, as the form says) as ISO 8601 with offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WebActionError(_WHAT, f"start: {text!r} is not a date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()
