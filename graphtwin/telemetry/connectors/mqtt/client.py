"""An aiomqtt client for an MQTT source: broker URL, TLS, credentials, client id, keepalive."""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import Callable

import aiomqtt

from graphtwin.errors import ConfigurationError
from graphtwin.telemetry.bindings import MqttSource


def password_of(source: MqttSource) -> str | None:
    """The password from the environment variable the source names (never from the file)."""
    if source.password_env is None:
        return None
    password = os.environ.get(source.password_env)
    if password is None:
        raise ConfigurationError(
            f"source {source.id}: environment variable {source.password_env} (the MQTT password) "
            "is not set"
        )
    return password


def tls_context(source: MqttSource) -> ssl.SSLContext | None:
    """The TLS context of an mqtts:// broker (None for mqtt://)."""
    if not source.broker.startswith("mqtts://"):
        if source.tls is not None:
            raise ConfigurationError(f"source {source.id}: tls settings need an mqtts:// broker")
        return None
    tls = source.tls
    for path in (tls.ca_file, tls.cert_file, tls.key_file) if tls else ():
        if path is not None and not path.is_file():
            raise ConfigurationError(f"source {source.id}: TLS file {path} does not exist")
    context = ssl.create_default_context(cafile=tls.ca_file if tls else None)
    if tls is not None and tls.cert_file is not None:
        context.load_cert_chain(tls.cert_file, tls.key_file)
    return context


def counting_queue(
    on_overflow: Callable[[], None] | None,
) -> type[asyncio.Queue[aiomqtt.Message]]:
    """A queue class for aiomqtt's received messages that calls `on_overflow` for each message
    it refuses because it is full (aiomqtt then drops the message)."""

    class _CountingQueue(asyncio.Queue[aiomqtt.Message]):
        def put_nowait(self, item: aiomqtt.Message) -> None:
            if self.full() and on_overflow is not None:
                on_overflow()
            super().put_nowait(item)  # raises QueueFull when full

    return _CountingQueue


def make_client(
    source: MqttSource,
    *,
    suffix: str = "",
    on_overflow: Callable[[], None] | None = None,
    timeout_s: float = 5.0,
    will: aiomqtt.Will | None = None,
) -> aiomqtt.Client:
    """A client for the source (not connected yet). At most `source.max_queued` received
    messages wait to be decoded; one more is dropped and `on_overflow` is called. `will`: what
    the broker publishes for us if we vanish (a Sparkplug NDEATH)."""

    return aiomqtt.Client(
        source.host,
        source.port,
        username=source.username,
        password=password_of(source),
        identifier=(source.client_id or f"graphtwin-{source.id}") + suffix,
        keepalive=source.keepalive_s,
        timeout=timeout_s,
        tls_context=tls_context(source),
        queue_type=counting_queue(on_overflow),
        max_queued_incoming_messages=source.max_queued,
        clean_session=True,
        will=will,
    )
