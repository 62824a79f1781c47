"""OPC UA connector: subscriptions and polled reads from one server, delivered as Readings.

One session per server. Bindings whose rule says `subscribe` share one subscription per period
(the server pushes changes); `poll` bindings are read in one Read request per period. The
connector outlives its server: on any loss it tears the session down, backs off (0.2 s doubling
to `reconnect_max_s`) and starts over with a new session, resolving addresses and subscribing
again, because a restarted server has forgotten the old session and its subscriptions.

asyncua's own reconnect (`auto_reconnect`) is left off: it starts its backoff at 1 s and hides
the attempts from us, and the health record has to count them. Its connection supervisor still
runs; it probes the server state every second, so a server that stops answering without closing
the socket is noticed within about two seconds, even when no data is flowing.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from asyncua import Client, Node, ua
from asyncua.client.ua_client import UaClientState
from asyncua.crypto import security_policies

from graphtwin.errors import ConfigurationError, GraphTwinError
from graphtwin.telemetry.bindings import Binding, OpcUaSecurity, OpcUaSource, SyncRule
from graphtwin.telemetry.connectors import every, require_addresses
from graphtwin.telemetry.readings import Reading, ReadingSink, SourceHealth

logger = logging.getLogger(__name__)

BACKOFF_START_S = 0.2
_WATCH_S = 0.2  # how often the session's state is checked
_PROBE_S = 1.0  # asyncua's supervisor reads the server state this often
_SESSION_TIMEOUT_MS = 60_000  # the server may drop our session a minute after we vanish

# What a lost or refused connection raises (asyncua's errors are RuntimeErrors).
CONNECTION_ERRORS: tuple[type[Exception], ...] = (OSError, TimeoutError, ua.UaError)

# The server answered but refused the user or the certificate: counted as `rejected`.
_REJECTIONS: tuple[type[Exception], ...] = (
    ua.uaerrors.BadUserAccessDenied,
    ua.uaerrors.BadIdentityTokenInvalid,
    ua.uaerrors.BadIdentityTokenRejected,
    ua.uaerrors.BadSecurityChecksFailed,
    ua.uaerrors.BadSecurityPolicyRejected,
    ua.uaerrors.BadCertificateInvalid,
    ua.uaerrors.BadCertificateUntrusted,
)

_NO_TIME = datetime(1601, 1, 2, tzinfo=UTC)  # OPC UA's zero time means "not given"


class _SessionLostError(GraphTwinError):
    """The session's connection is gone (socket closed, probe failed, subscription dead); the
    connector catches it and reconnects."""


# --- addresses and values ------------------------------------------------------------------------


def parse_browse_path(path: str) -> list[ua.QualifiedName]:
    """`2:AHU2/2:SAT` as qualified names. A part without a numeric `ns:` prefix is in namespace 0.
    Only `/` separates parts (unlike the OPC UA text syntax, `.` and `#` are plain characters)."""
    names = []
    for part in path.strip("/").split("/"):
        prefix, sep, name = part.partition(":")
        if sep and prefix.isdigit():
            names.append(ua.QualifiedName(name, int(prefix)))
        else:
            names.append(ua.QualifiedName(part, 0))
    if not all(n.Name for n in names):
        raise ValueError(f"empty part in browse path {path!r}")
    return names


def format_browse_path(names: Iterable[ua.QualifiedName]) -> str:
    return "/".join(f"{n.NamespaceIndex}:{n.Name}" for n in names)


def _relative_path(names: list[ua.QualifiedName]) -> ua.RelativePath:
    return ua.RelativePath(
        Elements=[
            ua.RelativePathElement(
                ReferenceTypeId=ua.NodeId(ua.ObjectIds.HierarchicalReferences),
                IsInverse=False,
                IncludeSubtypes=True,
                TargetName=name,
            )
            for name in names
        ]
    )


def plain_node_id(node_id: ua.NodeId) -> ua.NodeId:
    """A NodeId without the ExpandedNodeId extras, so it compares equal to a parsed one."""
    return ua.NodeId(node_id.Identifier, node_id.NamespaceIndex, node_id.NodeIdType)


def quality_of(status: ua.StatusCode | None) -> str:
    if status is None or status.is_good():
        return "good"
    return "uncertain" if status.is_uncertain() else "bad"


def source_time_of(data: ua.DataValue) -> datetime | None:
    """The device's timestamp, else the server's, as an aware UTC datetime; None when neither."""
    for stamp in (data.SourceTimestamp, data.ServerTimestamp):
        if stamp is None:
            continue
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        if stamp > _NO_TIME:
            return stamp.astimezone(UTC)
    return None


def plain_value(value: Any) -> object:
    """Numbers, bools, strings and times as they are; enums as ints, text as its string."""
    if value is None or isinstance(value, bool | int | float | str | datetime):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, ua.LocalizedText):
        return value.Text
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    return str(value)


# --- client --------------------------------------------------------------------------------------


def _credentials(security: OpcUaSecurity) -> tuple[str | None, str | None]:
    password = None
    if security.password_env:
        password = os.environ.get(security.password_env)
        if password is None:
            raise ConfigurationError(
                f"environment variable {security.password_env} (the OPC UA password) is not set"
            )
    for path in (security.certificate, security.private_key):
        if path is not None and not path.is_file():
            raise ConfigurationError(f"OPC UA certificate or key file {path} does not exist")
    return security.username, password


async def open_client(source: OpcUaSource) -> Client:
    """A client connected to the source's server with its security and user settings, and a
    session. Raises what asyncua raises when the server is unreachable (see CONNECTION_ERRORS),
    ConfigurationError when the settings cannot work."""
    security = source.security
    username, password = _credentials(security)
    client = Client(source.endpoint, timeout=source.timeout_s, watchdog_intervall=_PROBE_S)
    client.session_timeout = _SESSION_TIMEOUT_MS
    if username is not None:
        client.set_user(username)
    if password is not None:
        client.set_password(password)
    if security.policy != "None":
        # Asks the server for its endpoints (and certificate) first: a network call.
        await client.set_security(
            getattr(security_policies, f"SecurityPolicy{security.policy}"),
            certificate=str(security.certificate),
            private_key=str(security.private_key),
            mode=getattr(ua.MessageSecurityMode, security.mode),
        )
    try:
        await client.connect()
    except asyncio.CancelledError:
        client.disconnect_socket()  # asyncua cleans up after errors, not after a cancel
        raise
    return client


async def close_client(client: Client, timeout_s: float) -> None:
    """Close the session if the server still answers; never raises (the server may be gone)."""
    protocol = client.uaclient.protocol
    if client.state is not UaClientState.CONNECTED and protocol is not None:
        # Lost: close the socket first rather than wait `timeout_s` for a CloseSession answer
        # that will not come (Client.disconnect_socket does nothing once the state is
        # DISCONNECTED). The socket is closed for good on the next loop iteration.
        protocol.disconnect_socket()
        await asyncio.sleep(0)
    try:
        await asyncio.wait_for(client.disconnect(), timeout_s)
    except Exception as exc:  # teardown of a dead session: nothing left to report
        logger.debug("closing the OPC UA session failed: %r", exc)


# --- connector -----------------------------------------------------------------------------------


class _SubscriptionHandler:
    """asyncua calls this once per changed item (each in its own task, in order)."""

    def __init__(self, deliver: Callable[[Node, ua.DataValue], None], health: SourceHealth) -> None:
        self._deliver = deliver
        self._health = health
        self.subscription: Any = None
        self.lost = False
        self._counted: int | None = None

    def datachange_notification(self, node: Node, _value: Any, data: Any) -> None:
        # One success per notification batch: items of one publish share its sequence number.
        seq = getattr(self.subscription, "last_sequence_number", None)
        if seq is None or seq != self._counted:
            self._counted = seq
            self._health.success()
        self._deliver(node, data.monitored_item.Value)

    def status_change_notification(self, status: ua.StatusChangeNotification) -> None:
        if status.Status.is_bad():
            logger.debug("subscription status %s", status.Status)
            self.lost = True


class OpcUaConnector:
    """Reads the bound variables of one OPC UA server until cancelled (see the module doc)."""

    def __init__(
        self,
        source: OpcUaSource,
        bindings: list[Binding],
        rules: Callable[[Binding], SyncRule],
    ) -> None:
        require_addresses(source.id, bindings, "opcua", "OPC UA (node_id, browse_path)")
        self.source = source
        self.source_id = source.id
        self.bindings = list(bindings)
        self._rules = rules

    async def run(self, sink: ReadingSink, health: SourceHealth) -> None:
        _credentials(self.source.security)  # a configuration mistake fails now, not in the loop
        delay = BACKOFF_START_S
        while True:
            client: Client | None = None
            reason = "disconnected"
            try:
                client = await open_client(self.source)
                health.connected = True
                health.success()
                delay = BACKOFF_START_S
                logger.debug("%s: connected to %s", self.source_id, self.source.endpoint)
                await self._serve(client, sink, health)
            except _SessionLostError as exc:
                logger.debug("%s: connection lost: %r", self.source_id, exc)
            except GraphTwinError:
                raise
            except _REJECTIONS as exc:  # retried all the same: the server may be reconfigured
                reason = "rejected"
                logger.warning("%s: the server refused our credentials: %s", self.source_id, exc)
            except CONNECTION_ERRORS as exc:
                logger.debug("%s: connection lost or refused: %r", self.source_id, exc)
            except Exception:  # a device's odd answer must not end the connector
                logger.warning("%s: unexpected OPC UA failure", self.source_id, exc_info=True)
            finally:
                health.connected = False
                if client is not None:
                    await close_client(client, self.source.timeout_s)
            health.failure(reason)
            logger.debug("%s: reconnecting in %.1f s", self.source_id, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.source.reconnect_max_s)

    async def _serve(self, client: Client, sink: ReadingSink, health: SourceHealth) -> None:
        """Subscribe and poll until the connection is lost; always ends by raising."""
        nodes = await self._resolve(client, health)
        groups: dict[tuple[str, float], dict[ua.NodeId, list[Binding]]] = {}
        for binding, node_id in nodes:
            rule = self._rules(binding)
            group = groups.setdefault((rule.mode, rule.period_s), {})
            group.setdefault(node_id, []).append(binding)
        handlers: list[_SubscriptionHandler] = []
        tasks = [asyncio.create_task(self._watch(client, handlers))]
        try:
            for (mode, period_s), members in groups.items():
                if mode == "subscribe":
                    handlers.append(await self._subscribe(client, period_s, members, sink, health))
                else:
                    tasks.append(
                        asyncio.create_task(self._poll(client, period_s, members, sink, health))
                    )
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
            raise _SessionLostError("session ended")
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _resolve(
        self, client: Client, health: SourceHealth
    ) -> list[tuple[Binding, ua.NodeId]]:
        """Each binding's NodeId, checked to be a variable on this server. An address that is not
        is one `unknown_address` failure (per connect) and is skipped."""
        candidates: list[tuple[Binding, ua.NodeId]] = []

        def unknown(binding: Binding, why: str) -> None:
            logger.warning("%s: %s %s; skipped", self.source_id, binding.source_address, why)
            health.failure("unknown_address")

        paths: list[tuple[Binding, ua.RelativePath]] = []
        for binding in self.bindings:
            try:
                if binding.node_id is not None:
                    candidates.append((binding, ua.NodeId.from_string(binding.node_id)))
                elif binding.browse_path is not None:
                    paths.append((binding, _relative_path(parse_browse_path(binding.browse_path))))
            except (ValueError, ua.UaError):
                unknown(binding, "is not a valid address")
        if paths:
            objects = ua.NodeId(ua.ObjectIds.ObjectsFolder)
            results = await client.translate_browsepaths(objects, [p for _, p in paths])
            for (binding, _), result in zip(paths, results, strict=True):
                if result.StatusCode.is_good() and result.Targets:
                    candidates.append((binding, plain_node_id(result.Targets[0].TargetId)))
                else:
                    unknown(binding, f"is not in the address space ({result.StatusCode.name})")
        if not candidates:
            return []
        classes = await client.read_attributes(
            [client.get_node(n) for _, n in candidates], ua.AttributeIds.NodeClass
        )
        found = []
        for (binding, node_id), data in zip(candidates, classes, strict=True):
            if not data.StatusCode.is_good():
                unknown(binding, f"is not in the address space ({data.StatusCode.name})")
            elif data.Value is None or data.Value.Value != ua.NodeClass.Variable:
                unknown(binding, "is not a variable")
            else:
                found.append((binding, node_id))
        return found

    def _deliver(
        self, sink: ReadingSink, bindings: list[Binding], data: ua.DataValue | None
    ) -> None:
        if data is None:
            return
        value = plain_value(data.Value.Value if data.Value is not None else None)
        source_time = source_time_of(data)
        quality = quality_of(data.StatusCode)
        for binding in bindings:
            sink(Reading(self.source_id, binding.source_address, value, source_time, quality))

    async def _subscribe(
        self,
        client: Client,
        period_s: float,
        members: dict[ua.NodeId, list[Binding]],
        sink: ReadingSink,
        health: SourceHealth,
    ) -> _SubscriptionHandler:
        def deliver(node: Node, data: ua.DataValue) -> None:
            self._deliver(sink, members.get(node.nodeid, []), data)

        handler = _SubscriptionHandler(deliver, health)
        period_ms = period_s * 1000
        subscription = await client.create_subscription(period_ms, handler)
        handler.subscription = subscription
        node_ids = list(members)
        results = await subscription.subscribe_data_change(
            [client.get_node(n) for n in node_ids], sampling_interval=period_ms
        )
        for node_id, result in zip(node_ids, results, strict=True):
            if isinstance(result, ua.StatusCode):
                for binding in members[node_id]:
                    logger.warning(
                        "%s: cannot subscribe to %s (%s); skipped",
                        self.source_id,
                        binding.source_address,
                        result.name,
                    )
                    health.failure("unknown_address")
        return handler

    async def _poll(
        self,
        client: Client,
        period_s: float,
        members: dict[ua.NodeId, list[Binding]],
        sink: ReadingSink,
        health: SourceHealth,
    ) -> None:
        """One Read request for the whole group each period (values with their timestamps and
        status, which `read_values` would drop)."""
        nodes = [client.get_node(n) for n in members]
        async for _ in every(period_s):
            results = await client.read_attributes(nodes, ua.AttributeIds.Value)
            for node, data in zip(nodes, results, strict=True):
                self._deliver(sink, members[node.nodeid], data)
            health.success()

    async def _watch(self, client: Client, handlers: list[_SubscriptionHandler]) -> None:
        while True:
            await asyncio.sleep(_WATCH_S)
            if client.state is not UaClientState.CONNECTED:
                raise _SessionLostError(f"client state {client.state.value}")
            if any(h.lost for h in handlers):
                raise _SessionLostError("a subscription was lost")
