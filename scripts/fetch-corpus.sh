#!/usr/bin/env bash
# fetch-corpus.sh DEST [--django]
#
# With --django: the wheels of django and wagtail instead, and the unpacked package roots are
# printed (their apps' migrations/ packages are found by mrt itself).
#
# Downloads real-world Alembic migration corpora (the wheels of
# apache-airflow-core and mlflow, from the Python package index via pip),
# unpacks them under DEST/unpacked/<wheel-name>/ and prints every Alembic
# `versions/` directory found, one absolute path per line, on stdout.
# Everything else goes to stderr, so callers can do:
#
#   mapfile -t dirs < <(scripts/fetch-corpus.sh /tmp/corpus)
#
# Needs only python3 with pip (no `unzip` binary).
set -euo pipefail

PACKAGES=(apache-airflow-core mlflow)
DJANGO=0
if [[ "${2:-}" == "--django" ]]; then
  PACKAGES=(django==5.2.19 wagtail==8.0.1)
  DJANGO=1
fi

die() { printf 'fetch-corpus: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'fetch-corpus: %s\n' "$*" >&2; }

if [[ $# -lt 1 || $# -gt 2 || -z "${1:-}" || "$1" == -h || "$1" == --help ]]; then
  printf 'usage: %s DEST\n' "${0##*/}" >&2
  printf '  download %s wheels into DEST/wheels, unpack them into DEST/unpacked,\n' "${PACKAGES[*]}" >&2
  printf '  and print every Alembic versions/ directory found (one per line).\n' >&2
  exit 2
fi

command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH"
python3 -m pip --version >/dev/null 2>&1 \
  || die "python3 -m pip is not available (install pip, e.g. 'apt-get install python3-pip')"

mkdir -p -- "$1" || die "cannot create destination directory '$1'"
DEST=$(cd -- "$1" && pwd) || die "cannot enter destination directory '$1'"
WHEELS="$DEST/wheels"
UNPACKED="$DEST/unpacked"
mkdir -p -- "$WHEELS" "$UNPACKED"

log "downloading ${PACKAGES[*]} into $WHEELS"
if ! python3 -m pip download --quiet --disable-pip-version-check \
      --no-deps --only-binary=:all: -d "$WHEELS" "${PACKAGES[@]}" >&2; then
  die "pip download failed for: ${PACKAGES[*]} (is the package index reachable?)"
fi

shopt -s nullglob
wheels=("$WHEELS"/*.whl)
shopt -u nullglob
((${#wheels[@]} > 0)) || die "no .whl files found in $WHEELS after download"

for whl in "${wheels[@]}"; do
  name=$(basename -- "$whl" .whl)
  out="$UNPACKED/$name"
  if [[ -f "$out/.fetch-corpus-complete" ]]; then
    log "already unpacked: $name"
    continue
  fi
  log "unpacking $name"
  rm -rf -- "$out"
  mkdir -p -- "$out"
  python3 -m zipfile -e "$whl" "$out" >&2 || die "failed to unpack $whl"
  : >"$out/.fetch-corpus-complete"
done

if [[ $DJANGO -eq 1 ]]; then
  for whl in "${wheels[@]}"; do
    printf '%s\n' "$UNPACKED/$(basename -- "$whl" .whl)"
  done
  exit 0
fi

log "scanning $UNPACKED for Alembic versions/ directories"
# A versions/ directory qualifies if at least one .py file in it assigns a
# module-level `revision` (plain or annotated assignment). Files are parsed
# with `ast`, never imported; a regex is the fallback for unparsable files.
found=$(python3 - "$UNPACKED" <<'PY'
import ast, os, re, sys

root = sys.argv[1]
fallback = re.compile(r"^revision\s*(:[^=]*)?=", re.M)

def defines_revision(path):
    try:
        with open(path, "rb") as fh:
            src = fh.read()
    except OSError:
        return False
    try:
        tree = ast.parse(src, filename=path)
    except (SyntaxError, ValueError):
        return bool(fallback.search(src.decode("utf-8", "replace")))
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for t in targets:
            if isinstance(t, ast.Name) and t.id == "revision":
                return True
    return False

out = []
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    if os.path.basename(dirpath) != "versions":
        continue
    if any(f.endswith(".py") and defines_revision(os.path.join(dirpath, f))
           for f in sorted(filenames)):
        out.append(dirpath)
print("\n".join(sorted(out)))
PY
) || die "scanning $UNPACKED failed"

[[ -n "$found" ]] || die "no Alembic versions/ directories found under $UNPACKED"
log "found $(printf '%s\n' "$found" | wc -l) versions/ director(y/ies)"
printf '%s\n' "$found"
