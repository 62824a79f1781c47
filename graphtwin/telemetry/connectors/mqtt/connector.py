"""The MQTT connector: subscribes to a broker's bound topics and delivers their values.

It connects, subscribes to every bound topic (or the Sparkplug group) with the source's QoS,
and decodes each message as it arrives (plain.py, sparkplug.py). A lost or refused connection
is counted `disconnected`; it reconnects with a backoff from 0.2 s doubling to
`reconnect_max_s` and subscribes again (a clean session: nothing is assumed to survive a broker
restart). At most `max_queued` received messages wait to be decoded; beyond that the client
drops messages and counts them `buffer_full`. Malformed messages are counted by reason and
nothing is delivered for them. Sparkplug deaths report their points stale through `on_stale`
(`IngestPipeline.mark_stale`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import aiomqtt

from graphtwin.errors import GraphTwinError
from graphtwin.telemetry.bindings import Binding, MqttSource, SyncRule
from graphtwin.telemetry.connectors import require_addresses
from graphtwin.telemetry.connectors.mqtt.client import make_client, password_of, tls_context
from graphtwin.telemetry.connectors.mqtt.plain import PlainDecoder
from graphtwin.telemetry.connectors.mqtt.sparkplug import SparkplugDecoder, StaleSink
from graphtwin.telemetry.readings import ReadingSink, SourceHealth

log = logging.getLogger(__name__)

BACKOFF_START_S = 0.2


class MqttConnector:
    """Delivers the bound values of one MQTT source until cancelled (see the module doc)."""

    def __init__(
        self,
        source: MqttSource,
        bindings: list[Binding],
        rules: Callable[[Binding], SyncRule] | None = None,
        *,
        on_stale: StaleSink | None = None,
    ) -> None:
        """`rules` is accepted like the other connectors' (MQTT pushes: no period applies)."""
        require_addresses(source.id, bindings, "mqtt", "MQTT (topic or metric)")
        # A missing password variable or TLS file is a configuration error now, not at connect.
        password_of(source)
        tls_context(source)
        self.source = source
        self.source_id = source.id
        self.bindings = list(bindings)
        self.decoder: PlainDecoder | SparkplugDecoder
        if source.sparkplug is not None:
            self.decoder = SparkplugDecoder(
                source.id,
                source.sparkplug.group_id,
                [b.source_address for b in bindings],
                on_stale,
            )
        else:
            self.decoder = PlainDecoder(
                source.id, [(b.topic or "", b.field) for b in bindings if b.topic]
            )

    async def run(self, sink: ReadingSink, health: SourceHealth) -> None:
        delay = BACKOFF_START_S
        decoder = self.decoder
        while True:
            client = make_client(self.source, on_overflow=lambda: health.failure("buffer_full"))
            try:
                async with client:
                    for topic in decoder.subscriptions():
                        await client.subscribe(topic, qos=self.source.qos)
                    health.connected = True
                    health.success()
                    delay = BACKOFF_START_S
                    log.debug("%s: subscribed at %s", self.source_id, self.source.broker)
                    async for message in client.messages:
                        decoder.handle(message.topic.value, _bytes(message.payload), sink, health)
                        if decoder.outbox:
                            await _send(client, decoder.outbox)
            except aiomqtt.MqttError as exc:
                log.debug("%s: connection lost: %r", self.source_id, exc)
            except GraphTwinError:
                raise
            except Exception:  # a broker's odd answer must not end the connector
                log.warning("%s: unexpected MQTT failure", self.source_id, exc_info=True)
            finally:
                health.connected = False
            health.failure("disconnected")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.source.reconnect_max_s)


async def _send(client: aiomqtt.Client, outbox: list[tuple[str, bytes]]) -> None:
    """Publishes what the decoder asks for (Sparkplug rebirth requests), oldest first."""
    while outbox:
        topic, payload = outbox.pop(0)
        await client.publish(topic, payload, qos=0)


def _bytes(payload: object) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    return b"" if payload is None else str(payload).encode()
