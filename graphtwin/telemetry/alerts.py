"""Alerts to a rule's webhook: a JSON POST to a URL on this machine, never anywhere else."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request
from typing import Any

from graphtwin.telemetry.bindings import is_local_url

log = logging.getLogger(__name__)


async def post_alert(url: str, body: dict[str, Any], timeout_s: float = 2.0) -> bool:
    """True if the webhook answered 2xx. A failure is logged, never raised: an alert that cannot
    be delivered must not stop the sync (the audit log and the DriftIssue still hold it)."""
    if not is_local_url(url):  # the bindings model checks this too; a second guard is cheap
        log.error("refused to send an alert to %s: not a local URL", url)
        return False
    return await asyncio.to_thread(_post, url, body, timeout_s)


def _post(url: str, body: dict[str, Any], timeout_s: float) -> bool:
    data = json.dumps(body, default=str).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except OSError as exc:
        log.warning("alert to %s failed: %s", url, exc)
        return False
