"""API keys: random secrets handed out once, stored only as a SHA-256 hash.

A key reads `gt_<key id>_<secret>`. The id finds the stored record; the secret is 32 random
bytes, so a plain SHA-256 is the right hash (a slow password hash protects guessable secrets and
would cost every request milliseconds). Verified keys are cached for a short time so that a
request does not wait for Neo4j; a revocation therefore takes effect within `cache_ttl_s`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import neo4j

from graphtwin.api.roles import Principal, Role
from graphtwin.statements import cypher

_KEY = re.compile(r"^gt_(?P<key_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class NewApiKey:
    key_id: str
    name: str
    role: Role
    token: str
    """The whole key: shown once, never stored."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ApiKeyStore:
    """API keys in Neo4j, `(:ApiKey {key_id, name, role, secret_sha256, created_at})`."""

    def __init__(self, driver: neo4j.AsyncDriver, database: str, cache_ttl_s: float = 30.0) -> None:
        self._driver = driver
        self._database = database
        self._ttl = cache_ttl_s
        self._verified: dict[str, tuple[float, Principal]] = {}

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
        return NewApiKey(key_id, name, role, f"gt_{key_id}_{secret}")

    async def verify(self, token: str) -> Principal | None:
        """The principal `token` stands for, or None for a malformed, unknown or revoked key."""
        match = _KEY.match(token)
        if match is None:
            return None
        cached = self._verified.get(token)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        rows = await self._run("api/apikey_lookup", key_id=match["key_id"])
        if not rows or rows[0]["revoked"]:
            return None
        stored = rows[0]
        if not hmac.compare_digest(stored["secret_sha256"], _hash(match["secret"])):
            return None
        principal = Principal(stored["key_id"], stored["name"], Role(stored["role"]))
        self._verified[token] = (time.monotonic(), principal)
        return principal

    async def revoke(self, key_id: str) -> bool:
        self._verified = {t: v for t, v in self._verified.items() if v[1].key_id != key_id}
        return bool(await self._run("api/apikey_revoke", key_id=key_id, revoked_at=_now()))

    async def list(self) -> list[dict[str, str | None]]:
        return await self._run("api/apikey_list")

    async def _run(self, statement: str, **params: object) -> list[dict]:
        records, _, _ = await self._driver.execute_query(
            cypher(statement), params, database_=self._database
        )
        return [r.data() for r in records]
