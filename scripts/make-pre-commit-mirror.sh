#!/usr/bin/env bash
# make-pre-commit-mirror.sh VERSION DIR
#
# Writes the pre-commit mirror repository (pre-commit-mirror/) for mrt-rollback VERSION into DIR
# (a git repository, created if absent), commits and tags it `vVERSION`. Publish the wheel of that
# version first: the mirror's only content is a pinned dependency on it.
set -euo pipefail

version=${1:?usage: make-pre-commit-mirror.sh VERSION DIR}
dir=${2:?usage: make-pre-commit-mirror.sh VERSION DIR}
root=$(cd -- "$(dirname -- "$0")/.." && pwd)
[[ $version =~ ^[0-9]+(\.[0-9]+)*([a-z]+[0-9]+)?$ ]] || { echo "not a version: $version" >&2; exit 2; }

mkdir -p "$dir"
[[ -d "$dir/.git" ]] || git -C "$dir" init --quiet
sed "s/@VERSION@/$version/g" "$root/pre-commit-mirror/pyproject.toml" > "$dir/pyproject.toml"
cp "$root/pre-commit-mirror/.pre-commit-hooks.yaml" "$dir/.pre-commit-hooks.yaml"
sed "s/@VERSION@/$version/g" "$root/pre-commit-mirror/README.md" > "$dir/README.md"
git -C "$dir" add pyproject.toml .pre-commit-hooks.yaml README.md
if ! git -C "$dir" diff --cached --quiet; then
  git -C "$dir" commit --quiet -m "mrt-rollback $version"
fi
git -C "$dir" tag -f "v$version" >/dev/null
echo "$dir: mrt-rollback $version, tagged v$version"
