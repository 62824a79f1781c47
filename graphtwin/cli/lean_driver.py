"""The command line loads the Neo4j driver without its DataFrame extras.

When the neo4j driver is imported, its `_optional_deps` module imports pandas and pyarrow if
they are installed (both are, for the history store). The driver needs them only for
`Result.to_df()` and for pandas or pyarrow objects passed as query parameters, and graphtwin
uses neither. Those two imports cost about 0.6 s at the start of every command that talks to
the database (docs/benchmarks.md, "CLI start").

`hide_dataframes_from_driver()` installs an import hook that makes pandas and pyarrow look
absent to that one driver module, and to nothing else: graphtwin's own `import pandas` is
unaffected, before and after (the hook looks at the importing module only for those two names,
and stays in place, as removing a finder while an import walks the list would skip the next).
If pandas was imported before the driver, the driver sees it as usual.

What changes for the driver: a `pandas.Timestamp` parameter is sent as the `datetime` it is
(nanoseconds dropped), `pandas.NaT` is not a valid parameter, and `to_df()` says pandas is
missing. numpy stays visible to the driver.

>>> hide_dataframes_from_driver()  # once, at the start of the process
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType

_HIDDEN = frozenset({"pandas", "pyarrow"})
_DRIVER_MODULE = "neo4j._optional_deps"


class _HideFromDriver:
    """A meta path finder (importlib.abc.MetaPathFinder's protocol; the ABC itself costs 10 ms
    to import) that finds nothing, and refuses pandas and pyarrow to the driver."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] in _HIDDEN and _loading(_DRIVER_MODULE):
            raise ModuleNotFoundError(f"{fullname} is hidden from the neo4j driver", name=fullname)
        return None


def _loading(module: str) -> bool:
    """Whether `module`'s code is on the stack (being executed by an import)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == module:
            return True
        frame = frame.f_back
    return False


def hide_dataframes_from_driver() -> None:
    """Make pandas and pyarrow look absent to the neo4j driver when it is imported later."""
    if _DRIVER_MODULE in sys.modules or any(isinstance(f, _HideFromDriver) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _HideFromDriver())
