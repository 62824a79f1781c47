"""The one error hierarchy of graphtwin.

Every failure a user can act on is a `GraphTwinError` subclass with structured fields, so the CLI
can print a clear message and pick the exit code (2 for invalid input, 1 for anything else) and
library users can catch exactly what they handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where in an input file something was written (1-based line, when known)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class GraphTwinError(Exception):
    """Root of every error graphtwin raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- invalid input (exit code 2; nothing is written) -------------------------------------------


class InputError(GraphTwinError):
    """The input is invalid. Names the file, the line when known, and the entity."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        location: SourceLocation | None = None,
        entity: str | None = None,
    ) -> None:
        where = f"{location}: " if location else ""
        what = f"{entity}: " if entity else ""
        super().__init__(f"{where}{what}{message}")
        self.reason = message
        self.location = location
        self.entity = entity

    @property
    def file(self) -> str | None:
        return self.location.file if self.location else None

    @property
    def line(self) -> int | None:
        return self.location.line if self.location else None


class MalformedFileError(InputError):
    """The file cannot be read as its format at all (syntax error, wrong encoding)."""


class SchemaViolationError(InputError):
    """The file parses but does not follow its schema (missing or misspelt fields)."""


class UnknownKindError(InputError):
    """A node kind that is not in the twin vocabulary."""


class UnknownRelationshipTypeError(InputError):
    """A relationship type that is not in the twin vocabulary."""


class InvalidPropertyError(InputError):
    """A property name or value the graph cannot store."""


class DuplicateEntityError(InputError):
    """The same twin_id is defined twice in one input."""


class ConflictingKindError(InputError):
    """A twin_id is given a kind that differs from the kind it already has."""


class NoTwinEntitiesError(InputError):
    """The file parses but describes nothing the twin can hold (e.g. no Brick entities)."""


class ValidationFailedError(InputError):
    """Strict validation found violations (the import was asked to refuse them)."""


class DanglingRelationshipError(InputError):
    """A relationship names an endpoint that is neither in the input nor in the graph."""


# --- operational failures (exit code 1) --------------------------------------------------------


class ConfigurationError(GraphTwinError):
    """Settings are missing or contradict each other."""


class Neo4jProvisioningError(GraphTwinError):
    """The local Neo4j server could not be provisioned or started."""


class JavaNotFoundError(Neo4jProvisioningError):
    """No Java runtime that Neo4j 5.26 supports (17 or 21) was found."""


class MavenNotFoundError(Neo4jProvisioningError):
    """Maven is needed to fetch Neo4j from Maven Central and is not installed."""


class PortInUseError(Neo4jProvisioningError):
    """The Bolt port is taken by another process."""

    def __init__(self, port: int) -> None:
        super().__init__(
            f"port 127.0.0.1:{port} is already in use by another process; stop it or choose "
            "another port with GRAPHTWIN_BOLT_PORT"
        )
        self.port = port


class ServerCrashedError(Neo4jProvisioningError):
    """The server process exited while starting, or died while it was supposed to run."""

    def __init__(self, message: str, *, log_file: Path | None, log_tail: str) -> None:
        details = f"\n--- last lines of {log_file} ---\n{log_tail}" if log_tail else ""
        super().__init__(message + details)
        self.log_file = log_file
        self.log_tail = log_tail


class StoreUnavailableError(GraphTwinError):
    """The graph store cannot be reached or refused our credentials."""


class AuthenticationFailedError(StoreUnavailableError):
    """The server answered but refused the credentials."""


class TransactionTooLargeError(GraphTwinError):
    """An import needs more transaction memory than the server allows (it is one transaction)."""


class MigrationError(GraphTwinError):
    """The schema migrations cannot be applied or were changed after being applied."""


class UnknownStatementError(GraphTwinError):
    """Code asked the Cypher catalogue for a statement that does not exist."""


class TwinNotFoundError(InputError):
    """A twin_id given on the command line or in a query is not in the graph."""

    def __init__(self, twin_id: str) -> None:
        super().__init__("no twin entity with this twin_id in the graph", entity=twin_id)
        self.twin_id = twin_id


class UnknownSourceError(InputError):
    """A source_id given on the command line or in a query names no import source."""

    def __init__(self, source_id: str) -> None:
        super().__init__(
            "no import source with this source_id (`graphtwin db status` lists them)",
            entity=source_id,
        )
        self.source_id = source_id


# --- XML documents (ISA-95 B2MML, BatchML) -------------------------------------------------------


class UnknownNamespaceError(InputError):
    """An XML document whose root namespace is not a format (or version) graphtwin reads."""


class InvalidEnumerationError(SchemaViolationError):
    """A value that must come from a fixed list (an ISA-95 equipment level, ...) does not."""


class UnsupportedMessageError(InputError):
    """A well-formed message that carries no data to import (a Get query, a Cancel)."""


# --- reasoning (constraints, units) --------------------------------------------------------------


class IncompatibleUnitsError(GraphTwinError):
    """A value cannot be converted between two units: one is unknown, or they measure different
    quantities (a temperature and a flow)."""

    def __init__(self, from_unit: str | None, to_unit: str | None, reason: str) -> None:
        super().__init__(f"cannot convert {from_unit!r} to {to_unit!r}: {reason}")
        self.from_unit = from_unit
        self.to_unit = to_unit
        self.reason = reason
