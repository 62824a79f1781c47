"""The one error hierarchy of graphtwin.

Every failure a user can act on is a `GraphTwinError` subclass with structured fields, so the CLI
can print a clear message and pick the exit code (2 for invalid input, 1 for anything else) and
library users can catch exactly what they handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphtwin.control_chars import escape_controls


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
        # Control characters from an input (an id holding ESC) are written as escapes, so a
        # message can be printed or logged anywhere without driving a terminal.
        message = escape_controls(message, keep_layout=True)
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
        # One line: a line feed in a file name, an id or a value quoted in the reason is
        # escaped too (it could forge a line of output).
        super().__init__(escape_controls(f"{where}{what}{message}"))
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


class MassRetirementError(InputError):
    """An import would retire more of a source's entities than the guard allows (a truncated
    or wrong file); refused unless the import is told to allow it (`--allow-retire`)."""


class SourceOwnershipError(InputError):
    """An import writes to a source that belongs to another format or another file lineage
    (a twin file naming an IFC model's source); refused unless taken over on purpose."""


class RequestTooLargeError(InputError):
    """An HTTP request body over the limit of its route (`/graphql`, `/telemetry`, a model
    upload); refused with 413 before the rest of it is read."""

    def __init__(self, message: str, *, limit_bytes: int) -> None:
        super().__init__(message)
        self.limit_bytes = limit_bytes


class MalformedRequestError(InputError):
    """An HTTP request body that is not what its route takes at all (not JSON, or JSON that is
    not an object, such as `"hello"`, `123` or `null`); answered with 400."""


class ValueTooLargeError(InvalidPropertyError):
    """An id, name or indexed property longer than the graph's indexes can hold (Neo4j refuses
    an index key over 8 KB inside the transaction); names the entity and the property."""


class NotARegularFileError(InputError):
    """An input path that is not a regular file (a device such as /dev/zero, a pipe, a socket,
    a directory): it could be read forever, so it is refused before reading."""


class FileTooLargeError(InputError):
    """An input file over the size limit of its format (a setting, or `--max-file-size`)."""


class YamlLimitError(MalformedFileError):
    """A YAML document whose aliases expand, or whose nesting goes, beyond the loader's limits
    (a "billion laughs" file, an anchor used inside itself); refused while it loads."""


class ExternalReferenceError(InputError):
    """The input asks to load something from elsewhere (a remote or file JSON-LD context, an
    XML DTD or entity): an import never opens a network address or another file."""


class EntityExpansionError(InputError):
    """An XML document declares entities that nest or expand without bound (billion laughs)."""


class NestingTooDeepError(MalformedFileError):
    """The input nests deeper than its parser can follow (blank nodes, lists, JSON)."""


# --- operational failures (exit code 1) --------------------------------------------------------


class ConfigurationError(GraphTwinError):
    """Settings are missing or contradict each other."""


class AuditKeyError(ConfigurationError):
    """An audit key (the log's MAC key, the checkpoint signing key or a public key) cannot be
    read, created or trusted (too short, open to others, not a key). Names where it is."""

    def __init__(self, message: str, where: str | Path) -> None:
        super().__init__(f"{where}: {message}")
        self.where = str(where)


class AuditCheckpointError(InputError):
    """A file given as an audit checkpoint is not one (unreadable, not JSON, fields missing)."""


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


class GraphAwayError(StoreUnavailableError):
    """Neo4j did not answer within the time a request may wait (stopped, paused, unreachable);
    says when to ask again. The API answers it with 503 and `Retry-After`."""

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AuthenticationFailedError(StoreUnavailableError):
    """The server answered but refused the credentials."""


class TransactionTooLargeError(GraphTwinError):
    """An import needs more transaction memory than the server allows (it is one transaction)."""


class MigrationError(GraphTwinError):
    """The schema migrations cannot be applied or were changed after being applied."""


class UnknownStatementError(GraphTwinError):
    """Code asked the Cypher catalogue for a statement that does not exist."""


class StatementRefusedError(GraphTwinError):
    """Neo4j refused a statement graphtwin ran (a syntax, type or semantic error: a bug, not the
    user's input). Names the statement; Neo4j's own error is its cause."""

    def __init__(self, statement: str, code: str, reason: str) -> None:
        super().__init__(f"Neo4j refused the statement {statement} ({code}): {reason}")
        self.statement = statement
        self.code = code
        self.reason = reason


class TwinNotFoundError(InputError):
    """A twin_id given on the command line or in a query is not in the graph."""

    def __init__(self, twin_id: str, at: str | None = None) -> None:
        then = f" at {at}" if at else ""
        super().__init__(f"no twin entity with this twin_id in the graph{then}", entity=twin_id)
        self.twin_id = twin_id
        self.at = at  # the past time asked (an as-of read); None for the present


class AsOfError(InputError):
    """A time asked of the twin's history (`--as-of`, `asOf:`, `diff twin --from/--to`) lies
    before the history begins or in the future. Names the time and the range available."""

    def __init__(self, at: str, start: str | None, now: str) -> None:
        where = "the twin has no history yet" if start is None else f"from {start} to {now}"
        super().__init__(f"{at} is outside the twin's history ({where})", entity="as of")
        self.at = at
        self.start = start
        self.now = now


class UnknownSourceError(InputError):
    """A source_id names no source: no import source (given on the command line or in a
    query), or, with `message`, no http source of the running sync (a telemetry push; the
    message lists the known ones). `source_id` is None where the push named none.

    >>> str(UnknownSourceError("ifc-1"))
    'ifc-1: no import source with this source_id (`graphtwin db status` lists them)'
    """

    def __init__(self, source_id: str | None, message: str | None = None) -> None:
        if message is None:
            super().__init__(
                "no import source with this source_id (`graphtwin db status` lists them)",
                entity=source_id,
            )
        else:
            super().__init__(message)
        self.source_id = source_id


# --- XML documents (ISA-95 B2MML, BatchML) -------------------------------------------------------


class UnknownNamespaceError(InputError):
    """An XML document whose root namespace is not a format (or version) graphtwin reads."""


class InvalidEnumerationError(SchemaViolationError):
    """A value that must come from a fixed list (an ISA-95 equipment level, ...) does not."""


class UnsupportedMessageError(InputError):
    """A well-formed message that carries no data to import (a Get query, a Cancel)."""


# --- telemetry discovery ------------------------------------------------------------------------


class DiscoveryError(GraphTwinError):
    """A telemetry source could not be discovered (`graphtwin bind --suggest`): its server,
    device or broker did not answer in time or refused. Names the source and why.

    >>> str(DiscoveryError("plant", "opc.tcp://127.0.0.1:4840/ did not answer"))
    'source plant: opc.tcp://127.0.0.1:4840/ did not answer'
    """

    def __init__(self, source_id: str, reason: str) -> None:
        super().__init__(f"source {source_id}: {reason}")
        self.source_id = source_id
        self.reason = reason


# --- reasoning (constraints, units) --------------------------------------------------------------


class IncompatibleUnitsError(GraphTwinError):
    """A value cannot be converted between two units: one is unknown, or they measure different
    quantities (a temperature and a flow)."""

    def __init__(self, from_unit: str | None, to_unit: str | None, reason: str) -> None:
        super().__init__(f"cannot convert {from_unit!r} to {to_unit!r}: {reason}")
        self.from_unit = from_unit
        self.to_unit = to_unit
        self.reason = reason
