"""Time whole commands: median wall time over several runs, and peak memory (max RSS).

usage: python3 scripts/bench_cli.py RUNS LABEL -- COMMAND... [--- LABEL -- COMMAND...]
Prints one line per command: label, median and min wall time in ms, peak RSS in MiB (the largest
of the runs), exit code.
"""

import resource
import statistics
import subprocess
import sys
import time


def measure(command, runs):
    times = []
    code = None
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
        code = result.returncode
    # ru_maxrss of the children is the largest of any child so far: measure each command in its
    # own process (see main) so that it is this command's.
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return statistics.median(times), min(times), peak_mib, code


def main():
    runs = int(sys.argv[1])
    label = sys.argv[2]
    assert sys.argv[3] == "--"
    command = sys.argv[4:]
    median, fastest, peak, code = measure(command, runs)
    print(f"{label}\t{median:.1f}\t{fastest:.1f}\t{peak:.1f}\t{code}")


if __name__ == "__main__":
    main()
