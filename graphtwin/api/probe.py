"""Wait for a `graphtwin serve` just started to answer /healthz (tests, benchmarks, scripts)."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def wait_until_healthy(
    url: str,
    process: subprocess.Popen,
    *,
    timeout_s: float,
    log: Callable[[], str] = lambda: "",
) -> None:
    """Return once `url`/healthz answers 200; raise if `process` exits first or time runs out.

    `log` gives the server's output for the error message.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"graphtwin serve exited: {log()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet, or Neo4j not reachable yet (503)
        time.sleep(0.2)
    raise RuntimeError(f"graphtwin serve did not become healthy within {timeout_s} s: {log()}")
