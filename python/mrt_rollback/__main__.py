"""`python -m mrt_rollback ARGS` runs `mrt ARGS` (useful where the scripts directory is not on PATH)."""

from __future__ import annotations

import os
import subprocess
import sys

from ._binary import MrtError, find_mrt_bin


def main() -> int:
    try:
        binary = find_mrt_bin()
    except MrtError as error:
        print(f"mrt-rollback: error: {error}", file=sys.stderr)
        return 2
    args = [binary, *sys.argv[1:]]
    if os.name == "posix":
        # Replace this process: signals and the exit code are the binary's own.
        os.execv(binary, args)
    return subprocess.run(args, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
