"""Sparkplug B: births, data and deaths of edge nodes and their devices, decoded with
pysparkplug's protobuf Payload classes.

Topics are `spBv1.0/<group>/<NBIRTH|NDATA|NDEATH>/<edge node>` and
`spBv1.0/<group>/<DBIRTH|DDATA|DDEATH>/<edge node>/<device>`. A metric's source address is
`spb:<group>/<edge node>/<device, or - for the node itself>/<metric name>`.

- NBIRTH/DBIRTH name every metric (with its alias and datatype) and carry current values. An
  NBIRTH starts a new session of its node: its devices must be born again.
- NDATA/DDATA carry values by name or alias, stamped with the metric's timestamp (else the
  payload's). One before its birth (after a start, or after a death) is counted `before_birth`
  and dropped, and the node is asked for a rebirth (an NCMD `Node Control/Rebirth`, what a
  host application that comes online after the births does); the next birth makes that node's
  (device's) data count again.
- NDEATH (the node's MQTT will) and DDEATH end the session: the bound metrics of that node (and
  all its devices), or of that device, are reported stale at once. An NDEATH whose `bdSeq` is
  not the one of the node's current birth is a late will of an older session and is ignored.

Counted per reason on the source's health, nothing delivered: `bad_protobuf` (not a Sparkplug
payload), `unknown_alias` (an alias the birth did not name), `unknown_metric` (a metric
without a datatype that the birth did not announce), `not_a_number` (a string or bytes
metric bound to a point), `bad_topic` (not a Sparkplug topic).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import pysparkplug as spb
from google.protobuf.message import DecodeError

from graphtwin.telemetry.readings import Reading, ReadingSink, SourceHealth

log = logging.getLogger(__name__)

NAMESPACE = "spBv1.0"
REBIRTH = "Node Control/Rebirth"
REBIRTH_EVERY_S = 5.0
NODE = "-"  # the device part of a node's own metrics
BEFORE_BIRTH, BAD_PROTOBUF, UNKNOWN_ALIAS = "before_birth", "bad_protobuf", "unknown_alias"
UNKNOWN_METRIC = "unknown_metric"
NOT_A_NUMBER, BAD_TOPIC = "not_a_number", "bad_topic"

# What a death reports: the addresses of the points now stale, and why.
StaleSink = Callable[[list[str], str], object]

_Key = tuple[str, str, str]  # (group, edge node, device or NODE)
_NUMBERS = (int, float)  # bool is an int: true is 1.0, as the pipeline takes it


def rebirth_request(group: str, edge: str) -> tuple[str, bytes]:
    """The NCMD that asks an edge node to publish its births again (Sparkplug's way for a host
    application that came online after them)."""
    now = int(time.time() * 1000)
    rebirth = spb.Metric(now, REBIRTH, spb.DataType.BOOLEAN, True)
    return f"{NAMESPACE}/{group}/NCMD/{edge}", spb.NCmd(now, [rebirth]).encode(include_dtypes=True)


def metric_address(group: str, edge: str, device: str, name: str) -> str:
    return f"spb:{group}/{edge}/{device}/{name}"


class SparkplugDecoder:
    """Turns one source's Sparkplug B messages into readings and stale reports (module doc)."""

    def __init__(
        self,
        source_id: str,
        group_id: str,
        bound: Iterable[str] | None,
        on_stale: StaleSink | None = None,
    ) -> None:
        """`bound`: the metric addresses bound to points (None: every metric, for discovery)."""
        self.source_id = source_id
        self.group_id = group_id
        self._bound = None if bound is None else set(bound)
        self._on_stale = on_stale
        self._births: dict[_Key, spb.Birth] = {}
        self._bd_seq: dict[tuple[str, str], object] = {}
        self._by_node: dict[tuple[str, str], list[str]] = {}
        self._by_device: dict[_Key, list[str]] = {}
        self._asked: dict[tuple[str, str], float] = {}  # when a node was last asked to rebirth
        self.outbox: list[tuple[str, bytes]] = []
        """Messages for the connector to publish (rebirth requests), taken as they come."""
        for address in self._bound or ():
            group, edge, device, _ = address.removeprefix("spb:").split("/", 3)
            self._by_node.setdefault((group, edge), []).append(address)
            self._by_device.setdefault((group, edge, device), []).append(address)

    def subscriptions(self) -> list[str]:
        return [f"{NAMESPACE}/{self.group_id}/#"]

    def born(self, group: str, edge: str, device: str = NODE) -> bool:
        return (group, edge, device) in self._births

    def handle(self, topic: str, payload: bytes, sink: ReadingSink, health: SourceHealth) -> None:
        parts = topic.split("/")
        if parts[0] != NAMESPACE or (len(parts) == 3 and parts[1] == "STATE"):
            return  # a host application's STATE, not a node's message
        if len(parts) not in (4, 5):
            health.failure(BAD_TOPIC)
            return
        group, kind, edge = parts[1], parts[2], parts[3]
        key = (group, edge, parts[4] if len(parts) == 5 else NODE)
        try:
            match kind:
                case "NBIRTH":
                    self._node_birth(key, spb.NBirth.decode(payload), sink, health)
                case "DBIRTH":
                    if not self.born(group, edge):
                        self._before_birth(group, edge, health)
                        return
                    birth = spb.DBirth.decode(payload)
                    self._births[key] = birth
                    self._deliver(key, birth, sink, health)
                case "NDATA" | "DDATA":
                    birth = self._births.get(key)
                    if birth is None:
                        self._before_birth(group, edge, health)
                        return
                    data = spb.DData.decode(payload, birth=birth)
                    self._deliver(key, data, sink, health)
                case "NDEATH":
                    self._node_death(group, edge, spb.NDeath.decode(payload))
                case "DDEATH":
                    spb.DDeath.decode(payload)
                    if self._births.pop(key, None) is not None:
                        self._stale(self._by_device.get(key, []), f"device {_name(key)} DDEATH")
                case _:
                    return  # commands (NCMD, DCMD) are for the node, not for us
        except KeyError as exc:  # the birth has no such alias (an int) or name (a str)
            health.failure(UNKNOWN_ALIAS if isinstance(exc.args[0], int) else UNKNOWN_METRIC)
        except (DecodeError, ValueError, IndexError, TypeError):
            log.debug("%s: bad Sparkplug payload on %s", self.source_id, topic, exc_info=True)
            health.failure(BAD_PROTOBUF)

    def _before_birth(self, group: str, edge: str, health: SourceHealth) -> None:
        """Data of a node (device) we have seen no birth of: dropped, and the node is asked to
        be born again (an NCMD `Node Control/Rebirth`, at most every REBIRTH_EVERY_S)."""
        health.failure(BEFORE_BIRTH)
        now = time.monotonic()
        if now - self._asked.get((group, edge), -math.inf) >= REBIRTH_EVERY_S:
            self._asked[(group, edge)] = now
            self.outbox.append(rebirth_request(group, edge))

    def _node_birth(
        self, key: _Key, birth: spb.NBirth, sink: ReadingSink, health: SourceHealth
    ) -> None:
        group, edge, _ = key
        for other in [k for k in self._births if k[:2] == (group, edge)]:
            del self._births[other]  # a new session: its devices are born again
        self._births[key] = birth
        self._bd_seq[(group, edge)] = _bd_seq(birth.metrics)
        self._deliver(key, birth, sink, health)

    def _node_death(self, group: str, edge: str, death: spb.NDeath) -> None:
        if not self.born(group, edge):
            return
        seq = death.bd_seq_metric.value if death.bd_seq_metric.name == "bdSeq" else None
        if seq is not None and self._bd_seq.get((group, edge)) not in (None, seq):
            log.debug(
                "%s: ignored the NDEATH of an older session of %s/%s", self.source_id, group, edge
            )
            return
        for other in [k for k in self._births if k[:2] == (group, edge)]:
            del self._births[other]
        self._stale(self._by_node.get((group, edge), []), f"edge node {group}/{edge} NDEATH")

    def _stale(self, addresses: list[str], reason: str) -> None:
        if addresses and self._on_stale is not None:
            self._on_stale(addresses, reason)

    def _deliver(
        self,
        key: _Key,
        payload: spb.NBirth | spb.DBirth | spb.DData,
        sink: ReadingSink,
        health: SourceHealth,
    ) -> None:
        prefix = metric_address(*key, "")
        bound, source_id = self._bound, self.source_id
        sent_ms = payload.timestamp
        stamp_ms, stamp = None, None  # the metrics of one message mostly share their time
        for metric in payload.metrics:
            address = prefix + (metric.name or "")
            if bound is not None and address not in bound:
                continue
            value = metric.value
            if metric.is_null or value is None:
                continue
            if not isinstance(value, _NUMBERS):
                health.failure(NOT_A_NUMBER)
                continue
            at_ms = metric.timestamp if metric.timestamp is not None else sent_ms
            if at_ms != stamp_ms:
                stamp_ms, stamp = (
                    at_ms,
                    datetime.fromtimestamp(at_ms / 1000, UTC) if at_ms else None,
                )
            sink(Reading(source_id, address, value, stamp))


def _bd_seq(metrics: Iterable[spb.Metric]) -> object:
    return next((m.value for m in metrics if m.name == "bdSeq"), None)


def _name(key: _Key) -> str:
    return "/".join(key)
