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

from graphtwin.input_files import parse_size

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

    max_twin_file_size: int = Field(
        default=100_000_000,
        gt=0,
        description="Largest twin file an import reads, in bytes or as 100MB, 1GiB (a flag, "
        "--max-file-size, raises it for one command).",
    )
    max_governance_file_size: int = Field(
        default=20_000_000,
        gt=0,
        description="Largest governance file an import reads (bytes, or 20MB, 1GiB).",
    )
    max_brick_file_size: int = Field(
        default=500_000_000,
        gt=0,
        description="Largest Brick RDF file an import reads (bytes, or 500MB, 1GiB).",
    )
    max_ifc_file_size: int = Field(
        default=2_000_000_000,
        gt=0,
        description="Largest IFC file an import reads (bytes, or 2GB, 4GiB).",
    )
    max_isa95_file_size: int = Field(
        default=500_000_000,
        gt=0,
        description="Largest ISA-95 B2MML/BatchML document an import reads (bytes, or 500MB).",
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

    @field_validator(
        "max_twin_file_size",
        "max_governance_file_size",
        "max_brick_file_size",
        "max_ifc_file_size",
        "max_isa95_file_size",
        mode="before",
    )
    @classmethod
    def _file_size(cls, value: object) -> object:
        return parse_size(value) if isinstance(value, str) else value

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

    def max_file_size(self, format: str) -> int | None:
        """The size limit of an import file of `format` (twin, brick, ifc, ...), in bytes."""
        limit = getattr(self, f"max_{format}_file_size", None)
        return limit if isinstance(limit, int) else None

    @property
    def models_root(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @property
    def local_instance_dir(self) -> Path:
        return self.instance_dir or self.data_dir / "instance"


def load_settings() -> Settings:
    """Read settings from the environment now."""
    return Settings()
