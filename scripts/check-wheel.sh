#!/usr/bin/env bash
# check-wheel.sh PYTHON
#
# The Python path as a user takes it, without Rust on their side: builds the mrt-rollback wheel with
# maturin (into a scratch virtual environment; the Rust build reuses CARGO_TARGET_DIR, default
# target/), installs it into a fresh virtual environment with only alembic, sqlalchemy, pytest and
# psycopg2-binary beside it, runs `mrt --version` and `python -m mrt_rollback --version`, the unit
# tests of the Python layer (python/tests), then in a generated Alembic project and a generated
# Django project: `mrt init`, and `pytest` with the fixture. In each project one revision drops a
# nullable column (its downgrade re-adds it, empty): `assert_all_reversible()` must fail naming that
# revision, and `check_all()` must judge every revision.
#
# The steps that need `mrt verify` (and `mrt migrate` / `mrt db`) run when `mrt verify --help`
# succeeds; otherwise they are skipped with a loud message and only the static parts are checked.
# PYTHON is a Python 3 interpreter with the venv module; pip reaches the package index.
set -euo pipefail

python=${1:?usage: check-wheel.sh PYTHON}
root=$(cd -- "$(dirname -- "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
pip_install() { "$1" -m pip install --quiet --disable-pip-version-check "${@:2}"; }
fail() { echo "check-wheel: FAIL: $*" >&2; exit 1; }

echo "== check-wheel: build the wheel with maturin"
"$python" -m venv "$work/build"
pip_install "$work/build/bin/python" "maturin>=1.5,<2"
(cd "$root" && "$work/build/bin/maturin" build --release --locked --out "$work/dist")
wheel=$(ls "$work"/dist/mrt_rollback-*.whl)
echo "  built $(basename -- "$wheel")"

echo "== check-wheel: a fresh environment with the wheel, alembic, sqlalchemy, pytest, psycopg2-binary"
"$python" -m venv "$work/venv"
venv="$work/venv/bin"
pip_install "$venv/python" "$wheel" alembic sqlalchemy pytest psycopg2-binary
[[ -x "$venv/mrt" ]] || fail "the wheel put no mrt binary into $venv"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
[[ "$("$venv/mrt" --version)" == "mrt $version" ]] || fail "mrt --version: $("$venv/mrt" --version)"
[[ "$("$venv/python" -m mrt_rollback --version)" == "mrt $version" ]] || fail "python -m mrt_rollback --version"
echo "  mrt --version and python -m mrt_rollback --version: mrt $version"
# No Rust toolchain is needed from here on: the environment's mrt is the wheel's.
# (PostgreSQL's binaries, for the embedded database, are in /usr/local/bin; as root, mrt verify starts
# the server through runuser, in /usr/sbin.)
export PATH="$venv:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
command -v cargo >/dev/null && fail "cargo is still on PATH: $(command -v cargo)"

echo "== check-wheel: unit tests of the Python layer (python/tests)"
(cd "$root/python/tests" && "$venv/python" -m pytest -q -p no:cacheprovider .)

echo "== check-wheel: pre-commit without Rust: a mirror repository (pre-commit-mirror/) installs the wheel"
pip_install "$venv/python" pre-commit
export GIT_AUTHOR_NAME=CI GIT_AUTHOR_EMAIL=ci@example.invalid GIT_COMMITTER_NAME=CI GIT_COMMITTER_EMAIL=ci@example.invalid
"$root/scripts/make-pre-commit-mirror.sh" "$version" "$work/mirror"
mkdir -p "$work/hook-project/migrations/versions"
(
  cd "$work/hook-project"
  git init --quiet
  cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $work/mirror
    rev: v$version
    hooks:
      - id: mrt-check
YAML
  cat > migrations/versions/0001_drop_email.py <<'PY'
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.drop_column("users", "email")


def downgrade():
    op.execute("ALTER TABLE users ADD COLUMN email text")
PY
  git add -A
  # The wheel is not on the package index yet: pip finds it in the build's output directory.
  set +e
  PIP_FIND_LINKS="$work/dist" PRE_COMMIT_HOME="$work/pre-commit-home" "$venv/python" -m pre_commit run --all-files >"$work/hook.log" 2>&1
  code=$?
  set -e
  cat "$work/hook.log"
  [[ $code -ne 0 ]] && grep -q MRT201 "$work/hook.log" || fail "the mirror's hook should fail with MRT201"
)
echo "  the mirror's hook installed the wheel (no cargo on PATH) and failed on the dropped column"

loud() {
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  printf '!! check-wheel: %s\n' "$@"
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
}
have_verify=0 have_migrate=0 have_django_verify=0
if "$venv/mrt" verify --help >"$work/verify-help.txt" 2>&1; then
  have_verify=1
  # Django's side of mrt verify is a later step of it: its flag says when it is there.
  if grep -q -- "--django-settings" "$work/verify-help.txt"; then have_django_verify=1; fi
else
  loud "SKIPPING the rollback runs: this mrt has no \`mrt verify\` (mrt verify --help failed)." \
    "Only mrt init, the static check and the per-revision collection are checked."
fi
if "$venv/mrt" migrate --help >/dev/null 2>&1 && "$venv/mrt" db --help >/dev/null 2>&1; then
  have_migrate=1
else
  loud "SKIPPING the fixture's upgrade/downgrade/current_revision: this mrt has no \`mrt migrate\` / \`mrt db\`."
fi

# outcomes JUNIT_XML TEST=OUTCOME...: each named test has that outcome (passed / failed / skipped).
outcomes() {
  "$venv/python" - "$@" <<'PY'
import sys
import xml.etree.ElementTree as ET

report, expected = sys.argv[1], dict(arg.split("=", 1) for arg in sys.argv[2:])
seen = {}
for case in ET.parse(report).iter("testcase"):
    failed = case.find("failure") is not None or case.find("error") is not None
    skipped = case.find("skipped") is not None
    seen[case.get("name")] = "failed" if failed else "skipped" if skipped else "passed"
print("  outcomes:", ", ".join(f"{name}={outcome}" for name, outcome in sorted(seen.items())))
wrong = {name: seen.get(name, "missing") for name, outcome in expected.items() if seen.get(name) != outcome}
if wrong:
    sys.exit(f"check-wheel: FAIL: expected {expected}, got {wrong}")
PY
}

# run_pytest NAME ARGS...: pytest in the current project; a failing test is expected, not an error.
run_pytest() {
  local name=$1
  shift
  set +e
  "$venv/python" -m pytest -p no:cacheprovider -rA --junitxml="$work/$name.xml" "$@" >"$work/$name.log" 2>&1
  local code=$?
  set -e
  cat "$work/$name.log"
  [[ $code -eq 0 || $code -eq 1 ]] || fail "pytest exited $code ($name)"
}

# The expectations of each project, in the fixture's own terms.
write_expectations() {
  local failing=$1 all=$2
  cat > tests/test_expectations.py <<PY
import pytest

from mrt_rollback import RollbackFailure

FAILING = "$failing"
ALL = "$all".split()


def test_assert_all_reversible_names_the_dropped_column_revision(mrt):
    with pytest.raises(RollbackFailure) as info:
        mrt.assert_all_reversible()
    message = str(info.value)
    print(message)
    assert FAILING in message
    assert [name for name in ALL if name != FAILING and f"revision {name} " in message] == []


def test_check_all_judges_every_revision(mrt):
    results = {result.revision: result for result in mrt.check_all()}
    assert sorted(results) == sorted(ALL)
    assert results[FAILING].failed and results[FAILING].failures
    print(results[FAILING].failure_summary())
    assert [name for name in ALL if name != FAILING and not results[name].passed] == []


@pytest.mark.skipif(not $have_migrate, reason="this mrt has no mrt migrate / mrt db")
def test_upgrade_downgrade_and_current_revision(mrt):
    mrt.upgrade("heads")
    assert mrt.current_revision() == ALL[-1]
    mrt.downgrade("base")
    assert mrt.current_revision() is None
PY
}

echo "== check-wheel: an Alembic project"
mkdir "$work/alembic-project"
cd "$work/alembic-project"
"$venv/alembic" init --template generic migrations >/dev/null
write_revision() {
  cat > "migrations/versions/$1.py"
}
write_revision 0001_create_users <<'PY'
"""create users"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("fax", sa.String(50), nullable=True),
    )


def downgrade():
    op.drop_table("users")
PY
write_revision 0002_drop_fax <<'PY'
"""drop users.fax: the downgrade re-adds the column, empty"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("users", "fax")


def downgrade():
    op.add_column("users", sa.Column("fax", sa.String(50), nullable=True))
PY
write_revision 0003_add_bio <<'PY'
"""add users.bio"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("bio", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("users", "bio")
PY
mrt init | tee "$work/init.log"
grep -q "Alembic (alembic.ini)" "$work/init.log" || fail "mrt init did not detect Alembic"
[[ -f pyproject.toml && -f tests/test_migrations.py ]] || fail "mrt init did not write its files"
mrt init | grep -q "tests/test_migrations.py: left alone" || fail "a second mrt init should leave the test file alone"

if [[ $have_verify -eq 1 ]]; then
  write_expectations 0002 "0001 0002 0003"
  run_pytest alembic
  outcomes "$work/alembic.xml" \
    "test_revision_rolls_back[0001]=passed" "test_revision_rolls_back[0002]=failed" \
    "test_revision_rolls_back[0003]=passed" "test_no_static_errors=failed" \
    test_assert_all_reversible_names_the_dropped_column_revision=passed \
    test_check_all_judges_every_revision=passed \
    "test_upgrade_downgrade_and_current_revision=$([[ $have_migrate -eq 1 ]] && echo passed || echo skipped)"
  grep -q "Migration 0002 is not safely reversible" "$work/alembic.log" || fail "no failure message naming 0002"
else
  run_pytest alembic-static tests/test_migrations.py -k no_static_errors
  grep -q "MRT201" "$work/alembic-static.log" || fail "the static test should name MRT201"
  outcomes "$work/alembic-static.xml" test_no_static_errors=failed
  "$venv/python" -m pytest -p no:cacheprovider --collect-only -q tests/test_migrations.py | tee "$work/collect.log"
  for revision in 0001 0002 0003; do
    grep -q "test_revision_rolls_back\[$revision\]" "$work/collect.log" || fail "no test item for revision $revision"
  done
fi

echo "== check-wheel: a Django project"
pip_install "$venv/python" django
mkdir -p "$work/django-project"
cd "$work/django-project"
"$venv/django-admin" startproject shop . >/dev/null
mkdir -p orders/migrations
touch orders/__init__.py orders/migrations/__init__.py
cat > orders/apps.py <<'PY'
from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"
PY
cat > orders/models.py <<'PY'
from django.db import models


class Customer(models.Model):
    email = models.CharField(max_length=200)
    bio = models.TextField(null=True)
PY
# Only the app under test: Django's own apps would add their migrations to every run.
"$venv/python" - <<'PY'
import re
from pathlib import Path

settings = Path("shop/settings.py")
text = settings.read_text()
text = re.sub(r"INSTALLED_APPS = \[.*?\]", 'INSTALLED_APPS = ["orders"]', text, flags=re.S)
settings.write_text(text)
Path("shop/urls.py").write_text("urlpatterns = []\n")
PY
cat > orders/migrations/0001_initial.py <<'PY'
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Customer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.CharField(max_length=200)),
                ("fax", models.CharField(max_length=50, null=True)),
            ],
        ),
    ]
PY
cat > orders/migrations/0002_remove_customer_fax.py <<'PY'
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    # Reversed, Django adds the column back (nullable, empty): the faxes are gone.
    operations = [migrations.RemoveField(model_name="customer", name="fax")]
PY
cat > orders/migrations/0003_customer_bio.py <<'PY'
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_remove_customer_fax")]

    operations = [migrations.AddField(model_name="customer", name="bio", field=models.TextField(null=True))]
PY
"$venv/python" manage.py makemigrations --check --dry-run orders >/dev/null || fail "the Django models and migrations disagree"
mrt init | tee "$work/init-django.log"
grep -q "Django (manage.py)" "$work/init-django.log" || fail "mrt init did not detect Django"
grep -q 'django-settings = "shop.settings"' pyproject.toml || fail "mrt init did not name shop.settings"
mapfile -t django_revisions < <("$venv/python" -c 'import mrt_rollback; print("\n".join(mrt_rollback.revisions()))')
echo "  revisions: ${django_revisions[*]}"
[[ ${#django_revisions[@]} -eq 3 ]] || fail "expected three Django revisions"
dropped=${django_revisions[1]}
[[ $dropped == *0002_remove_customer_fax ]] || fail "the second revision should be 0002_remove_customer_fax, not $dropped"

if [[ $have_django_verify -eq 1 ]]; then
  write_expectations "$dropped" "${django_revisions[*]}"
  cat > tests/conftest.py <<'PY'
import pytest

from mrt_rollback import MRTConfig


@pytest.fixture(scope="session")
def mrt_config():
    return MRTConfig(django_settings="shop.settings")
PY
  run_pytest django
  outcomes "$work/django.xml" \
    "test_revision_rolls_back[${django_revisions[0]}]=passed" "test_revision_rolls_back[$dropped]=failed" \
    "test_revision_rolls_back[${django_revisions[2]}]=passed" \
    test_assert_all_reversible_names_the_dropped_column_revision=passed \
    test_check_all_judges_every_revision=passed \
    "test_upgrade_downgrade_and_current_revision=$([[ $have_migrate -eq 1 ]] && echo passed || echo skipped)"
else
  if [[ $have_verify -eq 1 ]]; then
    loud "SKIPPING the Django rollback runs: this mrt verify has no --django-settings (Alembic only)."
  fi
  run_pytest django-static tests/test_migrations.py -k no_static_errors
  grep -q "MRT201\|MRT209" "$work/django-static.log" || fail "the static test should name the dropped column"
  outcomes "$work/django-static.xml" test_no_static_errors=failed
fi

if [[ $have_verify -eq 1 && $have_django_verify -eq 1 && $have_migrate -eq 1 ]]; then
  echo "check-wheel: OK (wheel, mrt init, the fixture's rollback runs on Alembic and Django)"
else
  echo "check-wheel: OK, BUT PARTS WERE SKIPPED: rollback runs (verify=$have_verify, Django verify=$have_django_verify, migrate/db=$have_migrate)"
fi
