"""Where the local Neo4j that graphtwin manages answers: the facts its manager
(`graphtwin.neo4j_local`) leaves in the instance directory for every command to read.

The store reads them to connect when `NEO4J_URI` is not set; the manager writes them when it
provisions and starts the server (and nothing here starts, stops or provisions anything), so the
store never depends on the manager. Under the instance directory:

    instance.json   the Bolt port chosen on the first start, so the URI stays stable
    password        the generated password of user `neo4j`, mode 0600

>>> import tempfile
>>> endpoint = LocalEndpoint(Path(tempfile.mkdtemp()))
>>> endpoint.bolt_port() is None and endpoint.password() is None
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

USER = "neo4j"
"""The user graphtwin's local server is run with."""


@dataclass(frozen=True, slots=True)
class LocalEndpoint:
    """The Bolt port and password of the local instance kept under `root`."""

    root: Path

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    @property
    def state_file(self) -> Path:
        return self.root / "instance.json"

    def bolt_port(self) -> int | None:
        """The port remembered from the first start, if any."""
        if not self.state_file.is_file():
            return None
        return int(json.loads(self.state_file.read_text(encoding="utf-8"))["bolt_port"])

    def password(self) -> str | None:
        if not self.password_file.is_file():
            return None
        return self.password_file.read_text(encoding="utf-8").strip()
