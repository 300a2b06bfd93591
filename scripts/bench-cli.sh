#!/usr/bin/env bash
# bench-cli.sh [WORKDIR]
#
# Times the whole `mrt check` process on generated chains of 1,000 and 10,000 Alembic revisions
# (benches' gen-chain), and in the same run the Python tool pytest-mrt 1.9.1 (installed from PyPI
# into a temporary virtual environment) on the same 1,000-revision directory. Prints a table and
# the speed ratio. Each command runs several times; the median wall time is reported, with the
# process's peak memory.
set -euo pipefail
cd "$(dirname -- "$0")/.."

work=${1:-$(mktemp -d)}
mkdir -p "$work"
runs=${RUNS:-10}

cargo build --release --locked -p mrt-cli -p mrt-benches >&2
bin="${CARGO_TARGET_DIR:-target}/release"
for n in 1000 10000; do
  [[ -d "$work/chain$n" ]] || "$bin/gen-chain" "$work/chain$n" "$n" >&2
done

if [[ ! -x "$work/venv/bin/mrt" ]]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check "pytest-mrt==1.9.1" >&2
fi

measure() { python3 scripts/bench_cli.py "$@"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
printf 'command\tmedian ms\tmin ms\tpeak MB\texit\n'
rust_1k=$(measure "$runs" "mrt check, 1k chain" -- "$bin/mrt" check "$work/chain1000" --output-format concise)
echo "$rust_1k"
rust_10k=$(measure "$runs" "mrt check, 10k chain" -- "$bin/mrt" check "$work/chain10000" --output-format concise)
echo "$rust_10k"
python_runs=$(( runs < 3 ? runs : 3 ))
python_1k=$(measure "$python_runs" "pytest-mrt 1.9.1 check, 1k chain" -- "$work/venv/bin/mrt" check "$work/chain1000")
echo "$python_1k"

python3 - "$rust_1k" "$rust_10k" "$python_1k" <<'PY'
import sys
rust_1k, rust_10k, python_1k = (float(line.split("\t")[1]) for line in sys.argv[1:4])
print(f"speed-up over pytest-mrt on the 1k chain: {python_1k / rust_1k:.0f}x")
print(f"per-file cost at 10k / at 1k: {(rust_10k / 10000) / (rust_1k / 1000):.2f}")
PY
