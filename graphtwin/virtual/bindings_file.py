"""The bindings file that lets `graphtwin sync` follow a virtual building as a real one.

One OPC UA source (the virtual building's endpoint) and one binding per observed point, from
its NodeId to the Point of the same twin id, built with the bindings file's own model
(`graphtwin.telemetry.bindings.BindingsFile`), so what is written is what `sync` validates.
The history and audit log keep the file's defaults (`var/history`, `var/audit.jsonl`, beside
the bindings file).

The subscriptions sample at about half the wall time of one timestep (between 0.05 s and 1 s),
so that at the run's speed every timestep is seen; as fast as possible, at 0.1 s.

>>> sampling_period(speed=600, timestep_s=900)
1.0
>>> sampling_period(speed=9000, timestep_s=900)
0.05
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from graphtwin.errors import InputError, SourceLocation
from graphtwin.telemetry.bindings import BindingsFile
from importers.energyplus.ids import slug
from importers.energyplus.observed import ObservedPoint

FASTEST_PERIOD_S = 0.05
SLOWEST_PERIOD_S = 1.0
AS_FAST_AS_POSSIBLE_PERIOD_S = 0.1
RECONNECT_MAX_S = 2.0


def sampling_period(*, speed: float | None, timestep_s: float) -> float:
    """The subscription period for a run at `speed` with zone timesteps of `timestep_s`."""
    if speed is None:
        return AS_FAST_AS_POSSIBLE_PERIOD_S
    half_step = timestep_s / speed / 2
    return round(min(SLOWEST_PERIOD_S, max(FASTEST_PERIOD_S, half_step)), 3)


def source_id(model: str) -> str:
    """The bindings source id of a virtual building (`virtual-office_medium`)."""
    return f"virtual-{slug(model).replace(':', '-')}"


def virtual_bindings(
    points: Sequence[ObservedPoint],
    *,
    model: str,
    endpoint: str,
    namespace_index: int,
    period_s: float,
) -> BindingsFile:
    """Bindings from every point's OPC UA variable to its twin Point, checked as `sync` checks
    them."""
    return _virtual_spec(
        {"type": "opcua", "endpoint": endpoint},
        [{"node_id": f"ns={namespace_index};s={point.twin_id}"} for point in points],
        points,
        model=model,
        period_s=period_s,
    )


def virtual_bacnet_bindings(
    points: Sequence[ObservedPoint],
    *,
    model: str,
    address: str,
    device: int,
    period_s: float,
    log_period_s: float | None = None,
) -> BindingsFile:
    """Bindings from every point's analog-value object (`analog-value,<i+1>` for the point
    number i, see bacnet_server.py) to its twin Point, followed by COV, checked as `sync` checks
    them. With `log_period_s`, each also names the trend log holding its history, read that
    often."""
    from graphtwin.virtual.bacnet_server import trend_log_of  # lazily: loads the engine

    logs = {} if log_period_s is None else {"log_period_s": log_period_s}
    return _virtual_spec(
        {"type": "bacnet", "local": "127.0.0.1:0", "device": device, "address": address, **logs},
        [
            {"object_type": "analog-value", "instance": i + 1}
            | ({} if log_period_s is None else {"trend_log": trend_log_of(i)})
            for i in range(len(points))
        ],
        points,
        model=model,
        period_s=period_s,
    )


def virtual_mqtt_bindings(
    points: Sequence[ObservedPoint],
    *,
    model: str,
    broker: str,
    group_id: str,
    metrics: Sequence[str],
    period_s: float,
) -> BindingsFile:
    """Bindings from every point's Sparkplug B metric (`<group>/<edge node>/<device>/<name>`,
    see sparkplug_publisher.py) to its twin Point, checked as `sync` checks them."""
    return _virtual_spec(
        {"type": "mqtt", "broker": broker, "sparkplug": {"group_id": group_id}},
        [{"metric": metric} for metric in metrics],
        points,
        model=model,
        period_s=period_s,
    )


def _virtual_spec(
    source: dict[str, object],
    addresses: list[dict[str, object]],
    points: Sequence[ObservedPoint],
    *,
    model: str,
    period_s: float,
) -> BindingsFile:
    """One source and a binding from each address to its point, subscribed at `period_s`."""
    source_name = source_id(model)
    spec = BindingsFile.model_validate(
        {
            "graphtwin-bindings": 1,
            "sources": [{"id": source_name, **source, "reconnect_max_s": RECONNECT_MAX_S}],
            "rules": {"default": {"mode": "subscribe", "period_s": period_s}},
            "bindings": [
                {"source": source_name, **address, "point": {"twin_id": point.twin_id}}
                for address, point in zip(addresses, points, strict=True)
            ],
        }
    )
    return spec.checked()


def write_bindings(spec: BindingsFile, path: Path, *, header: str = "") -> Path:
    """Write `spec` as YAML (only what differs from the defaults), with `header` as a comment."""
    document = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    document = {"graphtwin-bindings": spec.graphtwin_bindings, **document}
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(comment + text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write the bindings file: {exc.strerror or exc}",
            location=SourceLocation(str(path)),
            entity="--bindings-out",
        ) from exc
    return path
