"""Ctrl-C (and SIGTERM) for the commands that run until it (`virtual-building run` and `record`,
`sync`, `demo`, `forecast watch`).

`ctrl_c_stops()` makes SIGINT raise KeyboardInterrupt (asyncio.run then cancels the main task
and the command stops cleanly) even when the process started with SIGINT ignored. A
non-interactive shell starts its background jobs that way (`cmd &` in a script, a test runner or
CI started in the background) and Python keeps an inherited SIG_IGN, so `kill -INT` and a test's
`send_signal(SIGINT)` did nothing and the run went on to its last simulated day. SIGINT is these
commands' clean stop, so they take it whatever they inherited. SIGTERM, what a service manager
or a plain `kill` sends, used to end a virtual run without its final JSON line; it is now taken
as a Ctrl-C. The dispositions are put back afterwards.

`skip_final_collection()` spares the interpreter's last garbage collection at exit: once a
served run ends, the OPC UA address space (about 400,000 objects) is garbage, and collecting it
while the interpreter shuts down took 1 to 6 s after the final JSON line on a busy machine. The
process ends anyway; `gc.freeze()` in an atexit handler leaves every object to the exit.

>>> with ctrl_c_stops():  # doctest: +SKIP
...     asyncio.run(served.run())
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def ctrl_c_stops() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt inside the block, even if the process inherited it
    ignored, and SIGTERM (a service manager's or `kill`'s stop) is taken as a Ctrl-C: the
    command stops as cleanly, with its final output (see the module doc). A handler someone
    else set is left alone. Outside the main thread signals cannot be set: a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    if previous[signal.SIGINT] is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if previous[signal.SIGTERM] is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _as_ctrl_c)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _as_ctrl_c(signum: int, frame: object) -> None:
    """SIGTERM becomes SIGINT, so whoever handles Ctrl-C now (asyncio.run cancels its main
    task; uvicorn shuts down) handles it."""
    signal.raise_signal(signal.SIGINT)


def skip_final_collection() -> None:
    """Leave the objects alive at exit to the process's end (see the module doc): atexit
    handlers still run and files are still flushed; only the last cyclic collection is spared.
    Registered once however often it is called."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
