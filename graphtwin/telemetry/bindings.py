"""The bindings file: where live values come from and which twin point each one updates.

Bindings are code, reviewed like code. One YAML file declares the data sources, the sync rules
and the bindings from a source address to a twin point:

graphtwin-bindings: 1
history: {dir: var/history, retention_days: 30}   # Parquet, one folder per day
audit_log: var/audit.jsonl                         # append-only, hash-chained
sources:
  - {id: plant-opcua, type: opcua, endpoint: "opc.tcp://127.0.0.1:4840/graphtwin/"}
  - {id: meters, type: modbus, host: 127.0.0.1, port: 5020, device_id: 1}
  - {id: last-week, type: replay, file: readings.csv, time_column: timestamp, speed: 60}
  - {id: bms-push, type: http}
rules:
  zone-temperature:
    mode: subscribe            # or poll, every period_s
    period_s: 1
    deadband: 0.1              # a change smaller than this is not an update
    staleness_s: 300           # no update for this long: health stale, a staleness DriftIssue
    thresholds: {warning: {low: 18, high: 26}, critical: {low: 15, high: 30}, hysteresis: 0.5}
    reconcile: alert           # auto_correct | alert | investigate | ignore
bindings:
  - {source: plant-opcua, node_id: "ns=2;s=AHU2.SAT", point: {ref: bldg-b/ahu-2/sat}}
  - {source: meters, register_type: holding, address: 0, datatype: float32, scale: 0.1,
     point: {twin_id: "urn:riverside:bldg-b/vav-201-zat"}, rule: zone-temperature}
  - {source: last-week, column: sat, point: {ref: bldg-b/ahu-2/sat}}

A point is named by `twin_id`, or by `ref`: the Brick timeseries id (`ref:hasTimeseriesId`) the
importer keeps as the point's `timeseries_id`. Resolving refs needs the graph (see resolve.py).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graphtwin.drift.rules import Strategy, Thresholds
from graphtwin.errors import SchemaViolationError
from graphtwin.telemetry.mqtt_topics import check_topic_binding, mqtt_address, mqtt_binding_problem
from graphtwin.yaml_spec import published_schema, read_spec

_Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:/\-]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- data sources --------------------------------------------------------------------------------


class OpcUaSecurity(_Strict):
    """OPC UA message security. `None` is for a server on this machine only."""

    policy: Literal["None", "Basic256Sha256", "Aes128Sha256RsaOaep", "Aes256Sha256RsaPss"] = "None"
    mode: Literal["None", "Sign", "SignAndEncrypt"] = "None"
    certificate: Path | None = Field(default=None, description="Client certificate (DER or PEM).")
    private_key: Path | None = Field(default=None, description="Client private key (PEM).")
    username: str | None = None
    password_env: str | None = Field(
        default=None, description="Environment variable holding the password (never the file)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> OpcUaSecurity:
        if (self.policy == "None") != (self.mode == "None"):
            raise ValueError("policy and mode are both None, or neither is")
        if self.policy != "None" and not (self.certificate and self.private_key):
            raise ValueError(f"policy {self.policy} needs certificate and private_key")
        return self


class OpcUaSource(_Strict):
    id: _Id
    type: Literal["opcua"]
    endpoint: str = Field(pattern=r"^opc\.tcp://", description="opc.tcp://host:port/path")
    security: OpcUaSecurity = OpcUaSecurity()
    timeout_s: float = Field(default=4.0, gt=0, le=300)
    reconnect_max_s: float = Field(
        default=10.0, gt=0, le=600, description="Upper bound of the reconnect backoff."
    )


class ModbusSource(_Strict):
    id: _Id
    type: Literal["modbus"]
    host: str = Field(min_length=1)
    port: int = Field(default=502, ge=1, le=65535)
    device_id: int = Field(default=1, ge=0, le=255, description="Modbus unit / device id.")
    timeout_s: float = Field(default=1.0, gt=0, le=60)
    reconnect_max_s: float = Field(default=10.0, gt=0, le=600)

    @property
    def endpoint(self) -> str:
        return f"modbus-tcp://{self.host}:{self.port}/{self.device_id}"


class ReplaySource(_Strict):
    id: _Id
    type: Literal["replay"]
    file: Path = Field(description="CSV or Parquet file, one column per bound series.")
    time_column: str = "timestamp"
    speed: float = Field(
        default=1.0, gt=0, description="1 replays in real time, 60 a minute per second."
    )
    loop: bool = Field(default=False, description="Start again at the end of the file.")
    restamp: bool = Field(
        default=True,
        description="Stamp values with the replay time (now), not the file's, so they are current.",
    )

    @property
    def endpoint(self) -> str:
        return f"file:{self.file}"


class HttpSource(_Strict):
    """Values pushed to the API's `POST /telemetry` (operator role)."""

    id: _Id
    type: Literal["http"]

    @property
    def endpoint(self) -> str:
        return "POST /telemetry"


class MqttTls(_Strict):
    """TLS towards the broker (an mqtts:// broker URL): the CA that signed the broker's
    certificate (absent: the system's CAs), and a client certificate when the broker wants one."""

    ca_file: Path | None = None
    cert_file: Path | None = Field(default=None, description="Client certificate (PEM).")
    key_file: Path | None = Field(default=None, description="Client private key (PEM).")

    @model_validator(mode="after")
    def _pair(self) -> MqttTls:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("a client certificate needs both cert_file and key_file")
        return self


class SparkplugSettings(_Strict):
    """The source speaks Sparkplug B: its bindings name metrics, not topics."""

    group_id: str = Field(
        default="+",
        pattern=r"^[^/#]+$",
        description="The Sparkplug group to listen to; + listens to every group.",
    )


class MqttSource(_Strict):
    """An MQTT broker: plain topics (a number or JSON per message), or Sparkplug B when
    `sparkplug` is given."""

    id: _Id
    type: Literal["mqtt"]
    broker: str = Field(
        pattern=r"^mqtts?://[^/:]+(:\d+)?/?$",
        description="mqtt://host:port, or mqtts://host:port for TLS",
    )
    tls: MqttTls | None = Field(default=None, description="TLS files (mqtts:// brokers).")
    username: str | None = None
    password_env: str | None = Field(
        default=None, description="Environment variable holding the password (never the file)."
    )
    client_id: str | None = Field(default=None, description="Default: graphtwin-<source id>.")
    qos: Literal[0, 1, 2] = 1
    keepalive_s: int = Field(default=30, ge=1, le=65_535)
    reconnect_max_s: float = Field(default=10.0, gt=0, le=600)
    max_queued: int = Field(
        default=100_000,
        ge=1,
        description="Messages received and not yet decoded; beyond this the client drops them.",
    )
    sparkplug: SparkplugSettings | None = None

    @property
    def endpoint(self) -> str:
        return self.broker

    @property
    def host(self) -> str:
        return urlsplit(self.broker).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.broker)
        return parts.port or (8883 if parts.scheme == "mqtts" else 1883)


_HostPort = Annotated[
    str, Field(pattern=r"^[0-9A-Za-z.\-]+(/\d{1,2})?(:\d{1,5})?$", description="host:port")
]


class BacnetSource(_Strict):
    """A BACnet/IP device (or several, each binding naming its `device`), through our own
    BACnet/IP interface `local`."""

    id: _Id
    type: Literal["bacnet"]
    local: _HostPort = Field(
        default="0.0.0.0:0",
        description='Our interface, "address[/prefix]:port" ("192.168.1.20/24:47808"); port 0 '
        "is a free port, which reaches devices by address only (no broadcast Who-Is).",
    )
    device: int | None = Field(
        default=None, ge=0, le=4_194_302, description="Device instance of the peer."
    )
    address: _HostPort | None = Field(
        default=None, description='The peer\'s "host:port"; absent: found by Who-Is for device.'
    )
    bbmd: _HostPort | None = Field(
        default=None, description="Register as a foreign device with this BBMD (host:port)."
    )
    ttl_s: int = Field(default=300, ge=1, le=65_535, description="Foreign-device registration.")
    cov_lifetime_s: int = Field(
        default=300, ge=1, le=86_400, description="SubscribeCOV lifetime, renewed before it ends."
    )
    timeout_s: float = Field(default=3.0, gt=0, le=60, description="One request's answer.")
    reconnect_max_s: float = Field(default=10.0, gt=0, le=600)
    bind_references: bool = Field(
        default=False,
        description="Also bind every twin point whose bacnet_* properties name this source's "
        "device (a Brick model's ref:BACnetReference), without a binding each.",
    )
    log_period_s: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="How often the trend logs named by the bindings (`trend_log`) are read by "
        "ReadRange: their new records go to the history with the records' times.",
    )
    log_time_zone: str = Field(
        default="UTC",
        description='The time zone of the device\'s trend log timestamps ("Europe/Paris").',
    )

    @field_validator("log_time_zone")
    @classmethod
    def _zone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {name!r}") from exc
        return name

    @model_validator(mode="after")
    def _peer(self) -> BacnetSource:
        if self.device is None and self.address is None:
            raise ValueError("a bacnet source names its device, its address or both")
        if self.bind_references and self.device is None:
            raise ValueError("bind_references needs the source's device instance")
        return self

    @property
    def endpoint(self) -> str:
        where = self.address or "who-is"
        return f"bacnet://{where}/{'' if self.device is None else self.device}"


DataSource = Annotated[
    OpcUaSource | ModbusSource | ReplaySource | HttpSource | MqttSource | BacnetSource,
    Field(discriminator="type"),
]


# --- sync rules ---------------------------------------------------------------------------------


class SyncRule(_Strict):
    mode: Literal["subscribe", "poll"] = "subscribe"
    period_s: float = Field(default=1.0, gt=0, le=86_400, description="Poll or sampling period.")
    deadband: float = Field(default=0.0, ge=0, description="Smaller changes are not updates.")
    trigger: Literal["on_change", "always"] = "on_change"
    priority: int = Field(default=0, ge=0, le=9, description="Higher is written first.")
    staleness_s: float | None = Field(
        default=None, gt=0, description="No update for this long marks the point stale."
    )
    thresholds: Thresholds | None = None
    reconcile: Strategy = "alert"
    webhook: str | None = Field(
        default=None, description="Local URL that receives alerts as JSON (POST)."
    )

    @field_validator("webhook")
    @classmethod
    def _local_only(cls, url: str | None) -> str | None:
        if url is not None and not is_local_url(url):
            raise ValueError("webhooks go to this machine only (http://127.0.0.1 or localhost)")
        return url


def is_local_url(url: str) -> bool:
    """An http(s) URL on the loopback interface."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


# --- bindings -----------------------------------------------------------------------------------


class PointRef(_Strict):
    """The twin point a binding updates: by twin_id, or by its Brick timeseries id."""

    twin_id: str | None = Field(default=None, min_length=1)
    ref: str | None = Field(default=None, min_length=1, description="timeseries_id of the point")

    @model_validator(mode="after")
    def _one(self) -> PointRef:
        if (self.twin_id is None) == (self.ref is None):
            raise ValueError("give exactly one of twin_id and ref")
        return self


ModbusRegister = Literal["holding", "input", "coil", "discrete"]
ModbusDatatype = Literal["int16", "uint16", "int32", "uint32", "float32", "float64", "bool"]


class Binding(_Strict):
    source: _Id
    point: PointRef
    rule: str | None = Field(default=None, description="Name of a rule (default: `default`).")
    # OPC UA address
    node_id: str | None = Field(default=None, description='OPC UA NodeId, e.g. "ns=2;s=AHU.SAT"')
    browse_path: str | None = Field(
        default=None, description='OPC UA browse path from Objects, e.g. "2:AHU2/2:SAT"'
    )
    # Modbus address
    register_type: ModbusRegister | None = None
    address: int | None = Field(default=None, ge=0, le=65_535)
    datatype: ModbusDatatype = "uint16"
    byte_order: Literal["big", "little"] = "big"
    word_order: Literal["big", "little"] = "big"
    scale: float = 1.0
    offset: float = 0.0
    # replay column
    column: str | None = None
    # MQTT address: a plain topic (with a JSON field), or a Sparkplug B metric
    topic: str | None = Field(
        default=None,
        min_length=1,
        description='MQTT topic, e.g. "bldg/ahu2/sat"; a + level may name the point: '
        '"bldg/+/sat" with point {twin_id: "urn:bldg/{1}/sat"} binds every such point',
    )
    field: str | None = Field(
        default=None,
        min_length=1,
        description='JSONPath of the value in a JSON payload ("value", "data.temp", '
        '"$.readings[0].v"); absent: the payload is a number',
    )
    metric: str | None = Field(
        default=None,
        pattern=r"^[^/#+]+/[^/#+]+/[^/#+]+/.+$",
        description='Sparkplug B metric: "<group>/<edge node>/<device, or - for the node>/'
        '<metric name>"',
    )

    # BACnet address (object type in BACnet's hyphenated form)
    object_type: str | None = Field(default=None, description='BACnet object type, "analog-input"')
    instance: int | None = Field(default=None, ge=0, le=4_194_302, description="Object instance.")
    device: int | None = Field(
        default=None, ge=0, le=4_194_302, description="Device instance (default: the source's)."
    )
    trend_log: str | None = Field(
        default=None,
        pattern=r"^trend-log(-multiple)?,\d{1,7}$",
        description="The trend log on the same device holding the object's history, "
        '"trend-log,3" or "trend-log-multiple,1": read by ReadRange every log_period_s of '
        "the source",
    )

    @field_validator("object_type")
    @classmethod
    def _bacnet_type(cls, name: str | None) -> str | None:
        if name is None:
            return None
        from graphtwin.telemetry.connectors.bacnet.reference import object_type_name

        if object_type_name(name) != name:
            raise ValueError(f"write BACnet's hyphenated name {object_type_name(name)!r}")
        return name

    @model_validator(mode="after")
    def _one_address(self) -> Binding:
        kinds = [
            name
            for name, given in (
                ("opcua", self.node_id is not None or self.browse_path is not None),
                ("modbus", self.register_type is not None or self.address is not None),
                ("replay", self.column is not None),
                ("mqtt", self.topic is not None or self.metric is not None),
                ("bacnet", self.object_type is not None or self.instance is not None),
            )
            if given
        ]
        if len(kinds) > 1:
            raise ValueError(f"one address per binding, got {' and '.join(kinds)} fields")
        if self.node_id is not None and self.browse_path is not None:
            raise ValueError("give node_id or browse_path, not both")
        if (self.register_type is None) != (self.address is None):
            raise ValueError("a Modbus binding needs both register_type and address")
        if self.register_type in ("coil", "discrete") and self.datatype != "bool":
            raise ValueError(f"{self.register_type} registers hold bool values")
        if (self.object_type is None) != (self.instance is None):
            raise ValueError("a BACnet binding needs both object_type and instance")
        if (self.device is not None or self.trend_log is not None) and self.object_type is None:
            raise ValueError(
                "device and trend_log belong to a BACnet binding: give object_type and instance"
            )
        if self.topic is not None and self.metric is not None:
            raise ValueError("give topic (plain MQTT) or metric (Sparkplug B), not both")
        if self.field is not None and self.topic is None:
            raise ValueError("field picks a value from a topic's JSON payload: give topic")
        if self.topic is not None:
            check_topic_binding(self.topic, self.point.twin_id or self.point.ref or "")
        return self

    @property
    def address_kind(self) -> str | None:
        if self.node_id is not None or self.browse_path is not None:
            return "opcua"
        if self.register_type is not None:
            return "modbus"
        if self.column is not None:
            return "replay"
        if self.topic is not None or self.metric is not None:
            return "mqtt"
        if self.object_type is not None:
            return "bacnet"
        return None

    @property
    def source_address(self) -> str:
        """The address as one string: the key the connector reports readings under."""
        match self.address_kind:
            case "opcua":
                return self.node_id or f"path:{self.browse_path}"
            case "modbus":
                return f"{self.register_type}:{self.address}"
            case "replay":
                return f"column:{self.column}"
            case "mqtt":
                return mqtt_address(self.topic, self.field, self.metric)
            case "bacnet":
                at = "" if self.device is None else f"{self.device}:"
                return f"{at}{self.object_type},{self.instance}"
        # An http binding names its point; the pushed value names the same point.
        return self.point.twin_id or f"ref:{self.point.ref}"


class RuleSelector(_Strict):
    """A rule for every point a selector finds, e.g. every Zone_Air_Temperature_Sensor within
    bldg-a: thresholds and staleness limits declared once, not on one binding per point.

    It governs how a point's values are judged (deadband, trigger, priority, thresholds,
    staleness, reconcile, webhook) for every point the pipeline routes, bound or pushed to an
    open http source; how a device is sampled (mode, period_s) stays with each binding's rule.
    A binding that names its `rule` overrides every selector; otherwise the first selector that
    matches the point wins, then `default`."""

    brick_class: str | None = Field(
        default=None,
        min_length=1,
        description="Brick class local name; its subclasses and aliases match too.",
    )
    within: _Id | None = Field(
        default=None,
        description="twin_id of a subtree root: only points in it (CONTAINS, HAS_PART, "
        "HAS_POINT, and what is LOCATED_IN it, as governance selectors see a subtree).",
    )
    rule: str = Field(description="Name of the rule the selected points follow.")

    @model_validator(mode="after")
    def _selects(self) -> RuleSelector:
        if self.brick_class is None and self.within is None:
            raise ValueError("a selector needs brick_class, within or both")
        return self


class HistorySettings(_Strict):
    dir: Path = Path("var/history")
    retention_days: int | None = Field(default=30, ge=1, description="None keeps everything.")


class PipelineSettings(_Strict):
    """How the ingest pipeline batches writes to the graph."""

    flush_interval_s: float = Field(default=0.1, gt=0, le=60, description="Time between writes.")
    max_batch: int = Field(default=20_000, ge=1, description="Points per write at most.")
    max_pending: int = Field(
        default=1_000_000,
        ge=1,
        description="Points waiting for the graph (e.g. while Neo4j is down). A new point beyond "
        "this is dropped and counted as buffer_overflow.",
    )
    max_clock_skew_s: float = Field(
        default=300.0, ge=0, description="A source time further ahead than this is rejected."
    )


_SOURCE_ADDRESS = {
    "opcua": "opcua",
    "modbus": "modbus",
    "replay": "replay",
    "http": None,
    "mqtt": "mqtt",
    "bacnet": "bacnet",
}


class BindingsFile(_Strict):
    graphtwin_bindings: Literal[1] = Field(alias="graphtwin-bindings")
    history: HistorySettings = HistorySettings()
    audit_log: Path = Path("var/audit.jsonl")
    pipeline: PipelineSettings = PipelineSettings()
    sources: list[DataSource] = Field(min_length=1)
    rules: dict[str, SyncRule] = Field(default_factory=dict)
    selectors: list[RuleSelector] = Field(
        default_factory=list,
        description="Rules for every point a selector finds; a binding's own rule wins.",
    )
    bindings: list[Binding] = Field(default_factory=list)

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """What the schema alone cannot check: references between entries, each with the path of
        the entry at fault (for the line in an error message)."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        by_id: dict[str, DataSource] = {}
        for i, source in enumerate(self.sources):
            if source.id in by_id:
                found.append((("sources", i), f"source id {source.id!r} is declared twice"))
            by_id[source.id] = source
        for i, selector in enumerate(self.selectors):
            if selector.rule not in self.rules:
                found.append((("selectors", i), f"unknown rule {selector.rule!r}"))
        seen: set[tuple[str, str]] = set()
        for i, binding in enumerate(self.bindings):
            at = ("bindings", i)
            source = by_id.get(binding.source)
            if source is None:
                found.append((at, f"unknown source {binding.source!r}"))
                continue
            wanted = _SOURCE_ADDRESS[source.type]
            if binding.address_kind != wanted:
                need = f"a {wanted} address" if wanted else "no address, only a point"
                found.append((at, f"a binding to {source.type} source {source.id!r} needs {need}"))
            if source.type == "mqtt" and binding.address_kind == "mqtt":
                problem = mqtt_binding_problem(source.sparkplug is not None, binding.metric)
                if problem:
                    found.append((at, f"{problem} ({source.id})"))
            if binding.rule is not None and binding.rule not in self.rules:
                found.append((at, f"unknown rule {binding.rule!r}"))
            key = (binding.source, binding.source_address)
            if key in seen:
                found.append((at, f"{binding.source} {binding.source_address} is bound twice"))
            seen.add(key)
        return found

    def checked(self) -> BindingsFile:
        """This file, or a SchemaViolationError for its first broken reference."""
        for path, message in self.problems():
            raise SchemaViolationError(message, entity=".".join(map(str, path)))
        return self

    def rule_of(self, binding: Binding) -> SyncRule:
        return self.rules.get(binding.rule or "default") or self.rules.get("default") or SyncRule()

    def source(self, source_id: str) -> DataSource:
        return next(s for s in self.sources if s.id == source_id)

    def bindings_of(self, source_id: str) -> list[Binding]:
        return [b for b in self.bindings if b.source == source_id]


def read_bindings(path: Path) -> BindingsFile:
    """The bindings file, validated; relative paths in it are taken from the file's folder.
    A mistake is a SchemaViolationError naming the file, line and entry."""
    spec, lines = read_spec(path, BindingsFile, expected="a bindings file is a YAML mapping")
    for at, message in spec.problems():
        raise SchemaViolationError(message, location=lines.location(at), entity=_entity(spec, at))
    base = path.parent
    return spec.model_copy(
        update={
            "history": spec.history.model_copy(update={"dir": base / spec.history.dir}),
            "audit_log": base / spec.audit_log,
            "sources": [_rebased(s, base) for s in spec.sources],
        }
    )


def _rebased(source: DataSource, base: Path) -> DataSource:
    """The source with the files it names taken from the bindings file's folder `base`."""
    if source.type == "replay":
        return source.model_copy(update={"file": base / source.file})
    if source.type == "mqtt" and source.tls is not None:
        files = {k: base / v for k, v in source.tls.model_dump().items() if v is not None}
        return source.model_copy(update={"tls": source.tls.model_copy(update=files)})
    return source


def _entity(spec: BindingsFile, at: tuple[str | int, ...]) -> str:
    section, index = at
    if section == "sources":
        return f"source {spec.sources[int(index)].id}"
    if section == "selectors":
        return f"selector {int(index) + 1} (rule {spec.selectors[int(index)].rule})"
    binding = spec.bindings[int(index)]
    return f"binding {binding.source} {binding.source_address}"


def open_http_bindings(root: Path, audit_log: Path) -> BindingsFile:
    """What the API runs without a bindings file: one open http source, `http`, that may update
    any point, with its history under `root` and its records in the twin's audit log."""
    return BindingsFile.model_validate(
        {
            "graphtwin-bindings": 1,
            "history": {"dir": root / "history"},
            "audit_log": audit_log,
            "sources": [{"id": "http", "type": "http"}],
        }
    )


def bindings_json_schema() -> dict[str, Any]:
    return published_schema(
        BindingsFile.model_json_schema(by_alias=True),
        schema_id="https://graphtwin.dev/schemas/bindings.schema.json",
        title="graphtwin bindings file",
    )
