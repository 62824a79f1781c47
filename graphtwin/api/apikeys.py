"""API keys: random secrets handed out once, stored only as a SHA-256 hash.

A key reads `gt_<key id>_<secret>`. The id finds the stored record; the secret is 32 random
bytes, so a plain SHA-256 is the right hash (a slow password hash protects guessable secrets and
would cost every request milliseconds).

The API keeps every key's record in memory (id, name, role, the hash of its secret, whether it
is revoked: never a secret) and reads them all again from Neo4j every `cache_ttl_s`, so a
request does not wait for Neo4j and a revocation made elsewhere takes effect within that time.
A key id it does not know yet (a key created a moment ago) is looked up at once. While Neo4j is
away (`GraphWait`), keys are checked against the records last read, revocations included; only a
key id never seen cannot be checked (`GraphAwayError`: the API answers 503 with Retry-After).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import neo4j

from graphtwin.api.roles import Principal, Role
from graphtwin.errors import GraphAwayError
from graphtwin.store import statement_runner as runner
from graphtwin.store.graph_wait import GraphWait

log = logging.getLogger(__name__)

_KEY = re.compile(r"^gt_(?P<key_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class NewApiKey:
    key_id: str
    name: str
    role: Role
    token: str
    """The whole key: shown once, never stored."""


@dataclass(frozen=True, slots=True)
class _KeyRecord:
    """What the API keeps of a stored key: enough to check it, nothing that reveals it."""

    key_id: str
    name: str
    role: Role
    secret_sha256: str
    revoked: bool

    @classmethod
    def of(cls, row: dict[str, Any]) -> _KeyRecord:
        return cls(
            row["key_id"], row["name"], Role(row["role"]), row["secret_sha256"], row["revoked"]
        )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ApiKeyStore:
    """API keys in Neo4j, `(:ApiKey {key_id, name, role, secret_sha256, created_at})`."""

    def __init__(
        self,
        driver: neo4j.AsyncDriver,
        database: str,
        cache_ttl_s: float = 30.0,
        *,
        graph: GraphWait | None = None,
    ) -> None:
        self._driver = driver
        self._database = database
        self._ttl = cache_ttl_s
        self._graph = graph or GraphWait()
        self._known: dict[str, _KeyRecord] = {}
        self._read_at: float | None = None  # when every record was last read (monotonic)
        self._reading = asyncio.Lock()

    async def create(self, role: Role, name: str) -> NewApiKey:
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        await self._run(
            "api/apikey_create",
            key_id=key_id,
            name=name,
            role=role.value,
            secret_sha256=_hash(secret),
            created_at=_now(),
        )
        self._known[key_id] = _KeyRecord(key_id, name, role, _hash(secret), revoked=False)
        return NewApiKey(key_id, name, role, f"gt_{key_id}_{secret}")

    async def verify(self, token: str) -> Principal | None:
        """The principal `token` stands for, or None for a malformed, unknown or revoked key.
        GraphAwayError when Neo4j is away and the key id was never seen (it cannot be told)."""
        match = _KEY.match(token)
        if match is None:
            return None
        record = await self._record(match["key_id"])
        if record is None or record.revoked:
            return None
        if not hmac.compare_digest(record.secret_sha256, _hash(match["secret"])):
            return None
        return Principal(record.key_id, record.name, record.role)

    async def refresh(self) -> None:
        """Reads every key's record from Neo4j (GraphAwayError if it is away: the records last
        read stay in use)."""
        rows = await self._graph.call(lambda: self._run("api/apikey_hashes", read_=True))
        self._known = {row["key_id"]: _KeyRecord.of(row) for row in rows}
        self._read_at = time.monotonic()

    async def _record(self, key_id: str) -> _KeyRecord | None:
        """The stored record of `key_id`: as last read while that is fresh (or Neo4j is away),
        else read again; None for a key id Neo4j does not have."""
        if self._read_at is None or time.monotonic() - self._read_at >= self._ttl:
            async with self._reading:  # one reading for the requests that find the records old
                if self._read_at is None or time.monotonic() - self._read_at >= self._ttl:
                    await self._refresh_unless_away()
        record = self._known.get(key_id)
        if record is not None:
            return record
        # Not known yet (created since the last reading, or no key at all): ask Neo4j now.
        rows = await self._graph.call(
            lambda: self._run("api/apikey_lookup", read_=True, key_id=key_id)
        )
        if not rows:
            return None
        record = self._known[key_id] = _KeyRecord.of(rows[0])
        return record

    async def _refresh_unless_away(self) -> None:
        if self._graph.away and self._read_at is not None:
            return  # Neo4j is away: the records last read decide (revocations included)
        try:
            await self.refresh()
        except GraphAwayError as exc:
            if self._read_at is None:
                raise  # nothing was ever read: no key can be checked
            log.warning("API keys are checked against the records last read: %s", exc)

    async def revoke(self, key_id: str) -> bool:
        revoked = bool(await self._run("api/apikey_revoke", key_id=key_id, revoked_at=_now()))
        record = self._known.get(key_id)
        if record is not None:
            self._known[key_id] = replace(record, revoked=True)
        return revoked

    async def list(self) -> list[dict[str, str | None]]:
        return await self._run("api/apikey_list", read_=True)

    async def _run(self, statement: str, *, read_: bool = False, **params: object) -> list[dict]:
        """A statement in its own transaction: a read one with `read_` (a cluster routes it to
        a follower), else a write one (to the leader)."""
        records = await runner.query_async(
            self._driver, statement, database_=self._database, read_=read_, **params
        )
        return [r.data() for r in records]
