"""The fixture's object against a stand-in binary: the command lines it builds, the JSON it reads,
and the assertion messages it raises."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mrt_rollback
from mrt_rollback import MRTConfig, Mrt, MrtError, RollbackFailure, StaticCheckFailure


def test_check_all_runs_verify_once_and_reads_every_revision(fake_mrt, verify_report, tmp_path):
    fake_mrt.reply("verify", verify_report, code=1)
    runner = Mrt(cwd=tmp_path)
    results = runner.check_all()
    assert [(r.revision, r.status) for r in results] == [
        ("0001", "passed"), ("0002", "failed"), ("0003", "skipped")
    ]
    runner.check_all()
    runner.check_revision("0002")
    assert fake_mrt.calls == [["verify", "--output-format", "json", "--python", sys.executable]]


def test_assert_all_reversible_names_the_failing_revision_and_how(fake_mrt, verify_report, tmp_path):
    fake_mrt.reply("verify", verify_report, code=1)
    with pytest.raises(RollbackFailure) as info:
        Mrt(cwd=tmp_path).assert_all_reversible()
    message = str(info.value)
    assert "1 of 3 migrations are not safely reversible (0002)" in message
    assert "revision 0002 (versions/0002_drop_fax.py)" in message
    assert "[data] users.fax: 3 rows lost their value (predicted by MRT201)" in message
    assert "0001" not in message and "0003" not in message
    assert isinstance(info.value, AssertionError)


def test_assert_all_reversible_passes_when_nothing_failed(fake_mrt, verify_report, tmp_path):
    del verify_report["revisions"][1]
    fake_mrt.reply("verify", verify_report)
    Mrt(cwd=tmp_path).assert_all_reversible()


def test_check_revision_asks_for_that_revision_only(fake_mrt, verify_report, tmp_path):
    verify_report["revisions"] = [verify_report["revisions"][1]]
    fake_mrt.reply("verify", verify_report, code=1)
    config = MRTConfig(db_url="sqlite:///x.db", skip=["0003"], minimum_downgrade_revision="0001")
    runner = Mrt(config, cwd=tmp_path)
    with pytest.raises(RollbackFailure, match=r"Migration 0002 is not safely reversible"):
        runner.assert_reversible("0002")
    assert fake_mrt.calls == [[
        "verify", "--output-format", "json", "--database-url", "sqlite:///x.db",
        "--min-revision", "0001", "--skip", "0003", "--python", sys.executable,
        "--revision", "0002",
    ]]


def test_a_full_run_serves_per_revision_items_when_preferred(fake_mrt, verify_report, tmp_path):
    fake_mrt.reply("verify", verify_report, code=1)
    runner = Mrt(cwd=tmp_path)
    runner.prefer_full_run = True
    assert runner.check_revision("0001").passed
    assert runner.check_revision("0002").failed
    assert len(fake_mrt.calls) == 1 and "--revision" not in fake_mrt.calls[0]


def test_exit_2_is_an_error_with_the_binary_s_reason(fake_mrt, tmp_path):
    fake_mrt.reply("verify", "", code=2, stderr="mrt: error: no migrations found under .")
    with pytest.raises(MrtError, match="no migrations found under"):
        Mrt(cwd=tmp_path).check_all()


def test_output_that_is_not_json_is_an_error(fake_mrt, tmp_path):
    fake_mrt.reply("verify", "Traceback (most recent call last)", code=1)
    with pytest.raises(MrtError, match="printed no JSON report"):
        Mrt(cwd=tmp_path).check_all()


def test_interpreter_and_database_from_pyproject_are_not_overridden(fake_mrt, verify_report, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mrt.verify]\npython = "/opt/py"\ndatabase-url = "postgresql://u@h/db"\n'
    )
    fake_mrt.reply("verify", verify_report, code=1)
    fake_mrt.reply("migrate upgrade", "")
    runner = Mrt(cwd=tmp_path)
    runner.check_all()
    runner.upgrade()
    assert fake_mrt.calls == [
        ["verify", "--output-format", "json"],
        ["migrate", "upgrade", "heads"],
    ]
    assert runner.database_url == "postgresql://u@h/db"


def test_migrations_run_on_one_embedded_database_stopped_at_close(fake_mrt, tmp_path):
    fake_mrt.reply("db start", {"url": "postgresql://mrt@/scratch?host=/tmp/s", "dir": "/tmp/s", "backend": "postgresql"})
    fake_mrt.reply("db stop", "")
    fake_mrt.reply("migrate upgrade", "")
    fake_mrt.reply("migrate downgrade", "")
    fake_mrt.reply("migrate current", {"heads": ["0002"]})
    config = MRTConfig(alembic_ini=str(tmp_path / "proj" / "alembic.ini"), django_settings="s.settings")
    runner = Mrt(config, cwd=tmp_path)
    runner.upgrade("0002")
    runner.downgrade("base")
    assert runner.current_revision() == "0002"
    runner.close()
    runner.close()  # the second close has nothing left to stop
    url = ["--database-url", "postgresql://mrt@/scratch?host=/tmp/s"]
    rest = ["--django-settings", "s.settings", "--python", sys.executable]
    project = str(tmp_path / "proj")
    assert fake_mrt.calls == [
        ["db", "start", "--output-format", "json"],
        ["migrate", "upgrade", "0002", project, *url, *rest],
        ["migrate", "downgrade", "base", project, *url, *rest],
        ["migrate", "current", "--output-format", "json", project, *url, *rest],
        ["db", "stop", "/tmp/s"],
    ]


def test_a_configured_database_is_used_as_is(fake_mrt, tmp_path):
    fake_mrt.reply("migrate current", {"heads": []})
    runner = Mrt(MRTConfig(db_url="sqlite:///t.db"), cwd=tmp_path)
    assert runner.current_revision() is None
    runner.close()
    assert [call[:2] for call in fake_mrt.calls] == [["migrate", "current"]]


def test_several_heads_need_current_heads(fake_mrt, tmp_path):
    fake_mrt.reply("migrate current", {"heads": ["a", "b"]})
    runner = Mrt(MRTConfig(db_url="sqlite:///t.db"), cwd=tmp_path)
    assert runner.current_heads() == ["a", "b"]
    with pytest.raises(MrtError, match="several heads"):
        runner.current_revision()


def test_a_failing_migration_command_raises_with_its_message(fake_mrt, tmp_path):
    fake_mrt.reply("migrate upgrade", "", code=1, stderr="mrt: 0002 upgrade failed: no such table")
    with pytest.raises(MrtError, match="no such table"):
        Mrt(MRTConfig(db_url="sqlite:///t.db"), cwd=tmp_path).upgrade()


def test_static_errors_fail_and_warnings_only_when_strict(fake_mrt, check_report, tmp_path):
    fake_mrt.reply("check", check_report, code=1)
    runner = Mrt(MRTConfig(minimum_downgrade_revision="0001"), cwd=tmp_path)
    assert [finding.code for finding in runner.check_static()] == ["MRT201", "MRT405"]
    with pytest.raises(StaticCheckFailure) as info:
        runner.assert_no_static_errors()
    assert "MRT201" in str(info.value) and "MRT405" not in str(info.value)
    with pytest.raises(StaticCheckFailure) as info:
        runner.assert_no_static_errors(strict=True)
    assert "MRT405" in str(info.value)
    assert fake_mrt.calls[0] == ["check", "--output-format", "json", "--since", "0001"]
    assert fake_mrt.calls[-1][-1] == "--strict"


def test_static_exit_0_passes(fake_mrt, check_report, tmp_path):
    check_report["findings"] = check_report["findings"][1:]
    fake_mrt.reply("check", check_report, code=0)
    Mrt(cwd=tmp_path).assert_no_static_errors()


def test_static_exit_2_names_the_unreadable_path(fake_mrt, check_report, tmp_path):
    check_report["errors"] = [{"path": "versions", "message": "versions: permission denied"}]
    fake_mrt.reply("check", check_report, code=2)
    with pytest.raises(MrtError, match="permission denied"):
        Mrt(cwd=tmp_path).check_static()


def test_revisions_come_from_the_graph_in_its_order(fake_mrt):
    fake_mrt.reply("graph", {"revisions": [{"revision": "b"}, {"revision": "a"}], "heads": ["a"], "bases": ["b"]})
    assert mrt_rollback.revisions(["migrations"]) == ["b", "a"]
    assert fake_mrt.calls == [["graph", "migrations", "--format", "json"]]


def test_mrt_binary_must_be_executable(monkeypatch, tmp_path):
    monkeypatch.setenv("MRT_BINARY", str(tmp_path / "nothing"))
    with pytest.raises(MrtError, match="MRT_BINARY=.*not an executable file"):
        mrt_rollback.find_mrt_bin()


def test_python_m_runs_the_binary_with_its_arguments_and_exit_code(fake_mrt):
    fake_mrt.reply("rules", "MRT201 drop-column\n", code=1)
    done = subprocess.run(
        [sys.executable, "-m", "mrt_rollback", "rules", "--output-format", "text"],
        capture_output=True, text=True, check=False,
    )
    assert (done.returncode, done.stdout) == (1, "MRT201 drop-column\n")
    assert fake_mrt.calls == [["rules", "--output-format", "text"]]


def test_python_m_without_a_binary_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("MRT_BINARY", str(tmp_path / "missing"))
    done = subprocess.run([sys.executable, "-m", "mrt_rollback", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "mrt-rollback: error: MRT_BINARY=" in done.stderr


def test_assert_reversible_of_head_judges_each_head(fake_mrt, verify_report, tmp_path):
    fake_mrt.reply("graph", {"revisions": [], "heads": ["0002"], "bases": ["0001"]})
    fake_mrt.reply("verify", verify_report, code=1)
    runner = Mrt(cwd=tmp_path)
    runner.prefer_full_run = True
    with pytest.raises(RollbackFailure, match="Migration 0002 is not safely reversible"):
        runner.assert_reversible()
    assert fake_mrt.calls[0] == ["graph", "--format", "json"]


def test_apps_run_a_verify_of_their_own(fake_mrt, verify_report, tmp_path):
    fake_mrt.reply("verify", verify_report, code=1)
    runner = Mrt(MRTConfig(django_apps=["users"]), cwd=tmp_path)
    runner.check_all()
    runner.check_all(apps=["orders", "billing"])
    first, second = fake_mrt.calls
    assert first[first.index("--apps") + 1] == "users"
    assert second[second.index("--apps") + 1] == "orders,billing"
    assert second.count("--apps") == 1


def test_errors_are_named_where_users_import_them():
    assert MrtError.__module__ == RollbackFailure.__module__ == "mrt_rollback"


SLOW_TO_STOP = '''#!{python}
import os, pathlib, signal, sys, time
here = pathlib.Path(os.environ["STOPPING_MRT_DIR"])

def stop(signum, frame):
    time.sleep(1)  # longer than subprocess.run waits before it kills
    (here / "cleaned-up").write_text(signal.Signals(signum).name)
    sys.exit(2)

signal.signal(signal.SIGTERM, stop)
(here / "ready").write_text("")
time.sleep(60)
'''


def test_ctrl_c_lets_mrt_stop_what_it_started_before_it_goes_on(monkeypatch, tmp_path):
    import os
    import signal
    import threading
    import time

    from mrt_rollback import _binary

    binary = tmp_path / "stopping-mrt"
    binary.write_text(SLOW_TO_STOP.format(python=sys.executable))
    binary.chmod(0o755)
    monkeypatch.setenv("MRT_BINARY", str(binary))
    monkeypatch.setenv("STOPPING_MRT_DIR", str(tmp_path))

    def interrupt_when_ready():
        while not (tmp_path / "ready").exists():
            time.sleep(0.01)
        # A real SIGINT (as Ctrl-C sends): it interrupts the wait, where interrupt_main() would not.
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_when_ready, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        _binary.run(["verify"])
    assert (tmp_path / "cleaned-up").read_text() == "SIGTERM"
