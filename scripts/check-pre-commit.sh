#!/usr/bin/env bash
# check-pre-commit.sh PYTHON REPO [HOOK]
#
# Uses this repository as a pre-commit hook repository, the way a project would: a scratch git
# repository whose .pre-commit-config.yaml names REPO at its HEAD commit and the hook HOOK
# (`mrt-check`, the `language: rust` one, unless told; `mrt-check-python` is pip's build of the wheel).
# The hook must fail on a migration that drops a column, and pass once the drop is suppressed.
# PYTHON is a virtual environment's python; pre-commit is installed into it from PyPI.
set -euo pipefail

python=${1:?usage: check-pre-commit.sh PYTHON REPO}
repo=$(cd -- "${2:?usage: check-pre-commit.sh PYTHON REPO}" && pwd)
hook=${3:-mrt-check}
rev=$(git -C "$repo" rev-parse HEAD)
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

"$python" -m pip install --quiet --disable-pip-version-check pre-commit
export PRE_COMMIT_HOME="$work/cache"

cd "$work"
mkdir project
cd project
git init --quiet
git config user.email "ci@example.invalid"
git config user.name "CI"
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: $hook
YAML
mkdir -p migrations/versions
write_migration() {
  cat > migrations/versions/0001_drop_email.py <<PY
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.drop_column("users", "email")$1


def downgrade():
    op.execute("ALTER TABLE users ADD COLUMN email text")
PY
  git add -A
}

write_migration ""
set +e
"$python" -m pre_commit run --all-files >"$work/first.log" 2>&1
first=$?
set -e
cat "$work/first.log"
if [[ $first -eq 0 ]] || ! grep -q "MRT201" "$work/first.log"; then
  echo "check-pre-commit: FAIL: the hook should fail with MRT201 on a dropped column" >&2
  exit 1
fi
echo "check-pre-commit: the hook fails on the dropped column, as it should"

write_migration "  # noqa: MRT201 reviewed: email copied to contacts first"
"$python" -m pre_commit run --all-files
echo "check-pre-commit: the hook passes once the drop is suppressed"
