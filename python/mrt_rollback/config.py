"""`MRTConfig`: the conftest-side configuration, with the fields of pytest-mrt's class of that name,
so a conftest written for pytest-mrt works after changing only its import line.

Everything here is optional: without it the binary reads `[tool.mrt]` / `[tool.mrt.verify]` of
`pyproject.toml` itself. A field given here becomes a command-line flag, which wins over the file.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

__all__ = ["MRTConfig"]

DEFAULT_ALEMBIC_INI = "alembic.ini"


@dataclass
class MRTConfig:
    # pytest-mrt's fields.
    alembic_ini: str = DEFAULT_ALEMBIC_INI
    db_url: str = ""
    # Revision ids to leave out: a list, or pytest-mrt's {revision: reason} mapping.
    skip: Union[Sequence[str], Mapping[str, str]] = field(default_factory=list)
    custom_seeds: Mapping[str, Callable[[], list]] = field(default_factory=dict)
    migration_timeout: Optional[float] = None
    minimum_downgrade_revision: Optional[str] = None
    django_settings: Optional[str] = None
    django_apps: Optional[Sequence[str]] = None
    # Accepted so that pytest-mrt conftests load; mrt has no equivalent (a warning says so when set).
    seed_rows: int = 3
    severity_overrides: Mapping[str, str] = field(default_factory=dict)
    custom_checks: Sequence[Callable[..., Any]] = field(default_factory=list)
    target_metadata: Optional[str] = None
    django_project_dir: Optional[str] = None
    # mrt's own: the interpreter that has Alembic / Django (default: the one running pytest) and the
    # seed of the generated rows.
    python: Optional[str] = None
    seed: Optional[int] = None

    def unsupported(self) -> list[str]:
        """The fields set to something mrt does not act on."""
        names = []
        if self.custom_seeds:
            names.append("custom_seeds (mrt generates the rows itself; see [tool.mrt.verify] seed)")
        if self.seed_rows != 3:
            names.append("seed_rows")
        if self.severity_overrides:
            names.append("severity_overrides (use select / ignore in [tool.mrt])")
        if self.custom_checks:
            names.append("custom_checks (write a rule with mrt_core::declare_rule!)")
        if self.target_metadata:
            names.append("target_metadata")
        return names

    def project_path(self, *bases: Path) -> Optional[Path]:
        """The directory of `alembic_ini` when it was changed from the default, else `django_project_dir`.

        A relative path is read from the first of `bases` where it exists (pytest passes the
        directory it was started in, then its rootdir), else from the first base."""
        if self.alembic_ini and self.alembic_ini != DEFAULT_ALEMBIC_INI:
            return _resolve(Path(self.alembic_ini), bases).parent
        if self.django_project_dir:
            return _resolve(Path(self.django_project_dir), bases)
        return None

    def skipped_revisions(self) -> list[str]:
        if isinstance(self.skip, Mapping):
            return [str(revision) for revision in self.skip]
        if isinstance(self.skip, str):
            return [self.skip]
        return [str(revision) for revision in self.skip]

    def database_flags(self) -> list[str]:
        """The flags every command that touches a database takes."""
        flags: list[str] = []
        if self.db_url:
            flags += ["--database-url", self.db_url]
        if self.python:
            flags += ["--python", self.python]
        if self.django_settings:
            flags += ["--django-settings", self.django_settings]
        return flags

    def verify_flags(self) -> list[str]:
        """The flags of `mrt verify` for what this configuration overrides (nothing for defaults)."""
        flags = self.database_flags()
        if self.minimum_downgrade_revision:
            flags += ["--min-revision", self.minimum_downgrade_revision]
        for revision in self.skipped_revisions():
            flags += ["--skip", revision]
        if self.migration_timeout is not None:
            timeout = self.migration_timeout
            # Whole seconds: the binary's flag is an integer.
            flags += ["--timeout", str(int(timeout) if float(timeout).is_integer() else int(timeout) + 1)]
        if self.seed is not None:
            flags += ["--seed", str(self.seed)]
        if self.django_apps:
            apps = [self.django_apps] if isinstance(self.django_apps, str) else list(self.django_apps)
            flags += ["--apps", ",".join(apps)]
        return flags

    def warn_unsupported(self) -> None:
        for name in self.unsupported():
            warnings.warn(f"mrt: MRTConfig.{name} is accepted but not supported; it has no effect", stacklevel=3)


def _resolve(path: Path, bases: Sequence[Path]) -> Path:
    if path.is_absolute() or not bases:
        return path
    for base in bases:
        if (base / path).exists():
            return base / path
    return bases[0] / path
