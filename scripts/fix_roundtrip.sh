#!/usr/bin/env bash
# fix_roundtrip.sh PYTHON MRT_BINARY CHAIN_DIR...
#
# `mrt fix` against a real database (issue #7): copies each Alembic chain (a `versions/`
# directory) to a temporary directory, and breaks the downgrades in turn: body replaced with `pass`
# (MRT102), function removed (MRT101), first statement deleted (a reverse rule or MRT801); then runs `mrt fix --unsafe-fixes --dialect sqlite` on the copy,
# then checks with real Alembic on SQLite (scripts/schema_harness.py roundtrip) that upgrading and
# downgrading each revision gives back the schema before it. Also checks that the fixed files
# have no MRT101/MRT102/MRT902 left and that a second `mrt fix` changes nothing. PYTHON must have
# alembic (1.20.1) and SQLAlchemy. Exits non-zero on any difference or error.
set -euo pipefail

usage="usage: fix_roundtrip.sh PYTHON MRT_BINARY CHAIN_DIR..."
python=${1:?$usage}
mrt=${2:?$usage}
shift 2
[[ $# -gt 0 ]] || { echo "$usage" >&2; exit 2; }
root=$(cd -- "$(dirname -- "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

copies=()
for chain in "$@"; do
  copy="$work/$(basename -- "$chain")"
  cp -R -- "$chain" "$copy"
  find "$copy" -name '__pycache__' -prune -exec rm -rf {} +
  # Every downgrade() does nothing: what mrt fix writes is all there is.
  "$python" - "$copy" <<'PY'
import ast, pathlib, sys
# Files take turns: the downgrade emptied to `pass` (MRT102), removed (MRT101), or made partial
# (its first statement deleted: a reverse rule or MRT801 reports what is missing).
for number, path in enumerate(sorted(pathlib.Path(sys.argv[1]).glob("*.py"))):
    text = path.read_text()
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.FunctionDef) and node.name == "downgrade":
            if number % 3 == 1:
                del lines[node.lineno - 1 : node.end_lineno]
            elif number % 3 == 2 and len(node.body) >= 2:
                first = node.body[0]
                del lines[first.lineno - 1 : first.end_lineno]
            else:
                first, last = node.body[0].lineno - 1, node.body[-1].end_lineno
                indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
                lines[first:last] = [f"{indent}pass\n"]
    path.write_text("".join(lines))
PY
  copies+=("$copy")
done

echo "  mrt fix --unsafe-fixes on ${#copies[@]} chain(s) whose downgrades were emptied, removed or made partial"
for copy in "${copies[@]}"; do
  "$mrt" fix --unsafe-fixes --dialect sqlite "$copy"
  if ! "$mrt" check "$copy" --dialect sqlite --select MRT101,MRT102,MRT902,MRT801,MRT301,MRT302,MRT402,MRT403,MRT408,MRT409,MRT410,MRT205,MRT207,MRT502,MRT503 --output-format concise; then
    echo "fix_roundtrip: $copy still has findings mrt fix should have fixed" >&2
    exit 1
  fi
  if ! "$mrt" fix --unsafe-fixes --dialect sqlite --diff "$copy" >"$work/second.diff"; then
    echo "fix_roundtrip: a second mrt fix on $copy would change:" >&2
    cat "$work/second.diff" >&2
    exit 1
  fi
done
echo "  the written downgrades restore the schema, on SQLite through Alembic"
cd -- "$root"
"$python" scripts/schema_harness.py roundtrip "${copies[@]}"
