#!/usr/bin/env bash
# check-graph-vs-alembic.sh PYTHON MRT_BINARY DIR...
#
# For each Alembic versions directory, compares the heads and bases of `mrt graph --format json` with
# those of Alembic's own ScriptDirectory (scripts/alembic_graph.py, run with PYTHON, which must have
# alembic installed). Fails on any difference.
set -euo pipefail

python=${1:?usage: check-graph-vs-alembic.sh PYTHON MRT_BINARY DIR...}
mrt=${2:?usage: check-graph-vs-alembic.sh PYTHON MRT_BINARY DIR...}
shift 2
here=$(cd -- "$(dirname -- "$0")" && pwd)

status=0
for dir in "$@"; do
  expected=$("$python" "$here/alembic_graph.py" "$dir")
  actual=$("$mrt" graph "$dir" --format json | "$python" -c '
import json, sys
graph = json.load(sys.stdin)
print(json.dumps({"heads": sorted(graph["heads"]), "bases": sorted(graph["bases"])}))')
  name=${dir#"$PWD/"}
  if [[ "$expected" == "$actual" ]]; then
    echo "  same as alembic: $name $actual"
  else
    echo "  DIFFERENT: $name"
    echo "    alembic: $expected"
    echo "    mrt:     $actual"
    status=1
  fi
done
exit $status
