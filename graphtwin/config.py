"""Settings: one pydantic-settings class, read when asked for, never at import time.

Environment: `GRAPHTWIN_*` for graphtwin's own settings, plus the standard `NEO4J_URI`,
`NEO4J_USER`, `NEO4J_PASSWORD` and `NEO4J_DATABASE`. With `NEO4J_URI` set every command uses that
server; without it graphtwin manages a local Neo4j of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

NEO4J_VERSION = "5.26.30"
"""The Neo4j LTS patch release graphtwin provisions and tests against."""

_MEMORY_SIZE = re.compile(r"^\d+[kmgKMG]$")


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("graphtwin", appauthor=False))


class Settings(BaseSettings):
    """Everything graphtwin can be configured with."""

    model_config = SettingsConfigDict(env_prefix="GRAPHTWIN_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the Neo4j runtime is cached and the local instance lives.",
    )
    instance_dir: Path | None = Field(
        default=None,
        description="Directory of the local Neo4j instance (default: DATA_DIR/instance).",
    )
    neo4j_version: str = Field(default=NEO4J_VERSION, pattern=r"^5\.26\.\d+$")
    bolt_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Bolt port of the local server (default: a free port, kept once chosen).",
    )
    neo4j_heap: str = Field(
        default="4g",
        description="JVM heap of the local server (-Xmx). One transaction may use 70% of it, "
        "and an import is one transaction: 100k nodes + 200k relationships need about 3g.",
    )
    neo4j_pagecache: str = Field(default="512m", description="Neo4j page cache size.")
    java: Path | None = Field(default=None, description="Java 17 or 21 executable to run Neo4j.")
    mvn: str = Field(default="mvn", description="Maven executable used to provision Neo4j.")
    start_timeout_s: float = Field(default=120.0, gt=0)
    stop_timeout_s: float = Field(default=60.0, gt=0)
    batch_size: int = Field(default=10_000, ge=1, description="Rows per UNWIND statement.")
    telemetry_dir: Path | None = Field(
        default=None,
        description="History and audit log of values pushed to the API when no bindings file "
        "is given (default: DATA_DIR/telemetry).",
    )
    audit_log: Path | None = Field(
        default=None,
        description="The twin's audit log: imports, links, resets, API keys and values pushed "
        "to the API (default: TELEMETRY_DIR/audit.jsonl, the API's own log).",
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description="The audit log's MAC key (at least 32 characters): every record carries "
        "an HMAC-SHA256 under it. When set, AUDIT_KEY_FILE is not used.",
    )
    audit_key_file: Path | None = Field(
        default=None,
        description="File holding the audit log's MAC key, readable by its owner only; the "
        "first writer of the log creates it (default: DATA_DIR/keys/audit.key).",
    )
    audit_signing_key_file: Path | None = Field(
        default=None,
        description="ed25519 private key (PEM) that signs audit checkpoints, readable by its "
        "owner only; the first checkpoint creates it (default: DATA_DIR/keys/audit-signing.pem).",
    )
    models_dir: Path | None = Field(
        default=None,
        description="Drift models the demo trains and reuses (default: DATA_DIR/models).",
    )

    neo4j_uri: str | None = Field(default=None, validation_alias=AliasChoices("NEO4J_URI"))
    neo4j_user: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_USER"))
    neo4j_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE"))

    @field_validator("neo4j_heap", "neo4j_pagecache")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        if not _MEMORY_SIZE.match(value):
            raise ValueError(f"{value!r} is not a size like 512m or 2g")
        return value.lower()

    @field_validator("neo4j_uri")
    @classmethod
    def _empty_uri_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @property
    def uses_external_server(self) -> bool:
        return self.neo4j_uri is not None

    @property
    def runtime_dir(self) -> Path:
        """The cached Neo4j jars for the pinned version (shared by every instance)."""
        return self.data_dir / f"neo4j-{self.neo4j_version}"

    @property
    def telemetry_root(self) -> Path:
        return self.telemetry_dir or self.data_dir / "telemetry"

    @property
    def audit_log_path(self) -> Path:
        return self.audit_log or self.telemetry_root / "audit.jsonl"

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_dir / "keys" / "audit.key"

    @property
    def audit_signing_key_path(self) -> Path:
        return self.audit_signing_key_file or self.data_dir / "keys" / "audit-signing.pem"

    @property
    def models_root(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @property
    def local_instance_dir(self) -> Path:
        return self.instance_dir or self.data_dir / "instance"


def load_settings() -> Settings:
    """Read settings from the environment now."""
    return Settings()
