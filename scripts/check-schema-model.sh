#!/usr/bin/env bash
# check-schema-model.sh PYTHON MRT_BINARY
#
# The schema model against a real database (issue #6): for every fixture chain under
# mrt-core/tests/replay_chains/, first checks that the chain's own downgrades restore the schema
# (scripts/schema_harness.py roundtrip), then compares `mrt schema --dialect sqlite --format json` with
# real Alembic on SQLite, step by step (scripts/schema_harness.py model). PYTHON must have alembic
# (1.20.1) and SQLAlchemy installed. Exits non-zero on any difference or harness error.
set -euo pipefail

usage="usage: check-schema-model.sh PYTHON MRT_BINARY"
python=${1:?$usage}
mrt=${2:?$usage}
# Paths given relative to the caller's directory keep working after the cd below.
absolute() { if [[ "$1" == */* ]]; then echo "$(cd -- "$(dirname -- "$1")" && pwd)/$(basename -- "$1")"; else echo "$1"; fi; }
python=$(absolute "$python")
mrt=$(absolute "$mrt")
cd -- "$(dirname -- "$0")/.."

chains=(mrt-core/tests/replay_chains/*/)
[[ -d "${chains[0]}" ]] || { echo "no chains under mrt-core/tests/replay_chains/" >&2; exit 2; }

echo "  fixture chains: their downgrades restore the schema"
"$python" scripts/schema_harness.py roundtrip "${chains[@]}"
echo "  the schema model against Alembic on SQLite"
"$python" scripts/schema_harness.py model "$mrt" "${chains[@]}"
