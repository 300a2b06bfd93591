"""The pytest plugin as a conftest meets it: pytest-mrt's configuration patterns, the `mrt_config`
fixture, and per-revision items."""

from __future__ import annotations

import json

import pytest


def test_pytest_mrt_conftest_works_after_changing_its_import(pytester, fake_mrt, verify_report):
    fake_mrt.reply("verify", verify_report, code=1)
    pytester.makeconftest(
        """
        from mrt_rollback import MRTConfig


        def pytest_configure(config):
            config._mrt_config = MRTConfig(
                alembic_ini="alembic.ini",
                db_url="sqlite:///blog_test.db",
                skip={"0003": "reviewed"},
                migration_timeout=10,
            )
        """
    )
    pytester.makepyfile(
        """
        def test_all(mrt):
            mrt.assert_all_reversible()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*not safely reversible (0002)*", "*[[]data[]] users.fax*"])
    (call,) = fake_mrt.calls
    assert call[call.index("--database-url") + 1] == "sqlite:///blog_test.db"
    assert call[call.index("--skip") + 1] == "0003"
    assert call[call.index("--timeout") + 1] == "10"


def test_an_mrt_config_fixture_configures_the_session(pytester, fake_mrt, verify_report):
    del verify_report["revisions"][1]
    fake_mrt.reply("verify", verify_report)
    pytester.makeconftest(
        """
        import pytest
        from mrt_rollback import MRTConfig


        @pytest.fixture(scope="session")
        def mrt_config():
            return MRTConfig(django_settings="shop.settings", django_apps=["orders"])
        """
    )
    pytester.makepyfile(
        """
        def test_one(mrt):
            mrt.assert_all_reversible()
            assert [r.revision for r in mrt.check_all()] == ["0001", "0003"]


        def test_two(mrt):
            assert mrt.check_revision("0003").skipped
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    (call,) = fake_mrt.calls  # one run for the whole session
    assert "--django-settings" in call and call[call.index("--apps") + 1] == "orders"


def test_per_revision_items_share_one_run_unless_k_picks_a_few(pytester, fake_mrt, verify_report):
    fake_mrt.reply("verify", verify_report, code=1)
    fake_mrt.reply("graph", {"revisions": [{"revision": r["revision"]} for r in verify_report["revisions"]]})
    pytester.makepyfile(
        """
        import pytest
        import mrt_rollback


        @pytest.mark.parametrize("revision", mrt_rollback.revisions())
        def test_revision(mrt, revision):
            mrt.assert_reversible(revision)
        """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_revision?0002? FAILED*"])
    verify_calls = [call for call in fake_mrt.calls if call[0] == "verify"]
    assert len(verify_calls) == 1 and "--revision" not in verify_calls[0]

    fake_mrt.log.unlink()
    single = dict(verify_report, revisions=[verify_report["revisions"][0]])
    fake_mrt.reply("verify", single)
    result = pytester.runpytest("-k", "0001")
    result.assert_outcomes(passed=1, deselected=2)
    verify_calls = [call for call in fake_mrt.calls if call[0] == "verify"]
    assert verify_calls == [[*verify_calls[0][:-2], "--revision", "0001"]]


def test_unsupported_pytest_mrt_fields_warn(pytester, fake_mrt, verify_report):
    fake_mrt.reply("verify", json.dumps(verify_report), code=1)
    pytester.makeconftest(
        """
        from mrt_rollback import MRTConfig


        def pytest_configure(config):
            config._mrt_config = MRTConfig(custom_seeds={"users": lambda: [{"id": 1}]})
        """
    )
    pytester.makepyfile(
        """
        def test_results(mrt):
            assert len(mrt.check_all()) == 3
        """
    )
    result = pytester.runpytest("-W", "default")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*MRTConfig.custom_seeds*not supported*"])
