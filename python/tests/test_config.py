"""MRTConfig (pytest-mrt's fields) to command-line flags: only what the conftest overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from mrt_rollback import MRTConfig


def test_defaults_add_no_flag():
    config = MRTConfig()
    assert config.verify_flags() == []
    assert config.database_flags() == []
    assert config.project_path(Path("/somewhere")) is None
    assert config.unsupported() == []


def test_every_field_maps_to_its_flag():
    config = MRTConfig(
        alembic_ini="backend/alembic.ini",
        db_url="postgresql://u@localhost/scratch",
        skip=["0003", "0004"],
        migration_timeout=30,
        minimum_downgrade_revision="0002",
        django_settings="shop.settings",
        django_apps=["orders", "users"],
        python="/venv/bin/python",
        seed=11,
    )
    assert config.verify_flags() == [
        "--database-url", "postgresql://u@localhost/scratch",
        "--python", "/venv/bin/python",
        "--django-settings", "shop.settings",
        "--min-revision", "0002",
        "--skip", "0003", "--skip", "0004",
        "--timeout", "30",
        "--seed", "11",
        "--apps", "orders,users",
    ]
    assert config.project_path(Path("/repo")) == Path("/repo/backend")


def test_pytest_mrt_skip_mapping_and_fractional_timeout():
    # pytest-mrt's skip is {revision: reason}; the reason belongs in [tool.mrt.skip].
    config = MRTConfig(skip={"0003": "reviewed"}, migration_timeout=2.5)
    assert config.verify_flags() == ["--skip", "0003", "--timeout", "3"]


def test_alembic_ini_is_found_in_the_first_base_that_has_it(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "db").mkdir(parents=True)
    (tmp_path / "b" / "db" / "alembic.ini").write_text("[alembic]\n")
    config = MRTConfig(alembic_ini="db/alembic.ini")
    assert config.project_path(tmp_path / "a", tmp_path / "b") == tmp_path / "b" / "db"
    assert config.project_path(tmp_path / "a") == tmp_path / "a" / "db"


def test_unsupported_fields_are_named_and_warned():
    config = MRTConfig(custom_seeds={"users": lambda: []}, severity_overrides={"x": "error"})
    names = config.unsupported()
    assert any(name.startswith("custom_seeds") for name in names)
    assert any(name.startswith("severity_overrides") for name in names)
    with pytest.warns(UserWarning) as record:
        config.warn_unsupported()
    assert [str(warning.message).split()[1] for warning in record] == [
        "MRTConfig.custom_seeds",
        "MRTConfig.severity_overrides",
    ]
