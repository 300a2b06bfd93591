#!/usr/bin/env bash
# mrt verify, as a user runs it, on an executable chain with planted rollback faults
# (gen-verify-chain): on an embedded PostgreSQL cluster (revisions tried in rolled-back
# transactions, then on database copies) and on SQLite, every verdict must be the
# one the generator planted (failure kind included), and every revision must get one.
#
# usage: scripts/check-verify.sh PYTHON BIN_DIR [N]
set -euo pipefail
python=$1
bin=$2
n=${3:-120}
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

"$bin/gen-verify-chain" "$work/versions" "$n" >"$work/expected.txt"
for database in embedded embedded-copy "sqlite:///$work/scratch.db"; do
  case $database in
    embedded) args=() ;;
    # The same walk with every revision tried on a copy of the database instead of in a
    # rolled-back transaction: the verdicts must not change.
    embedded-copy) args=(--isolation copy) ;;
    *) args=(--database-url "$database") ;;
  esac
  set +e
  "$bin/mrt" verify "$work/versions" --python "$python" --output-format json "${args[@]}" >"$work/report.json"
  code=$?
  set -e
  [[ $code -eq 1 ]] || { echo "mrt verify exited $code on $database (expected 1: faults are planted)" >&2; exit 1; }
  python3 - "$work/report.json" "$work/expected.txt" "$database" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
expected = {}
for line in open(sys.argv[2]):
    revision, verdict, *rest = line.split()
    expected[revision] = (verdict, rest[0] if verdict == "failed" else None)
verdicts = {v["revision"]: v for v in report["revisions"]}
assert set(verdicts) == set(expected), "every revision gets a verdict"
wrong = []
for revision, (verdict, kind) in sorted(expected.items()):
    got = verdicts[revision]
    kinds = {f["kind"] for f in got["failures"]}
    if got["status"] != verdict or (kind and kind not in kinds):
        wrong.append(f"{revision}: expected {verdict} {kind or ''}, got {got['status']} {sorted(kinds)}")
summary = report["summary"]
print(f"  {sys.argv[3].split(':')[0]}: {summary['revisions']} revisions, {summary['passed']} passed, "
      f"{summary['failed']} failed, {summary['skipped']} skipped in {summary['duration_ms'] / 1000:.1f} s; "
      f"{len(wrong)} wrong verdicts")
assert not wrong, "\n".join(wrong)
PY
done
