"""Settings: one pydantic-settings class, read when asked for, never at import time.

Environment: `GRAPHTWIN_*` for graphtwin's own settings, plus the standard `NEO4J_URI`,
`NEO4J_USER`, `NEO4J_PASSWORD` and `NEO4J_DATABASE`. With `NEO4J_URI` set every command uses that
server; without it graphtwin manages a local Neo4j of its own.
"""

from __future__ import annotations

import re
from datetime import timedelta
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
    simulation_runs_dir: Path | None = Field(
        default=None,
        description="Trajectories of recorded what-if runs, one Parquet file per run, beside "
        "the history (default: TELEMETRY_DIR/simulations).",
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
    import_max_retire_share: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="Largest share of the entities a source defines that one import of it may "
        "retire; an import that would retire more is refused (MassRetirementError) unless it "
        "is given --allow-retire (GraphQL: allowRetire).",
    )
    import_retire_always_allowed: int = Field(
        default=3,
        ge=0,
        description="Retiring this many entities or fewer is never stopped by the share above "
        "(a small model may lose one or two of its few entities).",
    )
    api_max_graphql_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest body of a GraphQL request (JSON or GET) the API reads; a larger "
        "one is answered 413 before it is read (model uploads have their own limit).",
    )
    api_max_telemetry_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description="Largest body of POST /telemetry the API reads (10,000 readings fit); a "
        "larger one is answered 413 before it is read.",
    )
    api_max_upload_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=1024,
        description="Largest multipart request to /graphql (an importModel upload, streamed to "
        "disk, never held in memory); a larger one is answered 413 before it is read.",
    )
    api_key_cache_s: float = Field(
        default=30.0,
        gt=0,
        description="How long the API trusts what it read of the API keys (their hashes, roles "
        "and revocations) before reading them again; a revocation made elsewhere takes effect "
        "within this time.",
    )
    web_session_idle_s: float = Field(
        default=8 * 3600.0,
        gt=0,
        description="How long a flight deck session (signed in with an API key) lasts without "
        "a request before it ends and the page asks for the key again.",
    )
    api_neo4j_wait_s: float = Field(
        default=5.0,
        gt=0,
        description="How long a request of the API waits for Neo4j to check a key, find pushed "
        "points or write them (?wait=true) before it goes on without it or answers 503.",
    )
    api_neo4j_retry_s: float = Field(
        default=5.0,
        gt=0,
        description="After Neo4j did not answer, how long the API does not ask it again "
        "(requests are answered from what it knows, or 503 with this as Retry-After).",
    )
    api_query_max_cost: int = Field(
        default=1_000_000,
        ge=1,
        description="Largest estimated cost of one GraphQL operation: the objects it can return "
        "plus the work of its fields (violations, constraints, lineage, walks, introspection); "
        "a costlier one is refused (COST_LIMIT) before anything runs.",
    )
    api_query_timeout_s: float = Field(
        default=15.0,
        gt=0,
        description="Time limit of one GraphQL query: past it the query and its Neo4j "
        "transactions are cancelled and the answer is an error (TIME_LIMIT).",
    )
    api_reads_per_key: int = Field(
        default=4,
        ge=1,
        description="Neo4j reads one API key may have running at once, all its requests "
        "together; the rest wait their turn, so one key cannot take every connection.",
    )
    api_reasonings_per_key: int = Field(
        default=1,
        ge=1,
        description="Constraint reasonings (violations, capacityChecks, effectiveConstraints) "
        "one API key may have running at once; each reads a whole subtree in Neo4j.",
    )
    api_introspection: bool = Field(
        default=True,
        description="Whether GraphQL introspection (__schema, __type) is answered; GraphiQL "
        "needs it. Turn it off in production (false) to refuse it (INTROSPECTION_DISABLED).",
    )
    api_fusion: bool = Field(
        default=True,
        description="Whether the GraphQL planner answers a chain of hierarchy fields with one "
        "fused statement (graphtwin/api/fused_cypher.py); false reads level by level (the "
        "answers are the same; for comparisons and as a fallback).",
    )
    api_search_max_chars: int = Field(
        default=200,
        ge=1,
        le=900,
        description="Longest `search(text:)` the API takes (characters); longer text is "
        "refused (BAD_INPUT) before it reaches the full-text index.",
    )
    simulation_max_horizon_s: int = Field(
        default=604_800,
        ge=60,
        description="Longest horizon a what-if scenario may simulate, in seconds (7 days); a "
        "longer `horizon` is refused, naming the field.",
    )
    simulation_max_steps: int = Field(
        default=5_000,
        ge=1,
        description="Most time steps one what-if scenario may simulate (horizon / step, per "
        "variant); a finer `step` over a long horizon is refused, naming the field.",
    )
    forecast_refit_after_s: int = Field(
        default=86_400,
        ge=60,
        description="Age at which a point's stored forecast model is refit (seconds; 1 day): "
        "`graphtwin forecast fit` and the early warning refit models past it.",
    )
    forecast_refit_error_ratio: float = Field(
        default=2.0,
        gt=1,
        description="A stored forecast model is also refit early when its error on the values "
        "that arrived since it was trained (MASE) exceeds its backtest MASE times this.",
    )
    history_lookback_s: int = Field(
        default=86_400,
        ge=1,
        description="How far back a point's value at a past time is looked for (seconds; 1 "
        "day): `--as-of` and `asOf:` show the last value at or before the time within it, else "
        "none (docs/history.md).",
    )
    forecast_history_days: int = Field(
        default=28,
        ge=1,
        le=366,
        description="Days of history a forecast model is trained on (the most recent ones).",
    )
    forecast_max_horizon_s: int = Field(
        default=604_800,
        ge=60,
        description="Longest forecast horizon a command or query may ask for (seconds; 7 days).",
    )
    forecast_max_steps: int = Field(
        default=2_016,
        ge=1,
        description="Most steps one forecast may have (horizon / step; a week at 5 minutes).",
    )
    forecast_warning_probability: float = Field(
        # chosen on one building's fault runs, measured on the others (docs/prediction.md)
        default=0.95,
        gt=0,
        lt=1,
        description="Probability of crossing a threshold within the horizon at which the early "
        "warning opens a `predicted` drift issue (it resolves when a later forecast is below).",
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
    max_energyplus_file_size: int = Field(
        default=200_000_000,
        gt=0,
        description="Largest EnergyPlus model (.idf or .epJSON) an import reads (bytes, or "
        "200MB; the largest bundled reference model is 6 MB).",
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
        "max_energyplus_file_size",
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
    def history_lookback(self) -> timedelta:
        """`history_lookback_s` as a timedelta (the look-back of values at a past time)."""
        return timedelta(seconds=self.history_lookback_s)

    @property
    def telemetry_root(self) -> Path:
        return self.telemetry_dir or self.data_dir / "telemetry"

    @property
    def simulation_runs_root(self) -> Path:
        """Where `graphtwin simulate` and the API's `simulate` write run trajectories."""
        return self.simulation_runs_dir or self.telemetry_root / "simulations"

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
