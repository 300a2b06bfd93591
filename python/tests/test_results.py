"""Reading `mrt verify` / `mrt check` JSON into result objects."""

from __future__ import annotations

import pytest

from mrt_rollback import Failure, RevisionResult, StaticReport, VerifyReport


def test_verify_report_gives_each_revision_its_status_and_failures(verify_report):
    report = VerifyReport.from_json(verify_report, exit_code=1)
    assert [result.revision for result in report.revisions] == ["0001", "0002", "0003"]
    first, second, third = report.revisions
    assert (first.passed, first.failed, first.skipped) == (True, False, False)
    assert (second.passed, second.failed, second.skipped) == (False, True, False)
    assert (third.passed, third.failed, third.skipped) == (False, False, True)
    assert second.failures == [
        Failure(kind="data", message="3 rows lost their value", object="users.fax", codes=("MRT201",))
    ]
    assert second.path == "versions/0002_drop_fax.py"
    assert report.failed == [second]
    assert report.seed == 7
    assert report.database["backend"] == "postgresql"
    assert report.summary["failed"] == 1
    assert report.extra == {}
    verify_report["notes"] = ["the database had no rows to seed in `t`"]
    assert VerifyReport.from_json(verify_report).extra == {"notes": verify_report["notes"]}


def test_failure_summary_names_kind_object_message_and_codes(verify_report):
    second = VerifyReport.from_json(verify_report).revisions[1]
    assert second.failure_summary() == (
        "    - [data] users.fax: 3 rows lost their value (predicted by MRT201)"
    )
    third = VerifyReport.from_json(verify_report).revisions[2]
    assert third.failure_summary() == "    skipped: reviewed by A. Ng"
    assert VerifyReport.from_json(verify_report).revisions[0].failure_summary() == ""


def test_a_failure_without_object_or_codes_reads_plainly():
    failure = Failure.from_json({"kind": "downgrade", "object": None, "message": "boom", "codes": []})
    assert str(failure) == "[downgrade] boom"


def test_find_matches_exactly_then_by_unique_prefix(verify_report):
    verify_report["revisions"][0]["revision"] = "abc123"
    verify_report["revisions"][1]["revision"] = "abd456"
    report = VerifyReport.from_json(verify_report)
    assert report.find("abc123").revision == "abc123"
    assert report.find("abd").revision == "abd456"
    assert report.find("ab") is None  # two match
    assert report.find("zzz") is None


@pytest.mark.parametrize(
    "broken, message",
    [
        ({}, "missing `revisions`"),
        ({"revisions": [{"status": "passed"}]}, "missing `revision`"),
        ({"revisions": [{"revision": "a", "status": 3}]}, "`status` is int"),
        ({"revisions": [{"revision": "a", "status": "failed", "failures": [{"kind": "data"}]}]},
         "missing `message`"),
    ],
)
def test_malformed_reports_are_errors_that_say_what_is_missing(broken, message):
    with pytest.raises(ValueError, match=message):
        VerifyReport.from_json(broken)


def test_check_report_separates_errors_from_warnings(check_report):
    report = StaticReport.from_json(check_report, exit_code=1)
    assert [finding.code for finding in report.errors_found] == ["MRT201"]
    assert [finding.code for finding in report.warnings_found] == ["MRT405"]
    assert str(report.errors_found[0]) == (
        "versions/0002_drop_fax.py:9:29: [0002] MRT201 [error] drop-column: "
        "Dropping column `users.fax` deletes its data"
    )


def test_revision_result_str_names_revision_path_and_failures(verify_report):
    second = RevisionResult.from_json(verify_report["revisions"][1])
    assert str(second).splitlines()[0] == "0002: failed (versions/0002_drop_fax.py)"
