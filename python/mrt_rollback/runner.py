"""`Mrt`: runs the `mrt` binary for the pytest fixture (and for anyone else who wants it in Python).

The binary does the work (the walk, the seeding, the comparison, the static rules); this class only
builds its command lines from an `MRTConfig`, reads its JSON, and turns failures into assertion
errors that name the revisions.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

from ._binary import MrtError, run
from .config import MRTConfig
from .results import Finding, RevisionResult, StaticReport, VerifyReport

__all__ = ["Mrt", "RollbackFailure", "StaticCheckFailure"]


class RollbackFailure(AssertionError):
    """A revision's rollback failed; the message names each failing revision and how it failed."""


class StaticCheckFailure(AssertionError):
    """`mrt check` found findings that fail the check."""


def _read_verify_settings(directory: Path) -> dict[str, Any]:
    """`[tool.mrt.verify]` of `directory/pyproject.toml`, read only to know whether the binary will
    find a database URL and an interpreter there (so that the fixture does not override them)."""
    try:
        import tomllib  # type: ignore[import-not-found]
    except ImportError:  # Python < 3.11
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return {}
    path = directory / "pyproject.toml"
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, ValueError):
        # An unreadable or invalid file is the binary's to report, with its path.
        return {}
    verify = data.get("tool", {}).get("mrt", {}).get("verify", {})
    return verify if isinstance(verify, dict) else {}


def _parse_json(output: str, command: str, stderr: str) -> Any:
    try:
        return json.loads(output)
    except ValueError as error:
        detail = stderr.strip() or output.strip()[:500]
        raise MrtError(f"`mrt {command}` printed no JSON report ({error}): {detail}") from error


class Mrt:
    """The `mrt` fixture: one per pytest session (per xdist worker).

    `check_all()` runs `mrt verify` once and keeps the report for the session; `check_revision(rev)`
    runs `mrt verify --revision REV` unless that report is there (or the session selected most
    revisions, when one run of all of them is cheaper than one process each).
    """

    def __init__(
        self,
        config: Optional[MRTConfig] = None,
        cwd: Optional[os.PathLike[str] | str] = None,
        search: Sequence[Path] = (),
    ) -> None:
        self.config = config if config is not None else MRTConfig()
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        project = self.config.project_path(*search, self.cwd)
        self._paths = [str(project)] if project is not None else []
        self._static_cwd = project if project is not None else self.cwd
        self._settings = _read_verify_settings(self.cwd)
        self._report: Optional[VerifyReport] = None
        self._database: Optional[dict[str, str]] = None
        self.prefer_full_run = False
        self.last_static_report: Optional[StaticReport] = None

    # -- command lines -------------------------------------------------------------------------

    def _python_flags(self) -> list[str]:
        # The interpreter that runs pytest is the one with the project's Alembic or Django installed;
        # the binary is told so unless the conftest or pyproject.toml names another.
        if self.config.python or "python" in self._settings:
            return []
        return ["--python", sys.executable]

    def verify_args(
        self, revision: Optional[str] = None, apps: Optional[Sequence[str]] = None
    ) -> list[str]:
        config = self.config if apps is None else dataclasses.replace(self.config, django_apps=apps)
        args = ["verify", *self._paths, "--output-format", "json"]
        args += config.verify_flags() + self._python_flags()
        if revision is not None:
            args += ["--revision", revision]
        return args

    def _run(self, args: list[str], cwd: Optional[Path] = None) -> Any:
        return run(args, cwd=cwd or self.cwd)

    # -- mrt verify ----------------------------------------------------------------------------

    def verify(
        self, revision: Optional[str] = None, apps: Optional[Sequence[str]] = None
    ) -> VerifyReport:
        """Runs `mrt verify` (of one revision, or all; of these Django apps) and returns its report."""
        args = self.verify_args(revision, apps)
        done = self._run(args)
        if done.returncode not in (0, 1):
            raise MrtError(
                f"`mrt {' '.join(args)}` could not run (exit {done.returncode}): "
                f"{done.stderr.strip() or done.stdout.strip()}"
            )
        data = _parse_json(done.stdout, "verify", done.stderr)
        try:
            return VerifyReport.from_json(data, exit_code=done.returncode)
        except ValueError as error:
            raise MrtError(f"`mrt verify` printed an unexpected report: {error}") from error

    def check_all(
        self, apps: Optional[Sequence[str]] = None, refresh: bool = False
    ) -> list[RevisionResult]:
        """Every revision's result (one `mrt verify` run per session unless `refresh`); `apps`
        (Django) judges only those apps' migrations, in a run of its own."""
        if apps is not None:
            return list(self.verify(apps=apps).revisions)
        if self._report is None or refresh:
            self._report = self.verify()
        return list(self._report.revisions)

    def check_revision(self, revision: str) -> RevisionResult:
        """The result of one revision (an id or a unique prefix of one)."""
        if self._report is None and self.prefer_full_run:
            self.check_all()
        if self._report is not None:
            found = self._report.find(revision)
            if found is None:
                raise MrtError(f"mrt verify reported no revision `{revision}`")
            return found
        report = self.verify(revision)
        found = report.find(revision)
        if found is None and len(report.revisions) == 1:
            found = report.revisions[0]
        if found is None:
            raise MrtError(f"`mrt verify --revision {revision}` reported no result for it")
        return found

    def heads(self) -> list[str]:
        """The head revisions of the migrations, from `mrt graph --format json`."""
        done = self._run(["graph", *self._paths, "--format", "json"])
        if done.returncode != 0:
            raise MrtError(f"`mrt graph` failed (exit {done.returncode}): {done.stderr.strip()}")
        data = _parse_json(done.stdout, "graph", done.stderr)
        heads = data.get("heads") if isinstance(data, dict) else None
        if not isinstance(heads, list):
            raise MrtError("`mrt graph --format json` printed no `heads`")
        return [str(head) for head in heads]

    def assert_reversible(self, revision: str = "head") -> None:
        """Fails when the revision's rollback fails; `head` / `heads` (pytest-mrt's default) mean
        each head revision."""
        revisions = self.heads() if revision in ("head", "heads") else [revision]
        failed = [result for result in map(self.check_revision, revisions) if result.failed]
        if failed:
            raise RollbackFailure(
                "\n".join(
                    f"Migration {result.revision} is not safely reversible"
                    f"{f' ({result.path})' if result.path else ''}:\n{result.failure_summary()}"
                    for result in failed
                )
            )

    def assert_all_reversible(self, apps: Optional[Sequence[str]] = None) -> None:
        results = self.check_all(apps=apps)
        failed = [result for result in results if result.failed]
        if failed:
            lines = [
                f"{len(failed)} of {len(results)} migrations are not safely reversible "
                f"({', '.join(result.revision for result in failed)}):"
            ]
            for result in failed:
                where = f" ({result.path})" if result.path else ""
                lines.append(f"  revision {result.revision}{where}:")
                lines.append(result.failure_summary())
            raise RollbackFailure("\n".join(lines))

    # -- mrt migrate, on the session's database ------------------------------------------------

    def _database_flags(self) -> list[str]:
        flags = self.config.database_flags() + self._python_flags()
        if self.config.db_url or "database-url" in self._settings:
            return flags
        if self._database is None:
            done = self._run(["db", "start", "--output-format", "json"])
            if done.returncode != 0:
                raise MrtError(f"`mrt db start` failed (exit {done.returncode}): {done.stderr.strip()}")
            data = _parse_json(done.stdout, "db start", done.stderr)
            if not isinstance(data, dict) or not isinstance(data.get("url"), str):
                raise MrtError(f"`mrt db start` printed no `url`: {done.stdout.strip()[:500]}")
            self._database = {"url": data["url"], "dir": str(data.get("dir") or "")}
        return ["--database-url", self._database["url"], *flags]

    def _migrate(self, action: str, *extra: str) -> Any:
        args = ["migrate", action, *extra, *self._paths, *self._database_flags()]
        done = self._run(args)
        if done.returncode != 0:
            raise MrtError(
                f"`mrt migrate {action} {' '.join(extra)}` failed (exit {done.returncode}): "
                f"{done.stderr.strip() or done.stdout.strip()}"
            )
        return done

    @property
    def database_url(self) -> Optional[str]:
        """The URL `upgrade` / `downgrade` use: the configured one, or the session's embedded one."""
        if self.config.db_url:
            return self.config.db_url
        return self._database["url"] if self._database else self._settings.get("database-url")

    def upgrade(self, revision: str = "heads") -> None:
        self._migrate("upgrade", revision)

    def downgrade(self, revision: str = "-1") -> None:
        self._migrate("downgrade", revision)

    def current_heads(self) -> list[str]:
        done = self._migrate("current", "--output-format", "json")
        data = _parse_json(done.stdout, "migrate current", done.stderr)
        heads = data.get("heads") if isinstance(data, dict) else None
        if not isinstance(heads, list):
            raise MrtError(f"`mrt migrate current` printed no `heads`: {done.stdout.strip()[:500]}")
        return [str(head) for head in heads]

    def current_revision(self) -> Optional[str]:
        """The database's revision, `None` at base; with several heads applied, use `current_heads()`."""
        heads = self.current_heads()
        if len(heads) > 1:
            raise MrtError(f"the database is at several heads ({', '.join(heads)}); use current_heads()")
        return heads[0] if heads else None

    def close(self) -> None:
        """Stops the embedded database this session started, if any."""
        database, self._database = self._database, None
        if database and database.get("dir"):
            done = self._run(["db", "stop", database["dir"]])
            if done.returncode != 0:
                raise MrtError(f"`mrt db stop {database['dir']}` failed: {done.stderr.strip()}")

    # -- mrt check -----------------------------------------------------------------------------

    def static_report(self, strict: bool = False) -> StaticReport:
        args = ["check", "--output-format", "json"]
        if self.config.minimum_downgrade_revision:
            args += ["--since", self.config.minimum_downgrade_revision]
        if strict:
            args.append("--strict")
        done = self._run(args, cwd=self._static_cwd)
        data = _parse_json(done.stdout, "check", done.stderr) if done.stdout.strip() else None
        if done.returncode not in (0, 1) or data is None:
            errors = data.get("errors") if isinstance(data, dict) else None
            detail = "; ".join(str(error.get("message")) for error in errors or []) or done.stderr.strip()
            raise MrtError(f"`mrt check` could not run (exit {done.returncode}): {detail}")
        try:
            report = StaticReport.from_json(data, exit_code=done.returncode)
        except ValueError as error:
            raise MrtError(f"`mrt check` printed an unexpected report: {error}") from error
        self.last_static_report = report
        return report

    def check_static(self) -> list[Finding]:
        """Every finding of `mrt check` (errors and warnings) on the project's migrations."""
        return list(self.static_report().findings)

    def assert_no_static_errors(self, strict: bool = False) -> None:
        """Fails on error findings; on warnings too with `strict` (or `strict = true` in `[tool.mrt]`)."""
        report = self.static_report(strict=strict)
        if report.exit_code == 0:
            return
        failing = report.errors_found
        if strict or not failing:
            failing = failing + report.warnings_found
        lines = [f"mrt check found {len(failing)} finding(s) that fail the check:"]
        lines += [f"  {finding}" for finding in failing]
        raise StaticCheckFailure("\n".join(lines))
