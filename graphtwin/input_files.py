"""What an input path must be before anything reads it: a regular file, within a size limit.

`/dev/zero`, `/dev/stdin`, a named pipe or a socket can be read forever (or block forever);
they are refused from their `stat`, before a byte is read. A symbolic link is followed: what
counts is the file it names.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from graphtwin.errors import (
    FileTooLargeError,
    InputError,
    NotARegularFileError,
    SourceLocation,
)

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_BINARY_UNITS = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def check_regular_file(path: Path, *, name: str | None = None, max_bytes: int | None = None) -> int:
    """The size of `path` in bytes, once it is known to be a regular file within `max_bytes`;
    `name` is how error messages call it (default: the path)."""
    where = SourceLocation(name or str(path))
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise InputError("file not found", location=where) from exc
    except PermissionError as exc:
        raise InputError("permission denied", location=where) from exc
    except OSError as exc:  # a name too long, a loop of links, ...
        raise InputError(f"cannot read ({exc.strerror})", location=where) from exc
    if stat.S_ISDIR(info.st_mode):
        raise NotARegularFileError("is a directory, not a file", location=where)
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFileError(
            f"is a {_kind(info.st_mode)}, not a regular file; only regular files are read",
            location=where,
        )
    if max_bytes is not None and info.st_size > max_bytes:
        raise FileTooLargeError(
            f"{format_size(info.st_size)} is over the limit of {format_size(max_bytes)} for "
            "this format (raise it with --max-file-size or its setting, docs/security.md)",
            location=where,
        )
    return info.st_size


def parse_size(text: str) -> int:
    """Bytes from `2GB`, `512MB`, `1.5GiB` or a plain number (decimal units; `iB` binary)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size like 512MB, 2GB or 1GiB")
    number, unit = float(match.group(1)), match.group(2).lower()
    prefix = unit[:1] if unit[:1] in _UNITS else ""
    if unit not in ("", "b", prefix, f"{prefix}b", f"{prefix}ib") or unit == "ib":
        raise ValueError(f"{text!r} is not a size like 512MB, 2GB or 1GiB")
    scale = _BINARY_UNITS[prefix] if unit.endswith("ib") else _UNITS[prefix]
    return int(number * scale)


def format_size(size: int) -> str:
    """`2.1 GB`, `512 MB`, `700 bytes`: decimal units, as sizes are written on the command line."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"
