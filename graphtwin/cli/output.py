"""Consoles, JSON output, progress bars and the mapping of errors to exit codes."""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from graphtwin.control_chars import escape_controls
from graphtwin.errors import GraphTwinError, InputError

if TYPE_CHECKING:  # the driver and the model load with the commands that use them
    from neo4j.exceptions import DriverError, Neo4jError

    from graphtwin.twin_diff import TwinDiff

_C1_AND_DEL = re.compile(r"[\x7f-\x9f]")


class SafeConsole(Console):
    """A rich console that writes control characters in the text it is given as escapes
    (`\x1b`): a file name, an id or a warning from an input cannot drive the terminal. rich's
    own styles are not text, and still colour a terminal."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(escape_controls(text, keep_layout=True), **options)


out = SafeConsole(highlight=False, soft_wrap=True)
err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)


class EscapingFormatter(logging.Formatter):
    """Log lines with control characters escaped, whatever the message or exception holds."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record), keep_layout=True)


def configure_logging(verbose: bool) -> None:
    handler = RichHandler(console=err, show_path=False, show_time=False)
    handler.setFormatter(EscapingFormatter("%(message)s"))
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True
    )
    logging.getLogger("neo4j").setLevel(logging.ERROR)


def install_excepthook() -> None:
    """Print a failure nobody expected (a traceback, exit 1) with its control characters
    escaped: its message may quote an input."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(escape_controls(text, keep_layout=True))
        sys.stderr.flush()

    sys.excepthook = hook


def print_json(payload: Any) -> None:
    """One JSON document on one line of stdout (JSON lines for several). JSON escapes C0
    controls itself; DEL and C1 controls (`\x9b` is a CSI) are escaped as `\u009b` too, so
    the line is safe on a terminal and reads back to the same values."""
    text = json.dumps(payload, default=_json_default, ensure_ascii=False)
    text = _C1_AND_DEL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if hasattr(value, "to_native"):
        return value.to_native().isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def error_json(exc: GraphTwinError) -> dict[str, Any]:
    payload: dict[str, Any] = {"error": type(exc).__name__, "message": exc.message}
    if isinstance(exc, InputError):
        payload.update(file=exc.file, line=exc.line, entity=exc.entity, reason=exc.reason)
    return payload


def fail(exc: GraphTwinError) -> int:
    err.print(f"[bold red]error:[/] {_escape(exc.message)}")
    return exc.exit_code


def fail_store(exc: Neo4jError | DriverError) -> int:
    message = getattr(exc, "message", None) or str(exc)
    err.print(f"[bold red]Neo4j error:[/] {_escape(message)}")
    return 1


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback that drives a rich bar on stderr (a no-op when not a terminal)."""
    if not enabled or not err.is_terminal:
        yield lambda stage, done, total: None
        return
    columns = (
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield update


def print_diff(diff: TwinDiff, *, title: str, limit: int = 20) -> None:
    """A readable summary of a diff: counts, and the first entries of each list."""
    out.print(f"[bold]{title}[/]")
    sections: list[tuple[str, list[str]]] = [
        ("added", diff.added),
        ("removed", diff.removed),
        (
            "changed",
            [f"{t} ({', '.join(keys) or 'assertion'})" for t, keys in diff.changed.items()],
        ),
        ("relationships added", [_rel(k) for k in diff.relationships_added]),
        ("relationships removed", [_rel(k) for k in diff.relationships_removed]),
        ("relationships changed", [_rel(k) for k in diff.relationships_changed]),
    ]
    for label, items in sections:
        if not items:
            continue
        out.print(f"  {label}: {len(items)}")
        for item in sorted(items)[:limit]:
            out.print(f"    {_escape(item)}")
        if len(items) > limit:
            out.print(f"    ... and {len(items) - limit} more (--json lists all)")


def _rel(key: tuple[str, str, str]) -> str:
    return f"({key[0]})-[:{key[1]}]->({key[2]})"
