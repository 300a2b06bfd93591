"""Alembic's environment script: not a migration, so mrt leaves it alone."""
from alembic import context


def run_migrations_online() -> None:
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
