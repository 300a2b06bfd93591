"""mrt for Python projects: the `mrt` binary (installed by this wheel), `python -m mrt_rollback`, and
the pytest fixture `mrt` (see `pytest_plugin`). The binary does the work; this package runs it.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from typing import Optional, Sequence

from ._binary import MrtError, find_mrt_bin, run
from .config import MRTConfig
from .results import Failure, Finding, RevisionResult, StaticReport, VerifyReport
from .runner import Mrt, RollbackFailure, StaticCheckFailure

# Tracebacks and pytest's reports name the classes where users import them from.
for _name in ("MrtError", "RollbackFailure", "StaticCheckFailure", "Mrt", "MRTConfig"):
    globals()[_name].__module__ = __name__
del _name

try:
    __version__ = metadata.version("mrt-rollback")
except metadata.PackageNotFoundError:  # imported from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Failure",
    "Finding",
    "MRTConfig",
    "Mrt",
    "MrtError",
    "RevisionResult",
    "RollbackFailure",
    "StaticCheckFailure",
    "StaticReport",
    "VerifyReport",
    "find_mrt_bin",
    "revisions",
]


def revisions(
    paths: Sequence[str | os.PathLike[str]] = (), cwd: Optional[str | os.PathLike[str]] = None
) -> list[str]:
    """The revision ids of the project, oldest first, from `mrt graph --format json`.

    For one pytest item per revision (so that `pytest -k` and xdist pick revisions)::

        @pytest.mark.parametrize("revision", mrt_rollback.revisions())
        def test_reversible(mrt, revision):
            mrt.assert_reversible(revision)

    Without `paths`, the binary finds the migrations from `cwd` (default: the current directory) as
    `mrt check` does.
    """
    done = run(["graph", *(str(path) for path in paths), "--format", "json"], cwd=cwd)
    if done.returncode != 0:
        raise MrtError(f"`mrt graph` failed (exit {done.returncode}): {done.stderr.strip()}")
    try:
        graph = json.loads(done.stdout)
        return [str(entry["revision"]) for entry in graph["revisions"]]
    except (ValueError, KeyError, TypeError) as error:
        raise MrtError(f"`mrt graph --format json` printed an unexpected report: {error}") from error
