"""The faults file's own error: a mistake in it names the file, the line and the entry."""

from __future__ import annotations

from graphtwin.errors import SchemaViolationError, SourceLocation


class FaultsFileError(SchemaViolationError):
    """A faults file entry that cannot act as written: an unknown target, a time outside the
    run, a non-positive duration, a target of the wrong kind for the type, an actuator the model
    lacks. `entity` names the entry (`fault <id>`); exit code 2.

    >>> str(FaultsFileError("unknown target 'AHU-9'", location=SourceLocation("f.yaml", 4),
    ...                     entity="fault trip-1"))
    "f.yaml:4: fault trip-1: unknown target 'AHU-9'"
    """


__all__ = ["FaultsFileError", "SourceLocation"]
