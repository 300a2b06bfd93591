"""Whole-process timings for scripts/bench-verify.sh.

    bench_verify.py mrt RUNS MRT CHAIN PYTHON ISOLATION
    bench_verify.py pytest-mrt RUNS PYTHON CHAIN ADMIN_URL

Prints one line: what ran, revisions judged, median and min wall seconds, seconds per judged
revision.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ENV_PY = """
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(
    config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""

# pytest-mrt's own verifier, as its fixture runs it: check_all() over the chain.
PYTEST_MRT = """
import sys
from pytest_mrt.core.runner import MigrationRunner
from pytest_mrt.core.verifier import RollbackVerifier

runner = MigrationRunner(sys.argv[1], sys.argv[2])
results = RollbackVerifier(runner).check_all()
judged = [r for r in results if not getattr(r, "skipped", False)]
print(len(judged), sum(1 for r in judged if not r.passed))
"""


def report(what, chain, judged, times):
    median = statistics.median(times)
    per = median / judged if judged else float("nan")
    print(
        f"{what:<28} {os.path.basename(chain):<9} judged={judged:<4} "
        f"median={median:7.2f} s  min={min(times):7.2f} s  per revision={per * 1000:6.0f} ms",
        flush=True,
    )


def mrt(runs, binary, chain, python, isolation):
    times, judged = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [binary, "verify", chain, "--python", python, "--isolation", isolation, "--output-format", "json"],
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"mrt verify exited {done.returncode}: {done.stderr}")
        summary = json.loads(done.stdout)["summary"]
        judged = summary["passed"] + summary["failed"]
    report(f"mrt verify ({isolation})", chain, judged, times)


def pytest_mrt(runs, python, chain, admin_url):
    import_check = subprocess.run([python, "-c", "import psycopg2"], capture_output=True)
    if import_check.returncode != 0:
        sys.exit("psycopg2 is missing in " + python)
    times, judged = [], 0
    for run in range(runs):
        database = f"pmrt_{os.getpid()}_{run}"
        url = admin_url.replace("/postgres?", f"/{database}?")
        subprocess.run(
            [python, "-c", f"import sqlalchemy as sa; e = sa.create_engine({admin_url!r}.replace('postgresql://', 'postgresql+psycopg2://'), isolation_level='AUTOCOMMIT'); e.connect().exec_driver_sql('CREATE DATABASE {database}')"],
            check=True,
        )
        with tempfile.TemporaryDirectory() as project:
            os.makedirs(os.path.join(project, "migrations"))
            os.symlink(os.path.abspath(chain), os.path.join(project, "migrations", "versions"))
            with open(os.path.join(project, "migrations", "env.py"), "w") as handle:
                handle.write(ENV_PY)
            ini = os.path.join(project, "alembic.ini")
            with open(ini, "w") as handle:
                handle.write("[alembic]\nscript_location = %(here)s/migrations\n")
            start = time.perf_counter()
            done = subprocess.run(
                [python, "-c", PYTEST_MRT, ini, url.replace("postgresql://", "postgresql+psycopg2://")],
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - start)
        if done.returncode != 0:
            print(f"pytest-mrt stopped with an error: {done.stderr.strip().splitlines()[-1:]}")
            judged = 0
        else:
            judged = int(done.stdout.split()[0])
    report("pytest-mrt 1.9.1 check_all", chain, judged, times)


if __name__ == "__main__":
    if sys.argv[1] == "mrt":
        mrt(int(sys.argv[2]), *sys.argv[3:7])
    else:
        pytest_mrt(int(sys.argv[2]), *sys.argv[3:6])
