"""Control characters made visible, so that text taken from an input never drives a terminal.

An id holding ESC `[31m` would colour the terminal of whoever reads the error about it; a C1
CSI (`\\x9b`) does the same on terminals that honour 8-bit controls; a carriage return hides
what came before it on the line. Every message graphtwin builds and every line its CLI prints
passes through `escape_controls`: a control character becomes the escape Python would write
for it (`\\x1b`, `\\r`), which reads the same in a terminal, a log file and a JSON string.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 controls, DEL and C1 controls (Unicode category Cc)."""
_CONTROLS_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""The same, less line feed and tab: the layout of a message graphtwin itself wrote."""
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape_controls(text: str, *, keep_layout: bool = False) -> str:
    """`text` with every control character written as its escape (`\\x1b`, `\\n`).

    `keep_layout` keeps line feeds and tabs, for multi-line text graphtwin wrote itself (a
    server log tail); text from an input (an id, a file name) is escaped whole."""
    pattern = _CONTROLS_BUT_LAYOUT if keep_layout else _CONTROLS
    return pattern.sub(_visible, text)


def has_controls(text: str) -> bool:
    """Whether `text` holds any control character (line feeds and tabs included)."""
    return _CONTROLS.search(text) is not None


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"
