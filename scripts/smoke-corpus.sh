#!/usr/bin/env bash
# smoke-corpus.sh MRT_BINARY DIR...
#
# Runs `mrt check` over Alembic versions/ directories (CI passes those of the apache-airflow-core and
# mlflow wheels, see fetch-corpus.sh). Each run must exit 0 or 1 (never 2, never a panic), and read
# every file, revision and parent that Python's `ast` reads.
set -euo pipefail

mrt=${1:?usage: smoke-corpus.sh MRT_BINARY DIR...}
shift
dirs=("$@")
((${#dirs[@]} > 0)) || { echo "smoke-corpus: no versions directories given" >&2; exit 1; }
here=$(cd -- "$(dirname -- "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

status=0
for dir in "${dirs[@]}"; do
  echo "== ${dir##*/unpacked/}"
  set +e
  "$mrt" check "$dir" --output-format json >"$work/report.json"
  code=$?
  set -e
  if [[ $code -ne 0 && $code -ne 1 ]]; then
    echo "  FAIL: mrt exited $code" >&2
    status=1
    continue
  fi
  echo "  exit=$code"
  python3 "$here/corpus_counts.py" "$dir" "$work/report.json" || status=1
done
exit $status
