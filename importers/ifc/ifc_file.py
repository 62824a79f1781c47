"""Open an IFC file with ifcopenshell, turning its silent failures into clear input errors.

ifcopenshell refuses a file without a STEP header or with an unknown schema, but it opens a
truncated file without complaint (keeping the entities read so far), keeps one of two instances
with the same name, reads instances with the wrong number or kind of attributes, and resolves a
reference to a missing entity to None, only noting it in its log. Each would import a wrong
twin, so before the mapping sees the model: the file's sections and statements are checked
(`step_structure`), every instance against its schema (`attribute_check`), and the log must not
report an instance reference that was not found. Each error names the file and the line.
"""

from __future__ import annotations

import re
from pathlib import Path

import ifcopenshell

from graphtwin.errors import (
    DanglingRelationshipError,
    InputError,
    MalformedFileError,
    SourceLocation,
)
from importers.ifc.attribute_check import check_attributes
from importers.ifc.step_structure import read_step_structure

SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")
_MISSING_REFERENCE = re.compile(
    r"Instance reference #(\d+) used by instance #(\d+) at attribute index (\d+) not found"
)

# What ifcopenshell's parser logs for a value it read as null (an error with the offset of the
# value in the file): `[error] [VAL012] [time] An enumeration literal 'X' is not valid for type
# 'Y' at offset 410`. Errors without an offset come from reading an attribute that is null in
# the file (a missing GlobalId), which the extraction counts.
_READ_ERROR = re.compile(r"^\[error\](?: \[\w+\])? \[[^\]]*\] (.*) at offset (\d+)$", re.M)


class UnknownSchemaError(InputError):
    """The IFC file declares a schema graphtwin does not read."""


def open_ifc(path: Path) -> ifcopenshell.file:
    where = SourceLocation(str(path))
    index = read_step_structure(path)
    ifcopenshell.get_log()  # start from an empty log: it is global to the process
    try:
        model = ifcopenshell.open(str(path))
    except ifcopenshell.SchemaError as exc:
        raise UnknownSchemaError(
            f"IFC schema not supported: {exc} (graphtwin reads {', '.join(SCHEMAS)})",
            location=where,
        ) from exc
    except ifcopenshell.Error as exc:
        raise MalformedFileError(f"not an IFC file: {exc}", location=where) from exc
    schema = model.schema_identifier.upper()
    if not schema.startswith(SCHEMAS):
        raise UnknownSchemaError(
            f"IFC schema {model.schema_identifier} not supported (graphtwin reads "
            f"{', '.join(SCHEMAS)})",
            location=where,
        )
    check_attributes(index, model.schema_identifier, str(path))
    log = ifcopenshell.get_log()
    missing = _MISSING_REFERENCE.search(log)
    if missing:
        target, user, attribute = missing.groups()
        entity = model.by_id(int(user))
        raise DanglingRelationshipError(
            f"refers to #{target} (attribute {int(attribute) + 1}), which is not in the file",
            location=SourceLocation(str(path), index.line_of(int(user))),
            entity=f"#{user} {entity.is_a()}",
        )
    _refuse_unread_values(log, path)
    return model


def _refuse_unread_values(log: str, path: Path) -> None:
    """ifcopenshell logs an error, and reads null, for a value it cannot interpret (an
    enumeration literal the type does not have, a typed value of an unknown entity such as
    `IFCLEN+THMEASURE(1.)`); the mapping would then fail on the null or import a wrong value."""
    error = _READ_ERROR.search(log)
    if error is None:
        return
    message, offset = error.group(1), int(error.group(2))
    with path.open("rb") as handle:
        line = handle.read(offset).count(b"\n") + 1
    text = message.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates
    raise MalformedFileError(
        f"a value IFC cannot read: {text}", location=SourceLocation(str(path), line)
    )
