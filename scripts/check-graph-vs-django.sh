#!/usr/bin/env bash
# check-graph-vs-django.sh PYTHON MRT_BINARY DIR...
#
# For each directory holding Django apps, compares the leaf nodes of every app in
# `mrt graph --format json` (its heads) with those of Django's own MigrationGraph
# (scripts/django_leaves.py, run with PYTHON, which must have Django installed). Fails on any
# difference.
set -euo pipefail

python=${1:?usage: check-graph-vs-django.sh PYTHON MRT_BINARY DIR...}
mrt=${2:?usage: check-graph-vs-django.sh PYTHON MRT_BINARY DIR...}
shift 2
here=$(cd -- "$(dirname -- "$0")" && pwd)

status=0
for dir in "$@"; do
  expected=$("$python" "$here/django_leaves.py" "$dir")
  actual=$("$mrt" graph "$dir" --format json | "$python" -c '
import json, sys
print(json.dumps({"leaves": sorted(json.load(sys.stdin)["heads"])}))')
  name=${dir##*/unpacked/}
  count=$("$python" -c 'import json, sys; print(len(json.loads(sys.argv[1])["leaves"]))' "$expected")
  if [[ "$expected" == "$actual" ]]; then
    echo "  same leaf nodes as Django ($count): $name"
  else
    echo "  DIFFERENT: $name"
    echo "    django: $expected"
    echo "    mrt:    $actual"
    status=1
  fi
done
exit $status
