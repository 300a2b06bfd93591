#!/usr/bin/env bash
# bench-cli.sh [WORKDIR]
#
# Times the whole `mrt check --output-format json` process on generated chains of 1,000 and 10,000
# Alembic revisions (benches' gen-chain): the sparse chain (few findings) and the finding-dense one
# (`gen-chain --dense`: merges, enums, renames, missing and partial downgrades; tens of thousands of
# findings, thousands fixable), each three ways: with `--no-cache` (every file read and parsed: a
# first run, a fresh CI checkout); with its cache filled by an earlier run over the same tree (files
# left alone since are known by their stamps, not opened, and no revision having changed, the
# findings are read back); and with the cache filled and the newest revision edited before each run
# (a copy of the chain; the edited file is parsed again, and every revision's findings are judged
# anew by the replay, since one changed revision changes nothing before it but the walk through
# the chain must reach it).
# In the same run the Python tool pytest-mrt 1.9.1 (installed from PyPI into a temporary virtual
# environment) checks the same 1,000-revision directories. Prints a table and the ratios. Each
# command runs several times; the median wall time is reported, with the process's peak memory.
set -euo pipefail
cd "$(dirname -- "$0")/.."

work=${1:-$(mktemp -d)}
mkdir -p "$work"
runs=${RUNS:-10}

cargo build --release --locked -p mrt-cli -p mrt-benches >&2
bin="${CARGO_TARGET_DIR:-target}/release"
generated=0
for n in 1000 10000; do
  [[ -d "$work/chain$n" ]] || { "$bin/gen-chain" "$work/chain$n" "$n" >&2; generated=1; }
  [[ -d "$work/dense$n" ]] || { "$bin/gen-chain" --dense "$work/dense$n" "$n" >&2; generated=1; }
done
# Files changed in the last two seconds are opened by every run; a working tree's are older.
if (( generated )); then sleep 3; fi

if [[ ! -x "$work/venv/bin/mrt" ]]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check "pytest-mrt==1.9.1" >&2
fi

measure() { python3 scripts/bench_cli.py "$@"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
printf 'command\tmedian ms\tmin ms\tpeak MiB\texit\n'
python_runs=$(( runs < 3 ? runs : 3 ))
results=()
for chain in chain dense; do
  for n in 1000 10000; do
    line=$(measure "$runs" "mrt check --no-cache, $chain $n" -- "$bin/mrt" check "$work/$chain$n" --output-format json --no-cache)
    echo "$line"
    results+=("$line")
    cache="$work/cache-$chain$n"
    rm -rf "$cache"
    "$bin/mrt" check "$work/$chain$n" --output-format json --cache-dir "$cache" >/dev/null || true
    line=$(measure "$runs" "mrt check, cache filled, $chain $n" -- "$bin/mrt" check "$work/$chain$n" --output-format json --cache-dir "$cache")
    echo "$line"
    results+=("$line")
    edited="$work/edited-$chain$n"
    rm -rf "$edited" "$cache-edited"
    cp -r "$work/$chain$n" "$edited"
    newest=$(find "$edited" -name '*.py' | sort | tail -n 1)
    # As above: the copies settle before the cache is filled, so that only the edited file is read.
    sleep 3
    "$bin/mrt" check "$edited" --output-format json --cache-dir "$cache-edited" >/dev/null || true
    line=$(measure "$runs" "mrt check, cache filled, newest revision edited, $chain $n" -- sh -c 'echo "# edited" >> "$1"; shift; exec "$@"' edit "$newest" "$bin/mrt" check "$edited" --output-format json --cache-dir "$cache-edited")
    echo "$line"
    results+=("$line")
  done
  line=$(measure "$python_runs" "pytest-mrt 1.9.1 check, $chain 1000" -- "$work/venv/bin/mrt" check "$work/${chain}1000")
  echo "$line"
  results+=("$line")
done

python3 - "${results[@]}" <<'PY'
import sys
times = [float(line.split("\t")[1]) for line in sys.argv[1:]]
for name, (cold1, warm1, edit1, cold10, warm10, edit10, python) in (("sparse", times[0:7]), ("dense", times[7:14])):
    for how, k1, k10 in (("--no-cache", cold1, cold10), ("cache filled", warm1, warm10), ("newest revision edited", edit1, edit10)):
        print(f"{name}, {how}: speed-up over pytest-mrt on the 1k chain {python / k1:.0f}x; 10k/1k {k10 / k1:.1f}")
PY
