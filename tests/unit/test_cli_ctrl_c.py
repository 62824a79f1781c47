"""`ctrl_c_stops` makes SIGINT interrupt a command that inherited it ignored, and puts the
inherited disposition back; `skip_final_collection` freezes the heap at exit."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from typing import Any

from graphtwin.cli.ctrl_c import ctrl_c_stops

# Sends itself `sig` inside ctrl_c_stops and says whether it was interrupted, then whether the
# disposition it started with (`before`, e.g. SIG_IGN) is back.
CHILD = textwrap.dedent(
    """
    import os, signal, time
    from graphtwin.cli.ctrl_c import ctrl_c_stops

    assert signal.getsignal(signal.{sig}) is signal.{before}
    try:
        with ctrl_c_stops():
            os.kill(os.getpid(), signal.{sig})
            time.sleep(10)  # the signal interrupts it
        print("not interrupted")
    except KeyboardInterrupt:
        print("interrupted")
    print("after:", "as before" if signal.getsignal(signal.{sig}) is signal.{before} else "other")
    """
)


def _run_child(sig: str, before: str, **popen: Any) -> list[str]:
    code = CHILD.format(sig=sig, before=before)
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, **popen
    )
    assert child.returncode == 0, child.stderr
    return child.stdout.split("\n")[:2]


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_sigint_interrupts_a_process_that_inherited_it_ignored_and_is_ignored_again_after():
    # started with SIGINT ignored, as a background job of a non-interactive shell
    lines = _run_child("SIGINT", "SIG_IGN", preexec_fn=_ignore_ctrl_c)
    assert lines == ["interrupted", "after: as before"]


def test_sigterm_stops_the_block_like_ctrl_c_and_is_default_again_after():
    assert _run_child("SIGTERM", "SIG_DFL") == ["interrupted", "after: as before"]


def test_a_handler_set_by_someone_else_is_left_alone():
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not called")

    previous = signal.signal(signal.SIGINT, mine)
    try:
        with ctrl_c_stops():
            assert signal.getsignal(signal.SIGINT) is mine
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, previous)


FREEZING_CHILD = textwrap.dedent(
    """
    import atexit, gc
    from graphtwin.cli.ctrl_c import skip_final_collection

    atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
    skip_final_collection()
    skip_final_collection()  # twice is harmless
    print("frozen before exit:", gc.get_freeze_count() > 0)
    """
)


def test_skip_final_collection_freezes_the_heap_at_exit_not_before():
    child = subprocess.run(
        [sys.executable, "-c", FREEZING_CHILD], capture_output=True, text=True, timeout=30
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines() == ["frozen before exit: False", "frozen at exit: True"]
