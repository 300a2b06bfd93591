#!/usr/bin/env bash
# `mrt fix` on a real PostgreSQL (issue 18): a clean executable chain (gen-verify-chain --clean
# --drops, every downgrade exact but for the rows of dropped columns) is copied three times with its downgrades broken: every `def downgrade`
# deleted (MRT101), every body emptied to `pass` (MRT102), and mixed (files take turns: deleted,
# emptied, or the first statement of a longer body deleted). `mrt fix --unsafe-fixes` writes them
# again; a second `mrt fix --diff` must be empty; then `mrt verify` runs every revision up and
# down on a throwaway PostgreSQL cluster it starts itself. A revision is restored exactly when it
# has no schema, downgrade or reupgrade failure; `data` failures (rows a downgrade cannot bring
# back, e.g. of a dropped column) are counted apart. Fails below 97% restored or when a revision
# fails to run (a downgrade or re-upgrade error, a timeout).
#
# usage: scripts/check-fix-postgres.sh PYTHON BIN_DIR [N]
set -euo pipefail
usage="usage: check-fix-postgres.sh PYTHON BIN_DIR [N]"
python=${1:?$usage}
bin=${2:?$usage}
n=${3:-150}
work=$(mktemp -d)
# MRT_KEEP_WORK=1 keeps the chains and reports to look at.
[[ -z ${MRT_KEEP_WORK:-} ]] || echo "work directory: $work" >&2
# The throwaway cluster runs as `postgres` when this runs as root: it must be able to read the chains.
chmod 755 "$work"
[[ -n ${MRT_KEEP_WORK:-} ]] || trap 'rm -rf -- "$work"' EXIT

# --drops: some revisions drop a column (from tables other tables' foreign keys refer to), so the
# fixes re-add columns, where rebuilding the table would break on PostgreSQL.
"$bin/gen-verify-chain" "$work/clean" "$n" --clean --drops >/dev/null
status=0
for mode in stripped emptied mixed; do
  copy="$work/$mode"
  cp -R -- "$work/clean" "$copy"
  python3 - "$copy" "$mode" <<'PY'
import ast, pathlib, sys
root, mode = pathlib.Path(sys.argv[1]), sys.argv[2]
for number, path in enumerate(sorted(root.glob("*.py"))):
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    for node in reversed(ast.parse(text).body):
        if not (isinstance(node, ast.FunctionDef) and node.name == "downgrade"):
            continue
        how = {"stripped": 0, "emptied": 1}.get(mode, number % 3)
        if how == 0:
            del lines[node.lineno - 1 : node.end_lineno]
        elif how == 2 and len(node.body) >= 2:
            first = node.body[0]
            del lines[first.lineno - 1 : first.end_lineno]
        else:
            first, last = node.body[0].lineno - 1, node.body[-1].end_lineno
            indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
            lines[first:last] = [f"{indent}pass\n"]
    path.write_text("".join(lines))
PY
  set +e
  "$bin/mrt" fix --unsafe-fixes --dialect postgresql "$copy" 2>"$work/$mode.fix.err"
  code=$?
  set -e
  if [[ $code -ne 0 ]]; then
    echo "$mode: mrt fix exited $code" >&2; cat "$work/$mode.fix.err" >&2; status=1; continue
  fi
  set +e
  "$bin/mrt" fix --unsafe-fixes --dialect postgresql --diff "$copy" >"$work/second.diff" 2>/dev/null
  set -e
  echo "  $mode: mrt fix: $(tail -1 "$work/$mode.fix.err")"
  if [[ -s "$work/second.diff" ]]; then
    echo "$mode: a second mrt fix would change $(grep -c '^+++ ' "$work/second.diff") file(s):" >&2
    head -40 "$work/second.diff" >&2
    status=1
  fi
  chmod -R a+rX "$copy"
  set +e
  "$bin/mrt" verify "$copy" --python "$python" --output-format json >"$work/$mode.json" 2>"$work/verify.err"
  code=$?
  set -e
  if [[ $code -ne 0 && $code -ne 1 ]]; then
    echo "$mode: mrt verify exited $code" >&2; cat "$work/verify.err" >&2; status=1; continue
  fi
  python3 - "$work/$mode.json" "$mode" <<'PY' || status=1
import json, sys
report, mode = json.load(open(sys.argv[1])), sys.argv[2]
revisions = report["revisions"]
restored, data_only, broken, failed_to_run = 0, 0, [], []
for v in revisions:
    kinds = {f["kind"] for f in v["failures"]}
    # A revision the walk could not judge is not restored.
    if v["status"] == "skipped":
        kinds.add("skipped")
    if kinds & {"downgrade", "reupgrade", "upgrade", "timeout", "skipped"}:
        failed_to_run.append(f"{v['revision']}: {sorted(kinds)}")
    if kinds & {"schema", "downgrade", "reupgrade", "upgrade", "timeout", "skipped"}:
        broken.append(f"{v['revision']}: " + "; ".join(
            f"{f['kind']}: {f.get('message', f.get('detail', ''))}"[:300] for f in v["failures"]))
    else:
        restored += 1
        data_only += "data" in kinds
total = len(revisions)
share = restored / total if total else 0.0
print(f"  {mode}: {restored}/{total} revisions restored exactly ({share:.1%}), "
      f"{data_only} of them with data failures only, {len(failed_to_run)} failed to run")
for line in broken[:20]:
    print(f"    {line}")
assert total > 0, "mrt verify reported no revision"
assert not failed_to_run, "a fixed revision failed to run"
assert share >= 0.97, "fewer than 97% of revisions restored"
PY
done
exit $status
