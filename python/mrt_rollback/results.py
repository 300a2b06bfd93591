"""The reports of `mrt verify` and `mrt check`, read from their JSON output.

Nothing is judged here: the binary decides what passed and what failed; these classes only give the
JSON names and a readable summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["Failure", "Finding", "RevisionResult", "StaticReport", "VerifyReport"]


def _require(obj: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ValueError(f"{where}: missing `{key}`")
    value = obj[key]
    if not isinstance(value, kind):
        raise ValueError(f"{where}: `{key}` is {type(value).__name__}, expected {kind.__name__}")
    return value


@dataclass(frozen=True)
class Failure:
    """One way a revision failed: `kind` is upgrade, downgrade, schema, data, reupgrade or timeout."""

    kind: str
    message: str
    object: Optional[str] = None
    codes: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Any, where: str = "failure") -> Failure:
        if not isinstance(data, dict):
            raise ValueError(f"{where}: not an object")
        codes = data.get("codes") or []
        obj = data.get("object")
        return cls(
            kind=_require(data, "kind", str, where),
            message=_require(data, "message", str, where),
            object=obj if isinstance(obj, str) else None,
            codes=tuple(str(code) for code in codes),
        )

    def __str__(self) -> str:
        text = f"[{self.kind}]"
        if self.object:
            text += f" {self.object}:"
        text += f" {self.message}"
        if self.codes:
            text += f" (predicted by {', '.join(self.codes)})"
        return text


@dataclass(frozen=True)
class RevisionResult:
    """What `mrt verify` found for one revision."""

    revision: str
    status: str
    path: Optional[str] = None
    reason: Optional[str] = None
    failures: list[Failure] = field(default_factory=list)
    duration_ms: int = 0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"

    def failure_summary(self) -> str:
        """One line per failure (indented), or why the revision was skipped; empty when it passed."""
        if self.skipped:
            return f"    skipped: {self.reason or 'no reason given'}"
        return "\n".join(f"    - {failure}" for failure in self.failures)

    @classmethod
    def from_json(cls, data: Any) -> RevisionResult:
        revision = _require(data, "revision", str, "revision entry")
        where = f"revision {revision}"
        status = _require(data, "status", str, where)
        failures = data.get("failures") or []
        if not isinstance(failures, list):
            raise ValueError(f"{where}: `failures` is not a list")
        reason = data.get("reason")
        path = data.get("path")
        duration = data.get("duration_ms")
        return cls(
            revision=revision,
            status=status,
            path=path if isinstance(path, str) else None,
            reason=reason if isinstance(reason, str) else None,
            failures=[Failure.from_json(item, f"{where}: failure") for item in failures],
            duration_ms=duration if isinstance(duration, int) else 0,
        )

    def __str__(self) -> str:
        head = f"{self.revision}: {self.status}"
        if self.path:
            head += f" ({self.path})"
        summary = self.failure_summary()
        return f"{head}\n{summary}" if summary else head


_VERIFY_KEYS = frozenset({"revisions", "summary", "database", "seed"})


@dataclass(frozen=True)
class VerifyReport:
    """The whole output of `mrt verify --output-format json`."""

    revisions: list[RevisionResult]
    summary: dict[str, Any]
    database: dict[str, Any]
    seed: Optional[int]
    exit_code: int = 0
    # What the binary adds beyond the contract (e.g. `notes`, `contradicted`), as it printed it.
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, exit_code: int = 0) -> VerifyReport:
        entries = _require(data, "revisions", list, "mrt verify output")
        summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
        database = data.get("database") if isinstance(data.get("database"), dict) else {}
        seed = data.get("seed")
        return cls(
            revisions=[RevisionResult.from_json(entry) for entry in entries],
            summary=summary,
            database=database,
            seed=seed if isinstance(seed, int) else None,
            exit_code=exit_code,
            extra={key: value for key, value in data.items() if key not in _VERIFY_KEYS},
        )

    @property
    def failed(self) -> list[RevisionResult]:
        return [result for result in self.revisions if result.failed]

    def find(self, revision: str) -> Optional[RevisionResult]:
        """The result of `revision`, matched exactly, else by a unique prefix of the id."""
        for result in self.revisions:
            if result.revision == revision:
                return result
        matches = [result for result in self.revisions if result.revision.startswith(revision)]
        return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class Finding:
    """One finding of `mrt check` (see docs/json-output.md)."""

    code: str
    name: str
    severity: str
    message: str
    path: Optional[str] = None
    revision: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    help: Optional[str] = None

    @classmethod
    def from_json(cls, data: Any) -> Finding:
        where = "finding"
        if not isinstance(data, dict):
            raise ValueError(f"{where}: not an object")
        get = data.get
        return cls(
            code=_require(data, "code", str, where),
            name=str(get("name") or ""),
            severity=_require(data, "severity", str, where),
            message=_require(data, "message", str, where),
            path=get("path"),
            revision=get("revision"),
            line=get("line"),
            column=get("column"),
            help=get("help"),
        )

    def __str__(self) -> str:
        place = self.path or "?"
        if self.line is not None:
            place += f":{self.line}:{self.column or 1}"
        revision = f" [{self.revision}]" if self.revision else ""
        return f"{place}:{revision} {self.code} [{self.severity}] {self.name}: {self.message}"


@dataclass(frozen=True)
class StaticReport:
    """The output of `mrt check --output-format json`; `exit_code` 1 means findings fail the check."""

    findings: list[Finding]
    errors: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    summary: dict[str, Any]
    exit_code: int = 0

    @classmethod
    def from_json(cls, data: Any, exit_code: int = 0) -> StaticReport:
        findings = _require(data, "findings", list, "mrt check output")
        errors = data.get("errors") or []
        skipped = data.get("skipped") or []
        summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
        return cls(
            findings=[Finding.from_json(item) for item in findings],
            errors=[item for item in errors if isinstance(item, dict)],
            skipped=[item for item in skipped if isinstance(item, dict)],
            summary=summary,
            exit_code=exit_code,
        )

    @property
    def errors_found(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]

    @property
    def warnings_found(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "warning"]
