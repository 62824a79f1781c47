"""Control characters from an input reach no terminal: errors, console lines, JSON and logs."""

from __future__ import annotations

import io
import json
import logging

from rich.console import Console

from graphtwin.cli import output
from graphtwin.control_chars import escape_controls
from graphtwin.errors import GraphTwinError, InputError, SourceLocation

HOSTILE = "ahu\x1b[31m-1\x9b2J\x07\x00\x7f\r\n\tend"
CONTROLS = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]}


def raw_controls(text: str, allowed: str = "") -> set[str]:
    return {c for c in text if c in CONTROLS and c not in allowed}


def test_every_c0_and_c1_control_is_written_as_its_escape():
    assert escape_controls(HOSTILE) == "ahu\\x1b[31m-1\\x9b2J\\x07\\x00\\x7f\\r\\n\\tend"
    assert escape_controls(HOSTILE, keep_layout=True).endswith("\\r\n\tend")
    assert escape_controls("Büro 21 °C") == "Büro 21 °C"


def test_an_input_error_is_one_line_with_the_id_and_file_escaped():
    error = InputError(
        f"unknown kind {HOSTILE!s}", location=SourceLocation("a\x1bb.yaml", 3), entity=HOSTILE
    )
    assert not raw_controls(str(error))
    assert str(error).startswith("a\\x1bb.yaml:3: ahu\\x1b[31m-1")
    assert error.entity == HOSTILE  # the structured field keeps the real id for --json


def test_any_graphtwin_error_escapes_controls_but_keeps_its_own_line_breaks():
    error = GraphTwinError("server died\n--- log ---\n\x1b[2Jboom")
    assert error.message == "server died\n--- log ---\n\\x1b[2Jboom"
    assert str(error) == error.message


def test_the_cli_consoles_escape_what_they_are_given():
    buffer = io.StringIO()
    console = output.SafeConsole(file=buffer, force_terminal=False, width=200)
    console.print(f"[yellow]warning[/] {HOSTILE}")
    assert not raw_controls(buffer.getvalue(), allowed="\n\t")
    assert "ahu\\x1b[31m-1\\x9b2J" in buffer.getvalue()
    assert isinstance(output.err, output.SafeConsole) and isinstance(output.out, Console)


def test_json_lines_carry_no_raw_control_and_read_back_to_the_same_value(capsys):
    output.print_json({"entity": HOSTILE})
    line = capsys.readouterr().out
    assert not raw_controls(line, allowed="\n")
    assert json.loads(line)["entity"] == HOSTILE


def test_log_lines_escape_controls_in_messages_and_arguments():
    formatter = output.EscapingFormatter("%(message)s")
    record = logging.LogRecord("graphtwin", logging.WARNING, "f", 1, "point %s", (HOSTILE,), None)
    assert not raw_controls(formatter.format(record), allowed="\n\t")
