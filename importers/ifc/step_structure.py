"""The structure of an IFC (ISO 10303-21, "STEP") file, checked in one pass over its text.

ifcopenshell opens files that are broken in ways that would import a wrong twin: it accepts a
file cut in the middle of its data as long as `END-ISO-10303-21;` follows, keeps the second of
two instances with the same name, and reads instances with too many or too few attributes. So
before ifcopenshell sees a file, this module reads its statements (strings and comments
respected) and checks:

- the sections: `ISO-10303-21;`, a `HEADER;` closed by `ENDSEC;`, `DATA;` sections each closed
  by `ENDSEC;`, then `END-ISO-10303-21;` and nothing after it;
- every statement is complete (no string, comment or parenthesis left open);
- every data statement is an instance `#N=NAME(...)` whose name is used once.

It returns, per instance, its line, its entity name and the first character of each of its
attributes, from which `attribute_check` tests the attribute counts and types against the
schema. The regular expressions use possessive quantifiers, so a hostile file cannot make them
backtrack: the pass is linear in the size of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from graphtwin.errors import MalformedFileError, SourceLocation

# One statement: text, strings and comments up to the `;` that ends it (outside strings).
_STATEMENT = re.compile(rb"(?:[^';/]++|'[^']*+'|/\*.*?\*/|/(?!\*))*+;", re.S)
_LEADING = re.compile(rb"(?:\s++|/\*.*?\*/)*+", re.S)
_TRAILING = re.compile(rb"(?:\s++|/\*.*?\*/)*+\Z", re.S)
_INSTANCE = re.compile(rb"#(\d+)\s*=\s*([A-Za-z_][A-Za-z0-9_]*)?\s*\(", re.S)
_KEYWORD = re.compile(rb"([A-Za-z][A-Za-z0-9_-]*)\s*(\()?")
_STRINGS_AND_COMMENTS = re.compile(rb"'[^']*+'|/\*.*?\*/", re.S)
_FIRST_STRING = re.compile(rb"\s*'([^']*+)'")
_SCHEMA = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", re.I)
_GROUP = re.compile(rb"\([^()]*+\)")
_REFERENCE_LIST = re.compile(rb"\(\s*+#\d++(?:\s*+,\s*+#\d++)*+\s*+\)")
_EMPTY_LIST = re.compile(rb"\(\s*+\)")

_START, _ISO, _HEADER, _BETWEEN, _DATA, _END = "start", "iso", "header", "between", "data", "end"


@dataclass(slots=True)
class Instance:
    line: int
    entity: str | None
    """The entity name in upper case (None for a complex instance `#N=(A()B())`)."""
    attributes: bytes
    """The first character of each attribute: `$`, `*`, `#`, `'`, `(`, `.`, a digit...; a list
    of entity references only (`(#1,#2)`) is `@`, an empty list `%`, any other list `(`."""
    first_string: str | None
    """The first attribute when it is a string (the GlobalId of every IfcRoot)."""


@dataclass(slots=True)
class StepIndex:
    """What the structural pass learnt about a file."""

    schema: str | None = None
    instances: dict[int, Instance] = field(default_factory=dict)

    def line_of(self, instance_id: int) -> int | None:
        found = self.instances.get(instance_id)
        return found.line if found else None


def read_step_structure(path: Path) -> StepIndex:
    """Check the sections and statements of the STEP file at `path` (MalformedFileError naming
    the line otherwise) and index its instances."""
    return _Scanner(path).scan()


class _Scanner:
    def __init__(self, path: Path) -> None:
        self.file = str(path)
        self.data = path.read_bytes()
        self.index = StepIndex()
        self.state = _START
        self.line = 1
        self.counted = 0  # position up to which newlines are counted in self.line
        self.last_instance: int | None = None

    def error(
        self, message: str, *, line: int | None = None, entity: str | None = None
    ) -> NoReturn:
        raise MalformedFileError(
            message, location=SourceLocation(self.file, line or self.line), entity=entity
        )

    def line_at(self, position: int) -> int:
        self.line += self.data.count(b"\n", self.counted, position)
        self.counted = position
        return self.line

    def scan(self) -> StepIndex:
        data = self.data
        if not data.strip():
            raise MalformedFileError(
                "empty file, not an IFC model", location=SourceLocation(self.file)
            )
        position = 0
        while self.state != _END:
            lead = _LEADING.match(data, position)
            start = lead.end() if lead else position
            if start >= len(data):
                self.truncated("the file ends")
            match = _STATEMENT.match(data, start)
            if match is None and self.state == _START:
                self.not_step(self.line_at(start))
            if match is None:
                self.truncated(
                    "a statement is not complete (a string, comment or parenthesis is left "
                    "open): the file ends"
                )
            self.statement(match.group()[:-1], self.line_at(start))
            position = match.end()
        if not _TRAILING.match(data, position):
            self.error(
                "content after END-ISO-10303-21; (an IFC file ends there)",
                line=self.line_at(position) + 1,
            )
        return self.index

    def not_step(self, line: int) -> NoReturn:
        self.error(
            "not an IFC file: it does not start with ISO-10303-21; (an IFC file is a STEP file, "
            "from ISO-10303-21; to END-ISO-10303-21;)",
            line=line,
        )

    def truncated(self, what: str) -> NoReturn:
        last = self.last_instance
        after = f" after #{last}" if last is not None else ""
        missing = {
            _START: "ISO-10303-21;",
            _ISO: "HEADER;",
            _HEADER: "ENDSEC; of the HEADER",
            _BETWEEN: "END-ISO-10303-21;",
            _DATA: "ENDSEC; of the DATA section",
        }[self.state]
        self.error(
            f"truncated: {what}{after} without {missing}",
            line=self.line_at(len(self.data)),
            entity=f"#{last}" if last is not None else None,
        )

    def statement(self, text: bytes, line: int) -> None:
        if self.state == _DATA and text.startswith(b"#"):
            self.instance(text, line)
            return
        keyword = _KEYWORD.match(text)
        word = keyword.group(1).upper() if keyword else b""
        if self.state == _START:
            if word != b"ISO-10303-21":
                self.not_step(line)
            self.state = _ISO
        elif self.state == _ISO:
            if word != b"HEADER":
                self.error(f"expected HEADER; after ISO-10303-21;, found {_show(text)}", line=line)
            self.state = _HEADER
        elif self.state == _HEADER:
            if word == b"ENDSEC":
                self.state = _BETWEEN
            elif keyword is None or keyword.group(2) is None:
                self.error(f"the HEADER is not closed with ENDSEC; before {_show(text)}", line=line)
            else:
                schema = _SCHEMA.match(text)
                if schema:
                    self.index.schema = schema.group(1).decode("ascii", "replace")
        elif self.state == _BETWEEN:
            if word == b"DATA":
                self.state = _DATA
            elif word == b"END-ISO-10303-21":
                if not self.index.instances:
                    self.error("the file has no DATA section", line=line)
                self.state = _END
            else:
                self.error(f"expected DATA; or END-ISO-10303-21;, found {_show(text)}", line=line)
        elif self.state == _DATA:
            if word == b"ENDSEC":
                self.state = _BETWEEN
            elif word == b"END-ISO-10303-21":
                last = self.last_instance
                self.error(
                    "truncated: the DATA section is not closed with ENDSEC; before "
                    f"END-ISO-10303-21; (the file was cut{f' after #{last}' if last else ''} "
                    "and its end written again)",
                    line=line,
                    entity=f"#{last}" if last is not None else None,
                )
            else:
                self.error(
                    f"expected an instance #N=... or ENDSEC;, found {_show(text)}", line=line
                )

    def instance(self, text: bytes, line: int) -> None:
        match = _INSTANCE.match(text)
        if match is None:
            self.error(f"not an instance #N=NAME(...): {_show(text)}", line=line)
        number = int(match.group(1))
        entity = match.group(2)
        first = self.index.instances.get(number)
        if first is not None:
            self.error(
                f"instance name #{number} is defined twice (first at line {first.line})",
                line=line,
                entity=f"#{number}",
            )
        body = _STRINGS_AND_COMMENTS.sub(b"''", text[match.end() :])
        attributes = _attribute_starts(body)
        if attributes is None:
            self.error(
                "the parentheses of this instance do not balance", line=line, entity=f"#{number}"
            )
        string = _FIRST_STRING.match(text, match.end()) if entity else None
        self.index.instances[number] = Instance(
            line,
            entity.decode("ascii").upper() if entity else None,
            attributes,
            string.group(1).decode("latin-1") if string else None,
        )
        self.last_instance = number


def _attribute_starts(body: bytes) -> bytes | None:
    """The first character of each attribute in `body`, the text after `NAME(` with its strings
    emptied; None when the parentheses do not close exactly at its end."""
    end = body.rfind(b")")
    if end < 0 or body[end + 1 :].strip():
        return None
    inner = _EMPTY_LIST.sub(b"%", _REFERENCE_LIST.sub(b"@", body[:end]))
    while b"(" in inner:  # lists and typed values, innermost first: each becomes one mark
        collapsed = _GROUP.sub(b"~", inner)
        if collapsed == inner:
            return None
        inner = collapsed
    if b")" in inner:
        return None
    return _starts(inner.split(b",")).replace(b"~", b"(")


def _starts(parts: list[bytes]) -> bytes:
    if len(parts) == 1 and not parts[0].strip():
        return b""  # NAME(): no attributes
    return b"".join(part.lstrip()[:1] or b"?" for part in parts)


def _show(text: bytes) -> str:
    shown = text.strip()[:60].decode("ascii", "replace")
    return repr(shown + ("..." if len(text.strip()) > 60 else ""))
