"""A real MQTT broker on 127.0.0.1 for the telemetry tests and benchmarks: amqtt (from PyPI, a
dev dependency) in its own process, so that it can be killed and started again on the same port
(the broker-restart fault), as a real broker's restart looks to its clients.

>>> # with MqttBroker(tmp_path) as broker: ...  broker.url == "mqtt://127.0.0.1:<port>"
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from graphtwin.neo4j_local.instance import free_port

_CONFIG = """\
listeners:
  default:
    type: tcp
    bind: 127.0.0.1:{port}
plugins:
  amqtt.plugins.authentication.AnonymousAuthPlugin:
    allow_anonymous: true
"""
_RUN = "from amqtt.scripts.broker_script import main; main()"


class MqttBroker:
    """An amqtt broker process on 127.0.0.1:`port` (a free port when not given)."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self._config = workdir / f"amqtt-{self.port}.yaml"
        self._log = workdir / f"amqtt-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 20.0) -> None:
        self._config.write_text(_CONFIG.format(port=self.port))
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _RUN, "-c", str(self._config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout_s
        while not _listening(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"amqtt did not start on {self.port}: {self._log.read_text()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Kills the broker at once (no goodbye to its clients, as when a broker host dies)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> MqttBroker:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0
