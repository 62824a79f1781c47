"""Pause Python's cyclic garbage collector around allocation-heavy parsing.

Parsing a model allocates millions of small objects that live until the parse ends; the cyclic
collector keeps scanning all of them (the more the process already holds, the longer each scan),
which costs a third of an RDF parse in a busy process. Nothing a parser builds depends on the
collector, so it is paused for the duration and restored afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
