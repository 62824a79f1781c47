"""Versioned schema migrations: `cypher/migrations/NNNN_name.cypher`, applied in order, once.

Each applied migration is recorded as `(:SchemaMigration {version, name, checksum, applied_at})`.
Schema statements are idempotent (`IF NOT EXISTS`), so a migration interrupted half-way is simply
applied again. Editing a migration after it was applied is refused (checksum mismatch).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

import neo4j

import graphtwin
from graphtwin.errors import MigrationError, StatementRefusedError
from graphtwin.statements import catalogue, cypher, split_statements
from graphtwin.store import statement_runner as runner
from graphtwin.store.statement_runner import Compiled

_NAME = re.compile(r"^migrations/(\d{4})_([a-z0-9_]+)$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statement_name: str

    @property
    def script(self) -> str:
        return cypher(self.statement_name)

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.script.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    version: int
    name: str
    checksum: str
    applied_at: datetime


def available_migrations() -> list[Migration]:
    """Every migration shipped with this version, in order."""
    found = []
    for name in catalogue():
        match = _NAME.match(name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), name))
    return sorted(found, key=lambda m: m.version)


def applied_migrations(driver: neo4j.Driver, database: str) -> list[AppliedMigration]:
    records = runner.query(driver, "schema/applied_migrations", database_=database, read_=True)
    return [
        AppliedMigration(r["version"], r["name"], r["checksum"], r["applied_at"].to_native())
        for r in records
    ]


def pending_migrations(driver: neo4j.Driver, database: str) -> list[Migration]:
    applied = {m.version: m for m in applied_migrations(driver, database)}
    pending = []
    for migration in available_migrations():
        done = applied.get(migration.version)
        if done is None:
            pending.append(migration)
        elif done.checksum != migration.checksum:
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} was changed after it was "
                "applied to this database; restore it and add a new migration instead"
            )
    return pending


def migrate(driver: neo4j.Driver, database: str) -> list[Migration]:
    """Apply every pending migration; returns the ones applied now (empty if up to date)."""
    pending = pending_migrations(driver, database)
    for migration in pending:
        for statement in split_statements(migration.script):
            try:
                runner.query(
                    driver, Compiled(migration.statement_name, statement), database_=database
                )
            except (neo4j.exceptions.Neo4jError, StatementRefusedError) as exc:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} failed: {exc.message}"
                ) from exc
        runner.query(
            driver,
            "schema/record_migration",
            version=migration.version,
            name=migration.name,
            checksum=migration.checksum,
            graphtwin_version=graphtwin.__version__,
            database_=database,
        )
    return pending
