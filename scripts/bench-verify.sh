#!/usr/bin/env bash
# bench-verify.sh [WORKDIR]
#
# Times the whole `mrt verify` process on executable Alembic chains of 100, 200 and 300
# revisions (gen-verify-chain, faults planted in one revision of six) on an embedded PostgreSQL
# 15 cluster it starts itself: with revisions tried in rolled-back transactions (the default) and
# on database copies (--isolation copy). Then, in the same run, the Python tool pytest-mrt 1.9.1
# (installed from PyPI into a temporary virtual environment) on the same 300-revision chain and
# on clean chains of 25 and 50 revisions, on a database of the same kind of cluster (started with
# `mrt db start`), with the revisions it judged before it stopped. Prints one line per run.
set -euo pipefail
cd "$(dirname -- "$0")/.."

work=${1:-$(mktemp -d)}
mkdir -p "$work"
runs=${RUNS:-3}

cargo build --release --locked -p mrt-cli -p mrt-benches >&2
bin="${CARGO_TARGET_DIR:-target}/release"
if [[ ! -x "$work/venv/bin/python" ]]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check \
    "alembic==1.20.1" "sqlalchemy>=2" "psycopg2-binary" "pytest-mrt==1.9.1" >&2
fi
for n in 25 50; do
  [[ -d "$work/clean$n" ]] || "$bin/gen-verify-chain" "$work/clean$n" "$n" --clean >/dev/null
done
for n in 100 200 300; do
  [[ -d "$work/chain$n" ]] || "$bin/gen-verify-chain" "$work/chain$n" "$n" >/dev/null
done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 100 200 300; do
  for isolation in auto copy; do
    python3 scripts/bench_verify.py mrt "$runs" "$bin/mrt" "$work/chain$n" "$work/venv/bin/python" "$isolation"
  done
done

# pytest-mrt needs a running server and an Alembic environment around each chain.
started=$("$bin/mrt" db start --output-format json)
dir=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["dir"])' "$started")
url=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["url"])' "$started")
trap '"$bin/mrt" db stop "$dir"' EXIT
for chain in clean25 clean50 chain300; do
  python3 scripts/bench_verify.py pytest-mrt 1 "$work/venv/bin/python" "$work/$chain" "$url"
done
