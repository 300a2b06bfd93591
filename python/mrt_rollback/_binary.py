"""Where the `mrt` binary is, and how to run it.

The wheel installs the binary into the environment's scripts directory (`bin/` or `Scripts\\`);
pip's `--user` and `--target` layouts and a binary on PATH are found too. `MRT_BINARY` names one
explicitly (a build of your own, or a test double).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Sequence

__all__ = ["MrtError", "find_mrt_bin", "run"]

_EXE = "mrt" + (sysconfig.get_config_var("EXE") or "")


class MrtError(RuntimeError):
    """`mrt` could not run, or exited 2 (usage, configuration or I/O error); the message says why."""


def _candidates() -> list[Path]:
    seen: list[Path] = []

    def add(directory: str | os.PathLike[str] | None) -> None:
        if directory:
            path = Path(directory) / _EXE
            if path not in seen:
                seen.append(path)

    add(sysconfig.get_path("scripts"))
    # A virtual environment run without activation: the interpreter's own directory.
    add(Path(sys.executable).parent)
    # `pip install --user`.
    user_scheme = sysconfig.get_preferred_scheme("user") if hasattr(
        sysconfig, "get_preferred_scheme"
    ) else ("nt_user" if os.name == "nt" else "posix_user")
    try:
        add(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:
        pass
    # `pip install --target DIR`: the package is DIR/mrt_rollback, the binary DIR/bin/mrt.
    add(Path(__file__).resolve().parent.parent / "bin")
    return seen


def find_mrt_bin() -> str:
    """The path of the `mrt` binary; `MrtError` naming the places looked in when there is none."""
    override = os.environ.get("MRT_BINARY")
    if override:
        if Path(override).is_file() and os.access(override, os.X_OK):
            return override
        raise MrtError(f"MRT_BINARY={override!r} is not an executable file")
    candidates = _candidates()
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    on_path = shutil.which("mrt")
    if on_path:
        return on_path
    looked = ", ".join(str(path) for path in candidates)
    raise MrtError(
        f"the `mrt` binary was not found (looked in {looked} and on PATH); "
        "reinstall the mrt-rollback wheel (`pip install --force-reinstall mrt-rollback`) "
        "or set MRT_BINARY to its path"
    )


# How long an interrupted `mrt` gets to stop what it started (the embedded PostgreSQL cluster,
# scratch databases) before it is killed.
_CLEANUP_SECONDS = 30


def run(
    args: Sequence[str], cwd: str | os.PathLike[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs `mrt ARGS`, capturing its output; exit codes are the caller's to read.

    On Ctrl-C, `mrt` is asked to stop (SIGTERM) and waited for while it cleans up, then the
    KeyboardInterrupt goes on: `subprocess.run` would kill it a quarter of a second later, leaving
    a PostgreSQL server running behind it."""
    binary = find_mrt_bin()
    try:
        process = subprocess.Popen(
            [binary, *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as error:
        raise MrtError(f"cannot run {binary}: {error}") from error
    with process:
        try:
            stdout, stderr = process.communicate()
        except KeyboardInterrupt:
            _stop(process)
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _stop(process: subprocess.Popen[str]) -> None:
    # A terminal's Ctrl-C reached `mrt` too; SIGTERM asks the same of it when it did not (and is
    # not the second Ctrl-C that makes it exit without cleaning up).
    if process.poll() is None:
        process.terminate()
    try:
        process.communicate(timeout=_CLEANUP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
