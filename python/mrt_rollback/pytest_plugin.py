"""The pytest plugin (entry point `pytest11`, name `mrt`): the session fixture `mrt`.

Configuration, in the order it wins:
1. a fixture named `mrt_config` (session scope) returning an `MRTConfig`, or pytest-mrt's way,
   `config._mrt_config = MRTConfig(...)` in `pytest_configure` of a conftest;
2. `[tool.mrt]` / `[tool.mrt.verify]` of `pyproject.toml`, which the binary reads itself;
3. nothing: the binary finds the project as `mrt verify` does and uses its embedded database.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from .config import MRTConfig
from .runner import Mrt

_FULL_RUN = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mrt: a migration rollback test")


def _revision_items(items: list[pytest.Item]) -> int:
    count = 0
    for item in items:
        callspec = getattr(item, "callspec", None)
        if "mrt" in getattr(item, "fixturenames", ()) and callspec and "revision" in callspec.params:
            count += 1
    return count


@pytest.hookimpl(hookwrapper=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> Iterator[None]:
    # One `mrt verify` of every revision is cheaper than one process per revision when most of the
    # per-revision items run here; with `-k` picking a few, or under xdist (each worker gets a
    # share), each item runs only its own revision.
    collected = _revision_items(items)
    yield
    selected = _revision_items(items)
    worker = hasattr(config, "workerinput")
    config.stash[_FULL_RUN] = not worker and selected >= 2 and selected * 2 >= collected


@pytest.fixture(scope="session")
def mrt_config(pytestconfig: pytest.Config) -> Any:
    """Override this (with `scope="session"`) to return an `MRTConfig`; the default is pytest-mrt's
    `config._mrt_config`, else `None` (the binary reads `pyproject.toml`)."""
    return getattr(pytestconfig, "_mrt_config", None)


@pytest.fixture(scope="session")
def mrt(pytestconfig: pytest.Config, mrt_config: Any) -> Iterator[Mrt]:
    """Runs `mrt verify` / `mrt migrate` / `mrt check` on the project under test."""
    if mrt_config is None:
        config = MRTConfig()
    elif isinstance(mrt_config, MRTConfig):
        config = mrt_config
    elif isinstance(mrt_config, dict):
        config = MRTConfig(**mrt_config)
    else:
        raise TypeError(f"mrt_config must return an MRTConfig, a dict or None, not {type(mrt_config).__name__}")
    config.warn_unsupported()
    fixture = Mrt(config, cwd=pytestconfig.rootpath, search=[pytestconfig.invocation_params.dir])
    fixture.prefer_full_run = pytestconfig.stash.get(_FULL_RUN, False)
    try:
        yield fixture
    finally:
        fixture.close()
